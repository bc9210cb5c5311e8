"""What a member's App Home shows: their QI projects, their mentoring and their CPD standing.

Plain data for handlers/home to render. Every query is scoped by team and by the member, so a Home
only ever shows its owner's projects, requests and CPD entries. Lists are cut to their latest few:
a Home view holds at most 100 blocks, and the "see all" commands show the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.members import ensure_member, get_member, member_today
from bot.core.runtime import Runtime
from bot.cpd.entries import CpdProfile, Standing, entries_between
from bot.cpd.progress import progress
from bot.mentoring import vocabulary as mentor_vocabulary
from bot.mentoring.requests import OPEN_STATUSES
from bot.sharing.projects import projects_of
from bot.sharing.updates import last_update_at
from storage.models import Member, MentorProfile, Mentorship, MentorshipRequest

# Shown on Home; the rest is one command away. Keeps a busy member's Home far under 100 blocks.
PROJECTS_SHOWN = 5
REQUESTS_SHOWN = 5
MENTORSHIPS_SHOWN = 6


@dataclass(frozen=True)
class HomeProject:
    id: int
    title: str
    pdsa_stage: str
    progress_score: Decimal
    status: str
    last_update_at: datetime | None
    slug: str = ""
    has_measures: bool = False  # so the Home offers its run chart


@dataclass(frozen=True)
class HomeMentorship:
    id: int
    role: str  # "mentor" (I mentor them) or "mentee" (they mentor me)
    other_id: str
    kind: str
    checkin_due_at: datetime | None


@dataclass(frozen=True)
class HomeRequest:
    id: int
    kind: str
    status: str
    topics: tuple[str, ...]  # topic names, for people
    created_at: datetime


@dataclass(frozen=True)
class MentorStanding:
    capacity: int
    active_mentees: int
    accepting: bool


@dataclass(frozen=True)
class HomeData:
    user_id: str
    first_visit: bool
    projects: tuple[HomeProject, ...]
    project_count: int
    mentorships: tuple[HomeMentorship, ...]
    mentorship_count: int
    requests: tuple[HomeRequest, ...]
    request_count: int
    mentor: MentorStanding | None
    cpd: Standing


async def record_visit(runtime: Runtime, team_id: str, user_id: str) -> bool:
    """Note that the member opened their Home; True the first time (they get the welcome)."""
    async with runtime.db.session() as session, session.begin():
        member = await ensure_member(runtime, session, team_id, user_id)
        first = member.home_seen_at is None
        member.home_seen_at = runtime.clock.now()
    return first


async def _projects(session: AsyncSession, team_id: str, user_id: str) -> tuple[list[HomeProject], int]:
    projects = await projects_of(session, team_id, user_id)
    shown = projects[:PROJECTS_SHOWN]
    last_updates = await last_update_at(session, [p.id for p in shown])
    return [HomeProject(p.id, p.title, p.pdsa_stage, p.progress_score, p.status, last_updates.get(p.id),
                        p.slug, bool(p.measures)) for p in shown], len(projects)


async def _mentorships(session: AsyncSession, team_id: str, user_id: str) -> tuple[list[HomeMentorship], int]:
    mine = ((Mentorship.team_id == team_id) & (Mentorship.status == "active")
            & or_(Mentorship.mentor_id == user_id, Mentorship.mentee_id == user_id))
    # Their own mentor first (False sorts first on both databases), then their newest mentees.
    rows = (await session.scalars(select(Mentorship).where(mine)
                                  .order_by(Mentorship.mentee_id != user_id, Mentorship.started_at.desc(),
                                            Mentorship.id.desc())
                                  .limit(MENTORSHIPS_SHOWN))).all()
    total = await session.scalar(select(func.count()).select_from(Mentorship).where(mine))
    return [HomeMentorship(m.id, "mentor" if m.mentor_id == user_id else "mentee",
                           m.mentee_id if m.mentor_id == user_id else m.mentor_id, m.kind, m.checkin_due_at)
            for m in rows], total or 0


async def _requests(session: AsyncSession, team_id: str, user_id: str) -> tuple[list[HomeRequest], int]:
    pending = ((MentorshipRequest.team_id == team_id) & (MentorshipRequest.mentee_id == user_id)
               & MentorshipRequest.status.in_(OPEN_STATUSES))
    rows = (await session.scalars(select(MentorshipRequest).where(pending)
                                  .order_by(MentorshipRequest.created_at.desc(), MentorshipRequest.id.desc())
                                  .limit(REQUESTS_SHOWN))).all()
    total = await session.scalar(select(func.count()).select_from(MentorshipRequest).where(pending))
    return [HomeRequest(r.id, r.kind, r.status, mentor_vocabulary.topic_names(r.topics), r.created_at) for r in rows], total or 0


async def _mentor(session: AsyncSession, team_id: str, user_id: str) -> MentorStanding | None:
    profile = await session.scalar(select(MentorProfile).where(MentorProfile.team_id == team_id,
                                                               MentorProfile.slack_user_id == user_id))
    if profile is None:
        return None
    active = await session.scalar(select(func.count()).select_from(Mentorship).where(
        Mentorship.team_id == team_id, Mentorship.mentor_id == user_id, Mentorship.status == "active",
        Mentorship.kind == "formal"))  # capacity counts formal mentees, as matching does
    return MentorStanding(profile.capacity, active or 0, profile.accepting)


async def _standing(runtime: Runtime, team_id: str, member: Member) -> Standing:
    """Like bot.cpd.entries.progress_for, from a member row we already hold.

    progress_for creates a missing member; Home refreshes run in the background and may race with
    forget-me, so they must never bring a forgotten member's row back.
    """
    profile = CpdProfile(member.cpd_framework, member.cpd_cycle_start_year, member.cpd_annual_goal,
                         member_today(runtime, member))
    year = profile.rules.year_of(profile.today)
    _, start, end = profile.cycle_containing(year)
    entries = await entries_between(runtime, team_id, member.slack_user_id, start, end)
    return Standing(profile, progress(profile.as_member(), year, entries, profile.today), entries)


async def load_home(runtime: Runtime, team_id: str, user_id: str, *, first_visit: bool = False,
                    if_opened: bool = False) -> HomeData | None:
    """The member's Home, or None for someone with no member row (never used the app, or forgotten),
    or with `if_opened`, for someone who has never opened their Home: the first visit builds it."""
    # Reads only, and every change asks (most often to learn the Home was never opened): no transaction.
    async with runtime.db.autocommit() as session:
        member = await get_member(session, team_id, user_id)
        if member is None or (if_opened and member.home_seen_at is None):
            return None
        projects, project_count = await _projects(session, team_id, user_id)
        mentorships, mentorship_count = await _mentorships(session, team_id, user_id)
        requests, request_count = await _requests(session, team_id, user_id)
        mentor = await _mentor(session, team_id, user_id)
    cpd = await _standing(runtime, team_id, member)
    return HomeData(user_id=user_id, first_visit=first_visit, projects=tuple(projects), project_count=project_count,
                    mentorships=tuple(mentorships), mentorship_count=mentorship_count, requests=tuple(requests),
                    request_count=request_count, mentor=mentor, cpd=cpd)
