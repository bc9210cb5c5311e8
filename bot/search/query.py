"""A person's search: read the words and filters, find and rank with the database, hydrate the results.

Bad input is explained, never a database error: every FTS syntax character is a separator in
bot/search/words.py, so what reaches the database is a list of plain stems, each quoted. A query that
looks like it holds a patient identifier is refused by the one PHI gate before anything else, and is
neither stored nor logged. Every query is scoped by team; what is not indexed (deleted, private,
forgotten) cannot be found, and the hydration checks again that an update was not deleted meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import phi
from bot.core.runtime import Runtime
from bot.search.index import SHAREABLE_STORIES
from bot.search.words import STOP_WORDS, stems, words
from storage.models import MentorProfile, QiProject, QiUpdate, ValueStory
from storage.types import UtcDateTime

MAX_CHARS = 200
PAGE_SIZE = 10
WINDOW = 2_000  # a search ranks the newest this many matching documents (see ranked)
# How the filters are typed, and the kinds of document they name.
TYPES = {"project": "project", "projects": "project", "update": "update", "updates": "update",
         "mentor": "mentor", "mentors": "mentor", "story": "story", "stories": "story"}
_FILTER = re.compile(r"(?<!\S)(type|topic|since):(\S*)", re.IGNORECASE)
_SINCE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
# Weights: a word in the title counts most, then the topics (tags, what a mentor offers), then the body.
# bm25's column weights on SQLite; PostgreSQL's ts_rank weighs A, B and C as 1.0, 0.4 and 0.2 by default.
_SQLITE_WEIGHTS = "5.0, 2.0, 1.0"


class BadQuery(Exception):
    """The search cannot run as typed; `reason` says why (the handler words it), `detail` what was wrong."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Query:
    text: str  # as typed (PHI-checked), for the header and the "more" button
    stems: tuple[str, ...]
    kinds: tuple[str, ...] = ()  # empty: every kind
    topic_stems: tuple[str, ...] = ()
    since: date | None = None
    any_word: bool = False  # connections: documents with any of the words, best first


@dataclass(frozen=True)
class Result:
    kind: str  # project | update | mentor | story
    ref_id: int
    title: str  # the project's title, or the mentor's name
    text: str  # what the snippet is cut from
    owner_id: str | None  # None for a story told anonymously
    pdsa_stage: str | None
    at: datetime
    project_id: int | None = None
    slug: str | None = None
    channel_id: str | None = None  # where the project's thread (or the update) is
    ts: str | None = None
    permalink: str | None = None
    topics: tuple[str, ...] = ()  # a mentor's expertise ids; a story's value cycle


@dataclass(frozen=True)
class Page:
    query: Query
    results: tuple[Result, ...]
    offset: int
    more: bool


def parse(typed: str) -> Query:
    """Words and filters (`type:project`, `topic:falls`, `since:2026-01`) -> a Query, or BadQuery."""
    typed = (typed or "").strip()
    if not typed:
        raise BadQuery("empty")
    if len(typed) > MAX_CHARS:
        raise BadQuery("too_long", str(len(typed)))
    kinds: list[str] = []
    topic: list[str] = []
    since = None
    for name, value in _FILTER.findall(typed):
        name, value = name.lower(), value.strip().lower()
        if name == "type":
            for part in filter(None, value.split(",")):
                if part not in TYPES:
                    raise BadQuery("bad_type", part)
                kinds.append(TYPES[part])
            if not value:
                raise BadQuery("bad_type", "")
        elif name == "topic":
            topic += stems(value)
            if not stems(value):
                raise BadQuery("bad_topic", value)
        else:
            since = _since(value)
    rest = _FILTER.sub(" ", typed)
    found = tuple(dict.fromkeys(stems(rest)))
    if not found and not topic:
        raise BadQuery("stop_words" if words(rest) else "no_words")
    return Query(text=typed, stems=found, kinds=tuple(dict.fromkeys(kinds)), topic_stems=tuple(dict.fromkeys(topic)),
                 since=since)


def _since(value: str) -> date:
    match = _SINCE.match(value)
    if not match:
        raise BadQuery("bad_since", value)
    year, month, day = int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError:
        raise BadQuery("bad_since", value) from None


def only_stop_words(typed: str) -> list[str]:
    """The common words a query was made of, to name them back."""
    return [word for word in words(typed) if word in STOP_WORDS]


# --- the database's part ------------------------------------------------------------------------------


def _sqlite_match(query: Query) -> str:
    joiner = " OR " if query.any_word else " "
    match = joiner.join(f'"{s}"' for s in query.stems)
    if query.topic_stems:
        topic = "topic_terms : (" + " ".join(f'"{s}"' for s in query.topic_stems) + ")"
        match = f"({match}) AND {topic}" if match else topic
    return match


def _postgres_query(query: Query) -> str:
    joiner = " | " if query.any_word else " & "
    parts = [joiner.join(f"'{s}'" for s in query.stems)] if query.stems else []
    parts += [f"'{s}':B" for s in query.topic_stems]
    return " & ".join(f"({p})" for p in parts)


