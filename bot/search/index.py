"""Keeping `search_documents` in step: one call in the transaction of every change to what is searched.

Callers pass the session of their own transaction, so the document, and the database's full-text
index over it (triggers on SQLite, a generated column on PostgreSQL), change with the change itself or
not at all. Only what the whole team may read is indexed: anything else is dropped, so a search can
never return it (deleted updates, a forgotten member's words, a removed mentor profile, a value story
its author keeps to themselves).

`index_document` is the one way a kind of document gets in; `index_project`, `index_update`,
`index_mentor` and `index_story` say what of each row is searched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.search.words import terms
from storage.db import upsert
from storage.models import MentorProfile, QiProject, QiUpdate, SearchDocument, ValueStory

KINDS = ("project", "update", "mentor", "story")


async def index_document(session: AsyncSession, *, team_id: str, kind: str, ref_id: int, title: str | None,
                         topics: Iterable[str | None] = (), body: Iterable[str | None] = (),
                         happened_at: datetime, project_id: int | None = None, owner_id: str | None = None) -> None:
    """Add or replace the searchable words of one thing (`kind` and `ref_id` name it within the team)."""
    if kind not in KINDS:
        raise ValueError(f"unknown search document kind {kind!r}")
    values = dict(title_terms=terms(title), topic_terms=terms(*topics), body_terms=terms(*body),
                  happened_at=happened_at, project_id=project_id, owner_id=owner_id or None)
    # One statement, insert or replace: upkeep rides on every share, so it costs one round trip.
    await session.execute(upsert(session, SearchDocument).values(team_id=team_id, kind=kind, ref_id=ref_id, **values)
                          .on_conflict_do_update(index_elements=["team_id", "kind", "ref_id"], set_=values))


async def drop_document(session: AsyncSession, *, team_id: str, kind: str, ref_ids: Iterable[int]) -> None:
    """Take things out of search (deleted, private or forgotten): no result can name them after this commits."""
    ids = list(ref_ids)
    if ids:
        await session.execute(delete(SearchDocument).where(
            SearchDocument.team_id == team_id, SearchDocument.kind == kind, SearchDocument.ref_id.in_(ids)))


async def index_project(session: AsyncSession, project: QiProject, *, with_updates: bool = False) -> None:
    """A project is found by its title, tags (its topics), aim, change ideas and measures. Its updates are
    found by its tags too: `with_updates` after an edit that may have changed them."""
    await index_document(session, team_id=project.team_id, kind="project", ref_id=project.id, title=project.title,
                         topics=project.tags, body=(project.aim, project.change_ideas, *(m.name for m in project.measures)),
                         happened_at=project.updated_at or project.created_at, project_id=project.id,
                         owner_id=project.owner_id)
    if with_updates:
        for update in (await session.scalars(select(QiUpdate).where(QiUpdate.project_id == project.id))).all():
            await index_update(session, update, project)


async def index_update(session: AsyncSession, update: QiUpdate, project: QiProject | None) -> None:
    """An update is found by what was tried and learned, and its project's tags; a deleted one is dropped."""
    if update.post_status == "deleted" or update.author_id is None:
        await drop_document(session, team_id=update.team_id, kind="update", ref_ids=[update.id])
        return
    await index_document(session, team_id=update.team_id, kind="update", ref_id=update.id, title=None,
                         topics=project.tags if project else (), body=(update.tried, update.learned, update.help_wanted),
                         happened_at=update.created_at, project_id=update.project_id, owner_id=update.author_id)


async def index_mentor(session: AsyncSession, profile: MentorProfile, topic_labels: Iterable[str]) -> None:
    """A mentor is found by name, what they offer (ids and labels) and bio (one who takes no requests for
    now is still someone who knows the topic)."""
    await index_document(session, team_id=profile.team_id, kind="mentor", ref_id=profile.id, title=profile.name,
                         topics=(*profile.expertise, *topic_labels), body=(profile.bio,),
                         happened_at=profile.updated_at or profile.created_at, owner_id=profile.slack_user_id)


SHAREABLE_STORIES = ("named", "anonymous")  # a story told to the admins alone is never in search


async def index_story(session: AsyncSession, story: ValueStory) -> None:
    """A value story is found by what happened, the difference it made and its value cycle, if its teller let
    anyone read it. Its teller is kept as the owner even when anonymous, so forget-me drops it; search shows
    an anonymous story without them (bot/search/query.py)."""
    if story.consent not in SHAREABLE_STORIES:
        await drop_document(session, team_id=story.team_id, kind="story", ref_ids=[story.id])
        return
    await index_document(session, team_id=story.team_id, kind="story", ref_id=story.id, title=None,
                         topics=(story.cycle,), body=(story.what_happened, story.difference),
                         happened_at=story.created_at, owner_id=story.author_id)


async def purge_dropped_words(session: AsyncSession) -> None:
    """After forget-me: SQLite's FTS5 marks dropped rows deleted in its segments and merges them away
    later; 'optimize' merges now, so the index's own pages hold none of the forgotten member's words.
    (PostgreSQL's column goes with its row.)"""
    if session.bind.dialect.name == "sqlite":
        await session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


async def drop_owner(session: AsyncSession, team_id: str, owner_id: str) -> None:
    """Everything of one person's (forget-me), whatever its kind."""
    await session.execute(delete(SearchDocument).where(SearchDocument.team_id == team_id,
                                                       SearchDocument.owner_id == owner_id))
