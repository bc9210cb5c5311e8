"""Running mentorships: the start, logged meetings, check-ins, the end and feedback.

Contact keeps a pair off the check-in list: each logged meeting moves the next check-in (one nudge
row per person, so each gets it in their own working hours) a full interval away. Private notes
on a meeting are returned to their writer only.

An ended mentorship takes no more meetings or snoozes. Every message we posted with the pair's
buttons (the kick-off, each check-in) is remembered as it is sent, so the end can rewrite them all:
an old "Log a meeting" button must not outlive the mentorship.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import nudges
from bot.core.audit import record
from bot.core.phi import guard
from bot.core.runtime import Runtime
from storage.models import (
    Mentorship,
    MentorshipFeedback,
    MentorshipMeeting,
    MentorshipMessage,
    MentorshipRequest,
)

CHECKIN_NUDGE = "mentorship_checkin"
SNOOZE = timedelta(days=7)
MIN_MEETING_MINUTES = 5
MAX_MEETING_MINUTES = 600
FIT_SCORES = range(1, 6)
GOALS_MET = ("yes", "partly", "no")
KICKOFF, CHECKIN = "kickoff", "checkin"  # the messages that carry the pair's buttons


@dataclass(frozen=True)
class MentorshipInfo:
    id: int
    team_id: str
    mentor_id: str
    mentee_id: str
    kind: str
    status: str
    group_channel_id: str | None
    started_at: datetime
    last_contact_at: datetime | None
    topics: tuple[str, ...]
    goal: str | None
    cadence: str | None
    needs: str | None
    ended_by: str | None
    ended_at: datetime | None = None

    def includes(self, user_id: str) -> bool:
        return user_id in (self.mentor_id, self.mentee_id)

    def other(self, user_id: str) -> str:
        return self.mentee_id if user_id == self.mentor_id else self.mentor_id


@dataclass(frozen=True)
class Refused:
    reason: str  # not_found | not_yours | ended | active
    ended_at: datetime | None = None  # for "ended": when, so the refusal can say so


@dataclass(frozen=True)
class PairMessage:
    """A message with the pair's buttons: the kick-off (in their group DM) or one person's check-in."""

    kind: str  # kickoff | checkin
    user_id: str | None  # whose DM a check-in is in
    channel_id: str
    ts: str


@dataclass(frozen=True)
class Ended:
    mentorship: MentorshipInfo
    messages: tuple[PairMessage, ...]  # to rewrite without their buttons
    queued: tuple[int, ...] = ()  # outbox ids of what the end caused (see EndAnnounce)


# Queues, in the end's own transaction, the DMs and message updates the end causes; returns outbox ids.
EndAnnounce = Callable[[AsyncSession, Ended], Awaitable[list[int]]]


@dataclass(frozen=True)
class MeetingInput:
    met_on: date
    minutes: int
    topics: tuple[str, ...]
    private_notes: str | None


@dataclass(frozen=True)
class MeetingLogged:
    mentorship: MentorshipInfo
    meeting_id: int
    logged_by: str
    meeting: MeetingInput


async def start(runtime: Runtime, session: AsyncSession, *, request: MentorshipRequest, mentor_id: str,
                now: datetime) -> Mentorship:
    """Start the pair's mentorship in the caller's transaction; formal pairs get check-ins."""
    mentorship = Mentorship(team_id=request.team_id, request_id=request.id, mentor_id=mentor_id,
                            mentee_id=request.mentee_id, kind=request.kind, status="active", started_at=now,
                            last_contact_at=now)
    session.add(mentorship)
    await session.flush()
    if request.kind == "formal":
        await _schedule_checkins(runtime, session, mentorship, now + _checkin_interval(runtime))
    return mentorship


async def note_group_channel(session: AsyncSession, mentorship_id: int, channel_id: str) -> None:
    await session.execute(update(Mentorship).where(Mentorship.id == mentorship_id)
                          .values(group_channel_id=channel_id))


async def note_pair_message(session: AsyncSession, *, team_id: str, mentorship_id: int, kind: str,
                            user_id: str | None, channel_id: str, ts: str) -> None:
    """Remember where a message with the pair's buttons went (in the transaction that marks it sent)."""
    known = await session.scalar(select(MentorshipMessage.id).where(MentorshipMessage.channel_id == channel_id,
                                                                   MentorshipMessage.ts == ts))
    if known is None:
        session.add(MentorshipMessage(team_id=team_id, mentorship_id=mentorship_id, kind=kind,
                                      slack_user_id=user_id, channel_id=channel_id, ts=ts))


async def mentorship_info(runtime: Runtime, *, team_id: str, mentorship_id: int) -> MentorshipInfo | None:
    async with runtime.db.session() as session:
        return await info_in(session, team_id, mentorship_id)