async def ranked(session: AsyncSession, team_id: str, query: Query, *, limit: int, offset: int = 0,
                 kinds: Sequence[str] = ()) -> list[tuple[str, int, int | None]]:
    """(kind, ref_id, project_id) of the documents matching, best first; ties newest first.

    Ranked among the newest WINDOW documents that match: finding the matches is cheap (the index), but
    scoring them costs a little per match, and a common word matches a large share of a big corpus
    (scoring all 40,000 documents with "falls" took 60-120 ms; the window keeps any search near 10 ms,
    bench/search.py). A department reaches 2,000 documents with one word only after years of sharing; the
    oldest of them are then found with a second word or `since:`.
    """
    kinds = tuple(kinds or query.kinds)
    params: dict[str, object] = {"team": team_id, "limit": limit, "offset": offset, "window": WINDOW}
    where = ["d.team_id = :team"]
    if kinds:
        where.append("d.kind IN (" + ", ".join(f":k{i}" for i in range(len(kinds))) + ")")
        params.update({f"k{i}": kind for i, kind in enumerate(kinds)})
    if query.since is not None:
        where.append("d.happened_at >= :since")
        params["since"] = datetime(query.since.year, query.since.month, query.since.day, tzinfo=UTC)
    # The inner query takes the window (newest first, which both indexes hand out cheaply) and scores only
    # it; the outer one orders the window by score.
    if session.bind.dialect.name == "sqlite":
        params["match"] = _sqlite_match(query)
        window = (f"SELECT d.kind, d.ref_id, d.project_id, d.happened_at, d.id, "
                  f"bm25(search_fts, {_SQLITE_WEIGHTS}) AS score "
                  f"FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid "
                  f"WHERE search_fts MATCH :match AND {' AND '.join(where)} ORDER BY search_fts.rowid DESC LIMIT :window")
        best = "score"  # bm25: lower is better
    else:
        params["tsq"] = _postgres_query(query)
        window = (f"SELECT d.kind, d.ref_id, d.project_id, d.happened_at, d.id, ts_rank(d.search_vector, q, 1) AS score "
                  f"FROM search_documents d, to_tsquery('simple', :tsq) q "
                  f"WHERE d.search_vector @@ q AND {' AND '.join(where)} ORDER BY d.id DESC LIMIT :window")
        best = "score DESC"
    sql = (f"SELECT kind, ref_id, project_id FROM ({window}) AS w "
           f"ORDER BY {best}, happened_at DESC, id DESC LIMIT :limit OFFSET :offset")
    statement = text(sql).bindparams(bindparam("since", type_=UtcDateTime())) if "since" in params else text(sql)
    return [(kind, ref_id, project_id) for kind, ref_id, project_id in (await session.execute(statement, params)).all()]


# --- what the results show ----------------------------------------------------------------------------


async def hydrate(session: AsyncSession, team_id: str, hits: Sequence[tuple[str, int, int | None]]) -> list[Result]:
    """The rows behind the hits, in the hits' order; anything gone or deleted meanwhile is left out."""
    ids: dict[str, list[int]] = {}
    for kind, ref_id, _ in hits:
        ids.setdefault(kind, []).append(ref_id)
    # By primary key only, then scoped by team here: given `team_id = ?` too, SQLite walks the team's index
    # (every row of a one-team database) instead of looking ten rows up (20 ms against 0.3 ms at 100,000).
    async def rows(model: type, wanted: list[int]) -> dict[int, Any]:
        found = (await session.scalars(select(model).where(model.id.in_(wanted)))).all() if wanted else []
        return {row.id: row for row in found if row.team_id == team_id}

    projects = await rows(QiProject, ids.get("project", []) + [p for k, _, p in hits if k == "update" and p])
    updates = {i: u for i, u in (await rows(QiUpdate, ids.get("update", []))).items()
               if u.post_status != "deleted" and u.author_id is not None}
    mentors = await rows(MentorProfile, ids.get("mentor", []))
    stories = {i: v for i, v in (await rows(ValueStory, ids.get("story", []))).items()
               if v.consent in SHAREABLE_STORIES}
    results = []
    for kind, ref_id, _ in hits:
        if kind == "project" and ref_id in projects:
            p = projects[ref_id]
            results.append(Result("project", p.id, p.title, " · ".join(filter(None, (p.aim, p.change_ideas))),
                                  p.owner_id or None, p.pdsa_stage, p.updated_at or p.created_at, project_id=p.id,
                                  slug=p.slug, channel_id=p.channel_id, ts=p.thread_ts))
        elif kind == "update" and ref_id in updates:
            u = updates[ref_id]
            p = projects.get(u.project_id) if u.project_id else None
            results.append(Result("update", u.id, p.title if p else "", " · ".join(filter(None, (u.tried, u.learned))),
                                  u.author_id, u.pdsa_stage, u.created_at, project_id=u.project_id,
                                  slug=p.slug if p else None, channel_id=u.channel_id, ts=u.ts, permalink=u.permalink))
        elif kind == "mentor" and ref_id in mentors:
            m = mentors[ref_id]
            results.append(Result("mentor", m.id, m.name or "", m.bio or "", m.slack_user_id, None,
                                  m.updated_at or m.created_at, topics=tuple(m.expertise)))
        elif kind == "story" and ref_id in stories:
            v = stories[ref_id]
            results.append(Result("story", v.id, "", f"{v.what_happened} · {v.difference}",
                                  None if v.consent == "anonymous" else v.author_id, None, v.created_at,
                                  topics=(v.cycle,)))
    return results


async def search(runtime: Runtime, *, team_id: str, typed: str, offset: int = 0) -> Page:
    """`/qi-commons search WORDS` and the Home's search box. Raises ContainsPhi or BadQuery."""
    phi.guard(runtime.settings.staff_email_domains, query=typed)
    query = parse(typed)
    offset = max(offset, 0)
    async with runtime.db.session() as session:
        hits = await ranked(session, team_id, query, limit=PAGE_SIZE + 1, offset=offset)
        results = await hydrate(session, team_id, hits[:PAGE_SIZE])
    return Page(query, tuple(results), offset, more=len(hits) > PAGE_SIZE)
