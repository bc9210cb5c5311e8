"""One query per indicator of bot/data/value_indicators.toml, each giving the period and the previous one.

Every query reads the domain tables and the audit log over both windows at once, with CASE
expressions that put each row in its window, so the report's statement count is fixed whatever
the department's size (bench/value_report.py checks it). Nothing here is kept between reports.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.cpd.rules import CpdActivity, credits_for, money
from bot.learn.reads import PRIMER_READ
from bot.report.definitions import definitions
from bot.sharing.services import AIM_CHANGED, PROMPT_ANSWERED
from storage.models import (
    AuditLog,
    ChartSignal,
    CpdEntry,
    Kudos,
    Member,
    Mentorship,
    MentorshipRequest,
    QiUpdate,
    ValueStory,
)

SHARED = "qi_update.shared"
PROJECT_CREATED = "qi_project.created"
CPD_FROM_QI = ("qi_update", "mentoring")  # cpd_entries.source values that come from QI work or mentoring

Number = int | Decimal | None


@dataclass(frozen=True)
class Window:
    """The report's period and the one before it, as aware datetimes and as local dates."""

    start: datetime
    end: datetime
    previous_start: datetime  # the previous period ends where this one starts
    first: date
    last_day: date  # the day after the period: dates are compared as [first, last_day)
    previous_first: date

    def current(self, column: Any) -> Any:
        return and_(column >= self.start, column < self.end)

    def previous(self, column: Any) -> Any:
        return and_(column >= self.previous_start, column < self.start)

    def both(self, column: Any) -> Any:
        return and_(column >= self.previous_start, column < self.end)


@dataclass(frozen=True)
class Pair:
    current: Number
    previous: Number
    # For a people-count figure beside a total (CPD credits): how many people it is made of.
    people_current: int | None = None
    people_previous: int | None = None


Query = Callable[[AsyncSession, str, Window], Awaitable[Pair]]


def _count_in(window: Window, column: Any, value: Any = 1) -> tuple[Any, Any]:
    """count(...) of rows in each window (NULL outside it is not counted)."""
    return (func.count(case((window.current(column), value))), func.count(case((window.previous(column), value))))


def _distinct_in(window: Window, column: Any, value: Any) -> tuple[Any, Any]:
    return (func.count(distinct(case((window.current(column), value)))),
            func.count(distinct(case((window.previous(column), value)))))


async def _pair(session: AsyncSession, columns: tuple[Any, Any], *where: Any, source: Any = None) -> Pair:
    query = select(*columns)
    if source is not None:
        query = query.select_from(source)
    row = (await session.execute(query.where(*where))).one()
    return Pair(row[0] or 0, row[1] or 0)


def activity(team_id: str, since: datetime, until: datetime) -> Any:
    """Who did a member action when: the audit log's participation actions, and kudos given."""
    audit = (select(AuditLog.actor_id.label("who"), AuditLog.created_at.label("at"), AuditLog.action.label("action"))
             .where(AuditLog.team_id == team_id, AuditLog.actor_id.is_not(None),
                    AuditLog.action.in_(definitions().participation_actions),
                    AuditLog.created_at >= since, AuditLog.created_at < until))
    kudos = (select(Kudos.slack_user_id, Kudos.created_at, literal("kudos"))
             .where(Kudos.team_id == team_id, Kudos.created_at >= since, Kudos.created_at < until))
    return union_all(audit, kudos).subquery("activity")


def _audit(team_id: str, window: Window, *actions: str) -> tuple[Any, ...]:
    return (AuditLog.team_id == team_id, AuditLog.action.in_(actions), window.both(AuditLog.created_at))


# --- immediate value ---------------------------------------------------------------------------------


async def active_members(session: AsyncSession, team_id: str, window: Window) -> Pair:
    done = activity(team_id, window.previous_start, window.end)
    return await _pair(session, _distinct_in(window, done.c.at, done.c.who), source=done)


async def shares(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, AuditLog.created_at), *_audit(team_id, window, SHARED))


async def questions_asked(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, MentorshipRequest.created_at),
                       MentorshipRequest.team_id == team_id, MentorshipRequest.kind == "informal",
                       window.both(MentorshipRequest.created_at))


