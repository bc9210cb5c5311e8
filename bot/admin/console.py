"""What the admin console shows and changes: the escalation inbox and the mentor roster.

Admins only: callers check `handlers.admin.guard.refuse_non_admin` on the server first. Nothing here
shows anyone's CPD data; the roster is counts and capacity, the inbox is requests nobody has taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.audit import record
from bot.core.runtime import Runtime
from bot.mentoring.matching import MentorCandidate
from bot.mentoring.profiles import get_profile, mentor_candidates
from bot.mentoring.requests import OPEN_STATUSES
from bot.mentoring.vocabulary import topic_names
from storage.models import MentorshipRequest

INBOX_SHOWN = 15
ROSTER_SHOWN = 25
MAX_CAPACITY = 20


@dataclass(frozen=True)
class WaitingRequest:
    id: int
    mentee_id: str
    kind: str
    topics: tuple[str, ...]
    status: str
    created_at: datetime
    escalated_at: datetime | None


@dataclass(frozen=True)
class Roster:
    mentors: tuple[MentorCandidate, ...]  # fullest first is least useful: most free places first
    accepting: int
    capacity: int  # places offered by mentors who accept new mentees
    used: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.used, 0)


@dataclass(frozen=True)
class Console:
    """What the admin console lists: the first requests waiting, how many wait in all, the roster."""

    inbox: tuple[WaitingRequest, ...]
    waiting: int
    roster: Roster


@dataclass(frozen=True)
class MentorLoad:
    capacity: int
    accepting: bool


async def console(runtime: Runtime, team_id: str) -> Console:
    async with runtime.db.session() as session:
        inbox, waiting = await escalation_inbox(session, team_id)
        return Console(tuple(inbox), waiting, await roster(session, team_id, runtime.clock.now()))


async def mentor_load(runtime: Runtime, team_id: str, mentor_id: str) -> MentorLoad | None:
    """A mentor's places and whether they accept new mentees; None when they are no longer a mentor."""
    async with runtime.db.session() as session:
        profile = await get_profile(session, team_id, mentor_id)
    return None if profile is None else MentorLoad(profile.capacity, profile.accepting)


async def escalation_inbox(session: AsyncSession, team_id: str) -> tuple[list[WaitingRequest], int]:
    """Requests nobody could take (unmatched) or that waited too long (escalated), oldest first."""
    waiting = ((MentorshipRequest.team_id == team_id) & MentorshipRequest.status.in_(OPEN_STATUSES)
               & or_(MentorshipRequest.status == "unmatched", MentorshipRequest.escalated_at.is_not(None)))
    rows = (await session.scalars(select(MentorshipRequest).where(waiting)
                                  .order_by(MentorshipRequest.created_at, MentorshipRequest.id))).all()
    return [WaitingRequest(r.id, r.mentee_id, r.kind, topic_names(r.topics), r.status, r.created_at, r.escalated_at)
            for r in rows[:INBOX_SHOWN]], len(rows)


async def roster(session: AsyncSession, team_id: str, now: datetime) -> Roster:
    mentors = await mentor_candidates(session, team_id, now)
    open_ = [m for m in mentors if m.accepting]
    ordered = sorted(mentors, key=lambda m: (not m.accepting, m.active_mentees - m.capacity, m.user_id))
    return Roster(tuple(ordered), len(open_), sum(m.capacity for m in open_), sum(m.active_mentees for m in open_))


async def set_mentor_load(runtime: Runtime, *, team_id: str, mentor_id: str, capacity: int, accepting: bool,
                          admin_id: str) -> bool:
    """An admin changes a mentor's places or pauses them; False when they are no longer a mentor."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        profile = await get_profile(session, team_id, mentor_id)
        if profile is None:
            return False
        profile.capacity, profile.accepting, profile.updated_at = capacity, accepting, now
        record(session, team_id=team_id, actor_id=admin_id, action="admin.mentor_load", subject=f"mentor:{mentor_id}",
               at=now, detail={"capacity": capacity, "accepting": accepting})
    return True