async def info_in(session: AsyncSession, team_id: str, mentorship_id: int) -> MentorshipInfo | None:
    """The mentorship as plain data, read in the caller's session (e.g. an outbox hook's)."""
    mentorship = await _mentorship(session, team_id, mentorship_id)
    return await _info(session, mentorship) if mentorship else None


async def log_meeting(runtime: Runtime, *, team_id: str, user_id: str, mentorship_id: int,
                      meeting: MeetingInput) -> MeetingLogged | Refused:
    """Store a meeting one of the pair logged and push the next check-in a full interval away. An ended
    mentorship takes no more meetings (a modal opened before the end may be submitted after it)."""
    meeting = replace(meeting, **guard(runtime.settings.staff_email_domains, private_notes=meeting.private_notes))
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        mentorship = await _mentorship(session, team_id, mentorship_id)
        if refused := _refusal(mentorship, user_id):
            return refused
        assert mentorship is not None
        row = MentorshipMeeting(team_id=team_id, mentorship_id=mentorship_id, logged_by=user_id,
                                met_on=meeting.met_on, minutes=meeting.minutes, topics=list(meeting.topics),
                                private_notes=meeting.private_notes, created_at=now)
        session.add(row)
        mentorship.last_contact_at = now
        if mentorship.kind == "formal":
            await _schedule_checkins(runtime, session, mentorship, now + _checkin_interval(runtime))
        await session.flush()
        record(session, team_id=team_id, actor_id=user_id, action="mentorship.meeting_logged",
               subject=f"mentorship:{mentorship_id}", at=now, detail={"minutes": meeting.minutes})
        outcome = MeetingLogged(await _info(session, mentorship), row.id, user_id, meeting)
    _changed(runtime, outcome.mentorship)
    return outcome


async def snooze_checkin(runtime: Runtime, *, team_id: str, user_id: str,
                         mentorship_id: int) -> MentorshipInfo | Refused:
    """Ask again in a week, for both people."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        mentorship = await _mentorship(session, team_id, mentorship_id)
        refusal = _refusal(mentorship, user_id)
        if refusal is not None:
            return refusal
        assert mentorship is not None
        await _schedule_checkins(runtime, session, mentorship, now + SNOOZE)
        info = await _info(session, mentorship)
    _changed(runtime, info)
    return info


async def end_mentorship(runtime: Runtime, *, team_id: str, user_id: str, mentorship_id: int,
                         announce: EndAnnounce | None = None) -> Ended | Refused:
    """End an active mentorship (either person may); a second click changes nothing. What the end causes
    (the DMs saying so, the old messages losing their buttons) is queued with it by `announce`."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        ended = await session.execute(
            update(Mentorship)
            .where(Mentorship.id == mentorship_id, Mentorship.team_id == team_id, Mentorship.status == "active",
                   or_(Mentorship.mentor_id == user_id, Mentorship.mentee_id == user_id))
            .values(status="ended", ended_at=now, ended_by=user_id, checkin_due_at=None))
        mentorship = await _mentorship(session, team_id, mentorship_id)
        if ended.rowcount != 1:
            return _refusal(mentorship, user_id) or Refused("ended")
        assert mentorship is not None
        await nudges.cancel(session, team_id=team_id, kind=CHECKIN_NUDGE, subject_key=_subject(mentorship_id))
        record(session, team_id=team_id, actor_id=user_id, action="mentorship.ended",
               subject=f"mentorship:{mentorship_id}", at=now)
        messages = (await session.scalars(select(MentorshipMessage).where(
            MentorshipMessage.mentorship_id == mentorship_id).order_by(MentorshipMessage.id))).all()
        outcome = Ended(await _info(session, mentorship),
                        tuple(PairMessage(m.kind, m.slack_user_id, m.channel_id, m.ts) for m in messages))
        if announce is not None:
            outcome = replace(outcome, queued=tuple(await announce(session, outcome)))
    _changed(runtime, outcome.mentorship)
    return outcome


@dataclass(frozen=True)
class FeedbackInput:
    fit: int
    goals_met: str
    comment: str | None


