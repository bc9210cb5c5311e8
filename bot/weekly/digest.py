"""The weekly digest as plain data: what the community shared, started and logged in a window.

Built with the same seven SQL statements whatever the community's size (nothing is queried per
update, project or member; bench/digest.py checks it). It holds only what may be shown to the
whole channel: share authors are named unless they opted out (`name_in_digest_shares`), people in
mentorship news only when they opted in (`name_in_digest_mentoring`), and CPD hours only when at
least five members logged some (small-cell suppression). Text fields are raw user text: the
renderer escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, distinct, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.charts.signals import NewSignal, signals_between
from bot.core.runtime import Runtime
from bot.core.text import first_line
from bot.mentoring.requests import OPEN_STATUSES
from bot.weekly.claims import latest_detail
from bot.weekly.schedules import DIGEST
from storage.models import (
    CpdEntry,
    Kudos,
    Member,
    MentorProfile,
    Mentorship,
    MentorshipRequest,
    QiProject,
    QiUpdate,
)

# More updates than one 50-block message can show; the rest are counted ("and 12 more updates").
UPDATE_LIMIT = 60
NEW_PROJECT_LIMIT = 8
HELP_WANTED_LIMIT = 5
MOST_KUDOS_LIMIT = 3
NAMED_LIMIT = 5
SIGNAL_LIMIT = 5
SMALL_CELL = 5  # fewer people than this in an aggregate and it is not shown
FIRST_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class DigestUpdate:
    update_id: int
    project_id: int | None
    project_title: str | None
    author_id: str | None  # None when the author opted out of being named or asked to be forgotten
    stage: str | None  # plan | do | study | act
    progress: Decimal | None
    summary: str  # the first line of what they tried
    help_wanted: str | None
    kudos: int
    channel_id: str | None
    ts: str | None
    permalink: str | None


@dataclass(frozen=True)
class ProjectUpdates:
    project_id: int | None  # None groups updates shared without a project
    title: str | None
    updates: tuple[DigestUpdate, ...]  # oldest first


@dataclass(frozen=True)
class NewProject:
    project_id: int
    title: str
    owner_id: str | None  # None when the owner opted out of being named
    channel_id: str | None
    thread_ts: str | None


@dataclass(frozen=True)
class WeeklyDigest:
    since: datetime
    until: datetime
    update_count: int
    project_count: int  # projects with at least one update in the window
    projects: tuple[ProjectUpdates, ...]  # the newest UPDATE_LIMIT updates, most recently active project first
    new_project_count: int
    new_projects: tuple[NewProject, ...]
    help_wanted: tuple[DigestUpdate, ...]
    most_kudos: tuple[DigestUpdate, ...]
    new_matches: int
    open_requests: int
    named_matches: tuple[tuple[str, str], ...]  # (mentor, mentee) where both agreed to be named
    mentors_with_room: int
    named_mentors: tuple[str, ...]  # mentors with room who agreed to be named
    cpd_hours: Decimal | None  # None when fewer than SMALL_CELL members logged CPD
    cpd_members: int | None
    signals: tuple[NewSignal, ...] = ()  # run-chart signals of improvement found this week

    @property
    def is_empty(self) -> bool:
        """Nothing new happened: post an encouragement instead of a digest."""
        return not (self.update_count or self.new_project_count or self.new_matches or self.signals)


async def build_weekly_digest(session: AsyncSession, team_id: str, since: datetime, until: datetime) -> WeeklyDigest:
    """Everything the digest for [since, until) shows, scoped to `team_id`."""
    in_window = and_(QiUpdate.team_id == team_id, QiUpdate.post_status == "posted",
                     QiUpdate.created_at >= since, QiUpdate.created_at < until)
    new_project = and_(QiProject.team_id == team_id, QiProject.created_at >= since, QiProject.created_at < until)
    room = _mentors_with_room(team_id)

    # CPD has no index on when an entry was logged, so both of its aggregates come from one scan.
    cpd = (select(func.count(distinct(CpdEntry.member_id)).label("members"), func.sum(CpdEntry.hours).label("hours"))
           .where(CpdEntry.team_id == team_id, CpdEntry.created_at >= since, CpdEntry.created_at < until).subquery())
    counts = (await session.execute(select(
        _count(select(func.count()).where(in_window)),
        _count(select(func.count(distinct(QiUpdate.project_id))).where(in_window)),
        _count(select(func.count()).where(new_project)),
        _count(select(func.count()).where(Mentorship.team_id == team_id, Mentorship.started_at >= since,
                                          Mentorship.started_at < until)),
        _count(select(func.count()).where(MentorshipRequest.team_id == team_id,
                                          MentorshipRequest.status.in_(OPEN_STATUSES))),
        _count(select(func.count()).select_from(room.subquery())),
        cpd.c.members, cpd.c.hours,
    ).select_from(cpd))).one()
    update_count, project_count, new_project_count, new_matches, open_requests, mentor_count, cpd_members, hours = counts

    recent = await _updates(session, team_id, in_window, limit=UPDATE_LIMIT)
    help_wanted = await _updates(session, team_id, in_window, limit=HELP_WANTED_LIMIT,
                                 only=func.length(QiUpdate.help_wanted) > 0)
    most_kudos = await _updates(session, team_id, in_window, limit=MOST_KUDOS_LIMIT, by_kudos=True)

    owner = aliased(Member)
    new_projects = (await session.execute(
        select(QiProject.id, QiProject.title, QiProject.owner_id, _named(owner.name_in_digest_shares, True),
               QiProject.channel_id, QiProject.thread_ts)
        .outerjoin(owner, _member_of(owner, team_id, QiProject.owner_id))
        .where(new_project).order_by(QiProject.created_at, QiProject.id).limit(NEW_PROJECT_LIMIT))).all()

    mentor, mentee = aliased(Member), aliased(Member)
    named_matches = (await session.execute(
        select(Mentorship.mentor_id, Mentorship.mentee_id)
        .join(mentor, _member_of(mentor, team_id, Mentorship.mentor_id))
        .join(mentee, _member_of(mentee, team_id, Mentorship.mentee_id))
        .where(Mentorship.team_id == team_id, Mentorship.started_at >= since, Mentorship.started_at < until,
               mentor.name_in_digest_mentoring.is_(true()), mentee.name_in_digest_mentoring.is_(true()))
        .order_by(Mentorship.started_at, Mentorship.id).limit(NAMED_LIMIT))).all()

    room_rows = room.subquery()
    consenting = aliased(Member)
    named_mentors = (await session.scalars(
        select(room_rows.c.slack_user_id)
        .join(consenting, _member_of(consenting, team_id, room_rows.c.slack_user_id))
        .where(consenting.name_in_digest_mentoring.is_(true()))
        .order_by(room_rows.c.free.desc(), room_rows.c.slack_user_id).limit(NAMED_LIMIT))).all()

    shown_cpd = cpd_members >= SMALL_CELL
    return WeeklyDigest(
        since=since, until=until, update_count=update_count, project_count=project_count,
        projects=_by_project(recent), new_project_count=new_project_count,
        new_projects=tuple(NewProject(row.id, row.title, row.owner_id if row.named else None, row.channel_id,
                                      row.thread_ts) for row in new_projects),
        help_wanted=tuple(help_wanted), most_kudos=tuple(most_kudos), new_matches=new_matches,
        open_requests=open_requests, named_matches=tuple((row[0], row[1]) for row in named_matches),
        mentors_with_room=mentor_count, named_mentors=tuple(named_mentors),
        cpd_hours=Decimal(hours or 0) if shown_cpd else None, cpd_members=cpd_members if shown_cpd else None,
        signals=tuple((await signals_between(session, team_id, since, until))[:SIGNAL_LIMIT]))


async def digest_until(runtime: Runtime, team_id: str, until: datetime) -> WeeklyDigest:
    """The digest covering the time since the last digest up to `until`."""
    async with runtime.db.session() as session:
        return await build_weekly_digest(session, team_id, await digest_window_start(session, team_id, until), until)


async def digest_window_start(session: AsyncSession, team_id: str, until: datetime) -> datetime:
    """A digest covers the time since the previous one ended (a skipped week rolls into the next),
    or the last week for the first digest."""
    previous = await latest_detail(session, team_id, DIGEST)
    if previous and "until" in previous:
        return min(datetime.fromisoformat(previous["until"]), until)
    return until - FIRST_WINDOW


def _count(query: Any) -> Any:
    return query.scalar_subquery()


def _member_of(member: Any, team_id: str, user_id: Any) -> Any:
    return and_(member.team_id == team_id, member.slack_user_id == user_id)


def _named(flag: Any, default: bool) -> Any:
    """A member's naming consent; people without a member row get the column's default."""
    return func.coalesce(flag, default).label("named")


def _mentors_with_room(team_id: str) -> Any:
    active = (select(Mentorship.mentor_id, func.count().label("n"))
              .where(Mentorship.team_id == team_id, Mentorship.status == "active")
              .group_by(Mentorship.mentor_id).subquery())
    free = (MentorProfile.capacity - func.coalesce(active.c.n, 0)).label("free")
    return (select(MentorProfile.slack_user_id, free)
            .outerjoin(active, active.c.mentor_id == MentorProfile.slack_user_id)
            .where(MentorProfile.team_id == team_id, MentorProfile.accepting.is_(true()),
                   MentorProfile.capacity - func.coalesce(active.c.n, 0) > 0))


async def _updates(session: AsyncSession, team_id: str, in_window: Any, *, limit: int, only: Any = None,
                   by_kudos: bool = False) -> list[DigestUpdate]:
    """Updates in the window with their project, author consent and kudos count, in one statement:
    the newest first, or with `by_kudos` the most appreciated (at least one kudos) first."""
    author = aliased(Member)
    # Kudos an author gave their own update are not appreciation: they never count.
    kudos = (select(Kudos.update_id, func.count().label("n")).join(QiUpdate, QiUpdate.id == Kudos.update_id)
             .where(in_window, or_(QiUpdate.author_id.is_(None), Kudos.slack_user_id != QiUpdate.author_id))
             .group_by(Kudos.update_id).subquery())
    query = (
        select(QiUpdate.id, QiUpdate.project_id, QiProject.title, QiUpdate.author_id,
               _named(author.name_in_digest_shares, True),
               func.coalesce(QiUpdate.pdsa_stage, QiProject.pdsa_stage).label("stage"),
               func.coalesce(QiUpdate.progress_score, QiProject.progress_score).label("progress"),
               QiUpdate.tried, QiUpdate.help_wanted, func.coalesce(kudos.c.n, 0).label("kudos"),
               QiUpdate.channel_id, QiUpdate.ts, QiUpdate.permalink)
        .outerjoin(QiProject, and_(QiProject.id == QiUpdate.project_id, QiProject.team_id == team_id))
        .outerjoin(author, _member_of(author, team_id, QiUpdate.author_id))
        .outerjoin(kudos, kudos.c.update_id == QiUpdate.id)
        .where(in_window).limit(limit))
    if only is not None:
        query = query.where(only)
    newest = (QiUpdate.created_at.desc(), QiUpdate.id.desc())
    query = query.where(kudos.c.n > 0).order_by(kudos.c.n.desc(), *newest) if by_kudos else query.order_by(*newest)
    rows = (await session.execute(query)).all()
    return [DigestUpdate(update_id=row.id, project_id=row.project_id, project_title=row.title,
                         author_id=row.author_id if row.named else None, stage=row.stage,
                         progress=Decimal(row.progress) if row.progress is not None else None,
                         summary=first_line(row.tried, 200), help_wanted=row.help_wanted, kudos=row.kudos,
                         channel_id=row.channel_id, ts=row.ts, permalink=row.permalink) for row in rows]


def _by_project(newest_first: list[DigestUpdate]) -> tuple[ProjectUpdates, ...]:
    groups: dict[int | None, list[DigestUpdate]] = {}
    for item in newest_first:
        groups.setdefault(item.project_id, []).append(item)
    return tuple(ProjectUpdates(project_id=project_id, title=items[0].project_title, updates=tuple(reversed(items)))
                 for project_id, items in groups.items())
