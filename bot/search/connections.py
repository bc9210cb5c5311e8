"""Connections, "others have worked on this": the people behind similar projects, when a project starts or a mentor is asked.

Similar means sharing words with what the member wrote (any of them, best first, by the database's
ranking), and at least two of them, so one common word ("patients") does not make a connection. Each
person is suggested once per subject (a project, a mentor request), kept in `connection_suggestions`
with the suggestion itself; nobody is suggested to themselves, nor when they opted out in their
settings. Deciding and storing happen in one transaction, so two clicks cannot suggest someone twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.audit import record
from bot.core.runtime import Runtime
from bot.search.query import Query, ranked
from bot.search.words import stems
from storage.models import (
    ConnectionSuggestion,
    Member,
    MentorshipRequest,
    QiProject,
    QiProjectMember,
    SearchDocument,
)

MAX_SUGGESTIONS = 3
MAX_WORDS = 24  # of what the member wrote: a long aim is still one question
MIN_SHARED = 2
CANDIDATES = 60


@dataclass(frozen=True)
class Suggestion:
    person_id: str
    project_id: int
    title: str
    pdsa_stage: str | None
    at: datetime
    channel_id: str | None
    thread_ts: str | None


def project_subject(project_id: int) -> str:
    return f"qi_project:{project_id}"


def request_subject(request_id: int) -> str:
    return f"mentorship_request:{request_id}"


async def _shared_words(session: AsyncSession, team_id: str, hits: list[tuple[str, int, int | None]],
                        wanted: set[str]) -> dict[tuple[str, int], int]:
    documents = (await session.execute(select(
        SearchDocument.kind, SearchDocument.ref_id, SearchDocument.title_terms, SearchDocument.topic_terms,
        SearchDocument.body_terms).where(SearchDocument.team_id == team_id,
                                         SearchDocument.ref_id.in_([ref_id for _, ref_id, _ in hits])))).all()
    return {(kind, ref_id): len(wanted & set(f"{a} {b} {c}".split())) for kind, ref_id, a, b, c in documents}


async def suggest(runtime: Runtime, *, team_id: str, user_id: str, subject: str, about: str) -> tuple[Suggestion, ...]:
    """Up to three people behind projects like `about` (what the member wrote), stored as suggested for `subject`."""
    wanted = tuple(dict.fromkeys(stems(about)))[:MAX_WORDS]
    if len(wanted) < MIN_SHARED:
        return ()
    now = runtime.clock.now()
    try:
        async with runtime.db.session() as session, session.begin():
            hits = await ranked(session, team_id, Query(text="", stems=wanted, any_word=True), limit=CANDIDATES,
                                kinds=("project", "update"))
            shared = await _shared_words(session, team_id, hits, set(wanted))
            order = list(dict.fromkeys(project_id for kind, ref_id, project_id in hits
                                       if project_id is not None and shared.get((kind, ref_id), 0) >= MIN_SHARED))
            mine = select(QiProjectMember.project_id).where(QiProjectMember.team_id == team_id,
                                                            QiProjectMember.slack_user_id == user_id)
            projects = {p.id: p for p in (await session.scalars(select(QiProject).where(
                QiProject.team_id == team_id, QiProject.id.in_(order), QiProject.owner_id != user_id,
                QiProject.owner_id != "", QiProject.id.not_in(mine)))).all()}
            projects.pop(_project_of(subject) or 0, None)
            owners = {p.owner_id for p in projects.values()}
            quiet = set((await session.scalars(select(Member.slack_user_id).where(
                Member.team_id == team_id, Member.slack_user_id.in_(owners), Member.suggest_me.is_(False)))).all())
            already = set((await session.scalars(select(ConnectionSuggestion.suggested_id).where(
                ConnectionSuggestion.team_id == team_id, ConnectionSuggestion.subject == subject))).all())
            chosen: list[Suggestion] = []
            for project_id in order:
                project = projects.get(project_id)
                if project is None or project.owner_id in quiet | already | {c.person_id for c in chosen}:
                    continue
                chosen.append(Suggestion(project.owner_id, project.id, project.title, project.pdsa_stage,
                                         project.updated_at or project.created_at, project.channel_id,
                                         project.thread_ts))
                if len(chosen) == MAX_SUGGESTIONS:
                    break
            session.add_all([ConnectionSuggestion(team_id=team_id, subject=subject, suggested_id=c.person_id,
                                                  because_project_id=c.project_id, created_at=now) for c in chosen])
            if chosen:
                record(session, team_id=team_id, actor_id=user_id, action="search.connections_suggested",
                       subject=subject, at=now, detail={"people": len(chosen)})
    except IntegrityError:
        return ()  # the same subject suggested at the same moment by another click: that one showed them
    return tuple(chosen)


def _project_of(subject: str) -> int | None:
    kind, _, ref = subject.partition(":")
    return int(ref) if kind == "qi_project" and ref.isdigit() else None


@dataclass(frozen=True)
class AskAbout:
    """Whom a member may ask from a suggestion, and about which project (None: they may not, now)."""

    person_id: str
    title: str


async def may_ask(runtime: Runtime, *, team_id: str, user_id: str, subject: str, person_id: str,
                  project_id: int) -> AskAbout | None:
    """The suggestion was made to this member (their project, or their request), the project is still
    there, and the person has not opted out since."""
    async with runtime.db.session() as session:
        suggested = await session.scalar(select(ConnectionSuggestion.id).where(
            ConnectionSuggestion.team_id == team_id, ConnectionSuggestion.subject == subject,
            ConnectionSuggestion.suggested_id == person_id, ConnectionSuggestion.because_project_id == project_id))
        if suggested is None or not await _owns_subject(session, team_id, user_id, subject):
            return None
        project = await session.scalar(select(QiProject).where(QiProject.team_id == team_id,
                                                               QiProject.id == project_id))
        quiet = await session.scalar(select(Member.id).where(Member.team_id == team_id,
                                                             Member.slack_user_id == person_id,
                                                             Member.suggest_me.is_(False)))
        if project is None or project.owner_id != person_id or quiet is not None:
            return None
        return AskAbout(person_id, project.title)


async def _owns_subject(session: AsyncSession, team_id: str, user_id: str, subject: str) -> bool:
    kind, _, ref = subject.partition(":")
    if not ref.isdigit():
        return False
    if kind == "qi_project":
        owner = await session.scalar(select(QiProject.owner_id).where(QiProject.team_id == team_id,
                                                                      QiProject.id == int(ref)))
        return owner == user_id
    if kind == "mentorship_request":
        mentee = await session.scalar(select(MentorshipRequest.mentee_id).where(
            MentorshipRequest.team_id == team_id, MentorshipRequest.id == int(ref)))
        return mentee == user_id
    return False