async def questions_answered(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, Mentorship.started_at), Mentorship.team_id == team_id,
                       Mentorship.kind == "informal", window.both(Mentorship.started_at))


async def median_hours_to_answer(session: AsyncSession, team_id: str, window: Window) -> Pair:
    rows = (await session.execute(
        select(Mentorship.started_at, MentorshipRequest.created_at)
        .join(MentorshipRequest, MentorshipRequest.id == Mentorship.request_id)
        .where(Mentorship.team_id == team_id, Mentorship.kind == "informal",
               window.both(Mentorship.started_at)))).all()

    def median(inside: Callable[[datetime], bool]) -> Decimal | None:
        hours = [(started - asked).total_seconds() / 3600 for started, asked in rows if inside(started)]
        return Decimal(str(round(statistics.median(hours), 1))) if hours else None

    return Pair(median(lambda at: window.start <= at < window.end),
                median(lambda at: window.previous_start <= at < window.start))


async def kudos(session: AsyncSession, team_id: str, window: Window) -> Pair:
    # As the digest counts them: kudos an author gave their own update are not appreciation.
    return await _pair(session, _count_in(window, Kudos.created_at),
                       Kudos.team_id == team_id, window.both(Kudos.created_at),
                       or_(QiUpdate.author_id.is_(None), Kudos.slack_user_id != QiUpdate.author_id),
                       source=Kudos.__table__.join(QiUpdate.__table__, QiUpdate.id == Kudos.update_id))


async def prompt_responses(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, AuditLog.created_at), *_audit(team_id, window, PROMPT_ANSWERED))


# --- potential value ---------------------------------------------------------------------------------


async def first_time_sharers(session: AsyncSession, team_id: str, window: Window) -> Pair:
    first = (select(AuditLog.actor_id, func.min(AuditLog.created_at).label("first"))
             .where(AuditLog.team_id == team_id, AuditLog.action == SHARED, AuditLog.actor_id.is_not(None),
                    AuditLog.created_at < window.end)
             .group_by(AuditLog.actor_id).subquery())
    return await _pair(session, _count_in(window, first.c.first), source=first)


async def new_pairs(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, Mentorship.started_at), Mentorship.team_id == team_id,
                       Mentorship.kind == "formal", window.both(Mentorship.started_at))


async def cross_profession(session: AsyncSession, team_id: str, window: Window) -> Pair:
    mentor, mentee = aliased(Member), aliased(Member)
    source = (Mentorship.__table__
              .join(mentor, and_(mentor.team_id == team_id, mentor.slack_user_id == Mentorship.mentor_id))
              .join(mentee, and_(mentee.team_id == team_id, mentee.slack_user_id == Mentorship.mentee_id)))
    return await _pair(session, _count_in(window, Mentorship.started_at), Mentorship.team_id == team_id,
                       window.both(Mentorship.started_at), mentor.profession.is_not(None),
                       mentee.profession.is_not(None), mentor.profession != mentee.profession, source=source)


async def projects_started(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, AuditLog.created_at), *_audit(team_id, window, PROJECT_CREATED))


async def primers_read(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, AuditLog.created_at), *_audit(team_id, window, PRIMER_READ))


# --- applied value -----------------------------------------------------------------------------------


def _updates_at(*stages: str) -> Query:
    async def query(session: AsyncSession, team_id: str, window: Window) -> Pair:
        return await _pair(session, _count_in(window, QiUpdate.created_at), QiUpdate.team_id == team_id,
                           QiUpdate.pdsa_stage.in_(stages), window.both(QiUpdate.created_at))
    return query


# --- realized value ----------------------------------------------------------------------------------


async def signals_better(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, ChartSignal.found_at), ChartSignal.team_id == team_id,
                       ChartSignal.verdict == "improvement", window.both(ChartSignal.found_at))