async def save_feedback(runtime: Runtime, *, team_id: str, user_id: str, mentorship_id: int,
                        feedback: FeedbackInput) -> MentorshipInfo | Refused:
    """Keep one person's feedback on an ended mentorship (sending it again replaces it)."""
    feedback = replace(feedback, **guard(runtime.settings.staff_email_domains, comment=feedback.comment))
    if feedback.fit not in FIT_SCORES or feedback.goals_met not in GOALS_MET:
        raise ValueError("fit must be 1-5 and goals met yes, partly or no")
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        mentorship = await _pair_of(session, team_id, mentorship_id, user_id)
        if isinstance(mentorship, Refused):
            return mentorship
        if mentorship.status != "ended":
            return Refused("active")
        values = dict(fit=feedback.fit, goals_met=feedback.goals_met, comment=feedback.comment, created_at=now)
        moved = await session.execute(
            update(MentorshipFeedback)
            .where(MentorshipFeedback.mentorship_id == mentorship_id, MentorshipFeedback.slack_user_id == user_id)
            .values(**values))
        if not moved.rowcount:
            try:
                async with session.begin_nested():
                    session.add(MentorshipFeedback(team_id=team_id, mentorship_id=mentorship_id,
                                                   slack_user_id=user_id, **values))
            except IntegrityError:  # a double submit: the first one stands, updated with the same answers
                await session.execute(
                    update(MentorshipFeedback)
                    .where(MentorshipFeedback.mentorship_id == mentorship_id,
                           MentorshipFeedback.slack_user_id == user_id).values(**values))
        record(session, team_id=team_id, actor_id=user_id, action="mentorship.feedback",
               subject=f"mentorship:{mentorship_id}", at=now)
        return await _info(session, mentorship)


async def schedule_next_checkin(runtime: Runtime, session: AsyncSession, *, team_id: str, user_id: str,
                                mentorship_id: int) -> None:
    """As a check-in goes out (in its nudge's transaction), owe this person the next one a full interval later."""
    await nudges.schedule(session, team_id=team_id, user_id=user_id, kind=CHECKIN_NUDGE,
                          subject_key=_subject(mentorship_id), due_at=runtime.clock.now() + _checkin_interval(runtime))


def mentorship_id_of(subject_key: str) -> int:
    return int(subject_key.split(":", 1)[1])


# --- internals --------------------------------------------------------------------------------------------


def _subject(mentorship_id: int) -> str:
    return f"mentorship:{mentorship_id}"


def _checkin_interval(runtime: Runtime) -> timedelta:
    return timedelta(days=runtime.settings.mentor_checkin_days)


async def _schedule_checkins(runtime: Runtime, session: AsyncSession, mentorship: Mentorship,
                             due_at: datetime) -> None:
    mentorship.checkin_due_at = due_at
    for user_id in (mentorship.mentor_id, mentorship.mentee_id):
        await nudges.schedule(session, team_id=mentorship.team_id, user_id=user_id, kind=CHECKIN_NUDGE,
                              subject_key=_subject(mentorship.id), due_at=due_at)


async def _mentorship(session: AsyncSession, team_id: str, mentorship_id: int) -> Mentorship | None:
    return await session.scalar(select(Mentorship).where(Mentorship.id == mentorship_id,
                                                         Mentorship.team_id == team_id)
                                .execution_options(populate_existing=True))


async def _pair_of(session: AsyncSession, team_id: str, mentorship_id: int, user_id: str) -> Mentorship | Refused:
    """The mentorship, if `user_id` is one of the pair (ids in buttons can be forged)."""
    mentorship = await _mentorship(session, team_id, mentorship_id)
    if refused := _outsider(mentorship, user_id):
        return refused
    assert mentorship is not None
    return mentorship


def _outsider(mentorship: Mentorship | None, user_id: str) -> Refused | None:
    """Refuse a mentorship that is not in this workspace, or that the person is not part of (forged ids)."""
    if mentorship is None:
        return Refused("not_found")
    if user_id not in (mentorship.mentor_id, mentorship.mentee_id):
        return Refused("not_yours")
    return None


def _refusal(mentorship: Mentorship | None, user_id: str) -> Refused | None:
    if refused := _outsider(mentorship, user_id):
        return refused
    assert mentorship is not None
    return Refused("ended", mentorship.ended_at) if mentorship.status != "active" else None


async def _info(session: AsyncSession, mentorship: Mentorship) -> MentorshipInfo:
    request = await session.get(MentorshipRequest, mentorship.request_id) if mentorship.request_id else None
    return MentorshipInfo(
        id=mentorship.id, team_id=mentorship.team_id, mentor_id=mentorship.mentor_id,
        mentee_id=mentorship.mentee_id, kind=mentorship.kind, status=mentorship.status,
        group_channel_id=mentorship.group_channel_id, started_at=mentorship.started_at,
        last_contact_at=mentorship.last_contact_at, topics=tuple(request.topics) if request else (),
        goal=request.goal if request else None, cadence=request.cadence if request else None,
        needs=request.needs if request else None, ended_by=mentorship.ended_by, ended_at=mentorship.ended_at)


def _changed(runtime: Runtime, info: MentorshipInfo) -> None:
    runtime.member_changed(info.team_id, info.mentor_id)
    runtime.member_changed(info.team_id, info.mentee_id)