async def cpd_credits(session: AsyncSession, team_id: str, window: Window) -> Pair:
    """The credits total and how many members earned them; never anyone's own figure."""
    rows = (await session.execute(
        select(CpdEntry.member_id, CpdEntry.framework, CpdEntry.activity_type, CpdEntry.occurred_on, CpdEntry.hours,
               CpdEntry.quantity)
        .where(CpdEntry.team_id == team_id, CpdEntry.occurred_on >= window.previous_first,
               CpdEntry.occurred_on < window.last_day,
               or_(CpdEntry.source.in_(CPD_FROM_QI), CpdEntry.qi_project_id.is_not(None))))).all()
    totals = {True: Decimal(0), False: Decimal(0)}
    people: dict[bool, set[str]] = {True: set(), False: set()}
    for row in rows:
        try:
            credits = credits_for(CpdActivity(row.framework, row.activity_type, row.occurred_on, row.hours,
                                              row.quantity))
        except (KeyError, ValueError):  # a framework or activity retired since: it earns nothing now
            continue
        current = row.occurred_on >= window.first
        totals[current] += credits
        people[current].add(row.member_id)
    return Pair(money(totals[True]), money(totals[False]), len(people[True]), len(people[False]))


# --- reframing value ---------------------------------------------------------------------------------


async def aims_changed(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _distinct_in(window, AuditLog.created_at, AuditLog.subject),
                       *_audit(team_id, window, AIM_CHANGED))


async def reframing_stories(session: AsyncSession, team_id: str, window: Window) -> Pair:
    return await _pair(session, _count_in(window, ValueStory.created_at), ValueStory.team_id == team_id,
                       ValueStory.cycle == "reframing", window.both(ValueStory.created_at))


QUERIES: dict[str, Query] = {
    "active_members": active_members,
    "shares": shares,
    "questions_asked": questions_asked,
    "questions_answered": questions_answered,
    "median_hours_to_answer": median_hours_to_answer,
    "kudos": kudos,
    "prompt_responses": prompt_responses,
    "first_time_sharers": first_time_sharers,
    "new_pairs": new_pairs,
    "cross_profession": cross_profession,
    "projects_started": projects_started,
    "primers_read": primers_read,
    "cycles_started": _updates_at("plan"),
    "ideas_tested": _updates_at("do", "study"),
    "cycles_completed": _updates_at("act"),
    "signals_better": signals_better,
    "cpd_credits": cpd_credits,
    "aims_changed": aims_changed,
    "reframing_stories": reframing_stories,
}


# --- participation: by group, and month by month -----------------------------------------------------


async def participation_by(session: AsyncSession, team_id: str, window: Window,
                           column: str) -> dict[str | None, Pair]:
    """Active members in each value of the member column `column` (profession, career_stage)."""
    done = activity(team_id, window.previous_start, window.end)
    group = getattr(Member, column)
    rows = (await session.execute(
        select(group, *_distinct_in(window, done.c.at, done.c.who)).select_from(done)
        .outerjoin(Member, and_(Member.team_id == team_id, Member.slack_user_id == done.c.who))
        .group_by(group))).all()
    return {row[0]: Pair(row[1], row[2]) for row in rows}


async def monthly_activity(session: AsyncSession, team_id: str, starts: list[datetime]) -> list[tuple[int, int]]:
    """(active members, shares) in each month; `starts` are the months' starts and the end after the last."""
    done = activity(team_id, starts[0], starts[-1])
    bucket = case(*((done.c.at < end, n) for n, end in enumerate(starts[1:])))
    # Grouped in an outer query: PostgreSQL does not see two copies of a parameterised CASE as one.
    tagged = select(bucket.label("month"), done.c.who, done.c.action).subquery()
    rows = (await session.execute(
        select(tagged.c.month, func.count(distinct(tagged.c.who)), func.count(case((tagged.c.action == SHARED, 1))))
        .group_by(tagged.c.month))).all()
    found = {row[0]: (row[1], row[2]) for row in rows}
    return [found.get(n, (0, 0)) for n in range(len(starts) - 1)]


async def first_activity(session: AsyncSession, team_id: str) -> datetime | None:
    """When QI Commons first stored anything for this workspace (a member row or an audit row)."""
    row = (await session.execute(select(
        select(func.min(AuditLog.created_at)).where(AuditLog.team_id == team_id).scalar_subquery(),
        select(func.min(Member.created_at)).where(Member.team_id == team_id).scalar_subquery()))).one()
    found = [at for at in row if at is not None]
    return min(found) if found else None
