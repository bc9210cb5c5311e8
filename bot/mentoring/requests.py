"""Mentoring requests, as database services: shortlists, offers and their answers (profiles: profiles.py).

A request moves shortlisted -> offered -> matched (formal) or claimed (informal), or ends withdrawn;
it is unmatched when nobody fits. Every change that two people could make at once (two mentors
claiming one question, a mentor accepting while the mentee withdraws, a double click) starts with
a conditional UPDATE of the request row and checks its rowcount: the first writer wins and everyone
else gets a "stale" answer that changes nothing. Taking the request row first in every path also
fixes the lock order, so PostgreSQL never deadlocks two of them.

Services return plain data (RequestInfo, CandidateInfo and outcomes); handlers render and send it.
Free text is PHI-checked here, before anything is stored, whatever the caller checked already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import nudges
from bot.core.audit import record
from bot.core.members import ensure_member
from bot.core.phi import guard
from bot.core.runtime import Runtime
from bot.mentoring import pairs as mentorships
from bot.mentoring.matching import Match, MentorRequestSpec, match_mentors
from bot.mentoring.profiles import get_profile, mentor_candidates
from bot.mentoring.vocabulary import match_choice, topics_from_text
from storage.models import Mentorship, MentorshipCandidate, MentorshipRequest

SHORTLIST_SIZE = 3
# A quick question goes to a few mentors first, then once to a wider group (DESIGN: never spam).
INFORMAL_FIRST_WAVE = 3
INFORMAL_WIDEN_WAVE = 5
REMINDER_NUDGE = "mentor_reminder"
OPEN_STATUSES = ("shortlisted", "offered", "unmatched")

_Outcome = TypeVar("_Outcome")
# Queues the DMs an outcome causes (handlers/mentoring/notify.py) in the transaction that makes the change,
# so the two commit together or not at all, and returns their outbox ids: the caller tries them once the
# change is committed, and the outbox sweep sends whatever that attempt missed.
Announce = Callable[[AsyncSession, _Outcome], Awaitable[list[int]]]


# --- plain data handed to handlers ------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestInfo:
    id: int
    team_id: str
    mentee_id: str
    kind: str
    topics: tuple[str, ...]
    needs: str
    goal: str | None
    cadence: str | None
    mode: str | None
    status: str
    created_at: datetime
    widened: bool

    @classmethod
    def of(cls, request: MentorshipRequest) -> RequestInfo:
        return cls(id=request.id, team_id=request.team_id, mentee_id=request.mentee_id, kind=request.kind,
                   topics=tuple(request.topics), needs=request.needs, goal=request.goal, cadence=request.cadence,
                   mode=request.mode, status=request.status, created_at=request.created_at,
                   widened=request.widened_at is not None)


@dataclass(frozen=True)
class CandidateInfo:
    id: int
    request_id: int
    mentor_id: str
    name: str | None
    bio: str | None
    rank: int
    reasons: str  # to the mentee
    mentor_reasons: str | None  # the same, to the mentor (None on offers matched before they were kept)
    status: str
    offered_at: datetime | None
    decline_reason: str | None
    dm_channel_id: str | None
    dm_ts: str | None


@dataclass(frozen=True)
class Shortlist:
    request: RequestInfo
    candidates: tuple[CandidateInfo, ...]  # shortlisted (formal) or offered (informal), best first
    queued: tuple[int, ...] = ()


@dataclass(frozen=True)
class Stale:
    """Nothing changed: the click came too late, twice, or from the wrong person."""

    reason: str  # not_found | not_yours | accepted | declined | expired | withdrawn | taken | asked | closed
    request: RequestInfo | None = None
    candidate: CandidateInfo | None = None
    winner_id: str | None = None  # who took it, for "taken" and "asked"


@dataclass(frozen=True)
class Offered:
    request: RequestInfo
    candidate: CandidateInfo
    queued: tuple[int, ...] = ()  # outbox ids of the DMs it caused (see Announce)


@dataclass(frozen=True)
class Started:
    """A mentor accepted or claimed: the pair now has a mentorship."""

    request: RequestInfo
    candidate: CandidateInfo
    mentorship_id: int
    superseded: tuple[CandidateInfo, ...]  # other mentors whose DMs now read "claimed by ..."
    queued: tuple[int, ...] = ()


@dataclass(frozen=True)
class Handoff:
    """A mentor declined or let the offer expire; the request moved on (or ran out of mentors)."""

    request: RequestInfo
    left: CandidateInfo
    next: CandidateInfo | None  # None: nobody else fits, the request is unmatched
    queued: tuple[int, ...] = ()


@dataclass(frozen=True)
class Withdrawn:
    request: RequestInfo
    offered: tuple[CandidateInfo, ...]  # mentors who had the request in their DMs
    queued: tuple[int, ...] = ()


@dataclass(frozen=True)
class Widened:
    request: RequestInfo
    added: tuple[CandidateInfo, ...]
    queued: tuple[int, ...] = ()


@dataclass(frozen=True)
class Escalation:
    request: RequestInfo
    tried: tuple[CandidateInfo, ...]
    queued: tuple[int, ...] = ()


# --- requests ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestInput:
    kind: str  # formal | informal
    topics: tuple[str, ...]
    needs: str
    goal: str | None = None
    cadence: str | None = None
    mode: str | None = None
    preferred_discipline: str | None = None
    preferred_career_stage: str | None = None


class NoTopics(Exception):
    """A request names no QI topic, so no mentor could be matched; nothing was stored."""


async def create_request(runtime: Runtime, *, team_id: str, mentee_id: str, ask: RequestInput,
                         announce: Announce[Shortlist] | None = None) -> Shortlist:
    """Store the request and its best mentors: a shortlist to choose from (formal), or the first
    mentors to ask (informal). With nobody to suggest the request is unmatched and due to escalate.

    Raises ContainsPhi (checked first: the mentee hears about the identifier before anything else)
    or NoTopics."""
    ask = replace(ask, **guard(runtime.settings.staff_email_domains, needs=ask.needs, goal=ask.goal))
    if not ask.topics:
        raise NoTopics()
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        request = MentorshipRequest(
            team_id=team_id, mentee_id=mentee_id, kind=ask.kind, topics=list(ask.topics), needs=ask.needs,
            goal=ask.goal, cadence=ask.cadence, mode=ask.mode, preferred_discipline=ask.preferred_discipline,
            preferred_career_stage=ask.preferred_career_stage, status="shortlisted", created_at=now)
        session.add(request)
        await session.flush()
        size = SHORTLIST_SIZE if ask.kind == "formal" else INFORMAL_FIRST_WAVE
        matches = await _match(runtime, session, request, limit=size, exclude=())
        for rank, match in enumerate(matches, start=1):
            session.add(_candidate_row(request, match, rank))
        await session.flush()
        if not matches:
            _mark_unmatched(request, now)
        elif ask.kind == "informal":
            await _open_informal(runtime, session, request, now)
        record(session, team_id=team_id, actor_id=mentee_id, action="mentoring.requested",
               subject=f"mentorship_request:{request.id}", at=now,
               detail={"kind": ask.kind, "candidates": len(matches)})
        shortlist = await _announced(session, await _shortlist(session, request), announce)
    runtime.member_changed(team_id, mentee_id)
    return shortlist


async def ask_person(runtime: Runtime, *, team_id: str, mentee_id: str, person_id: str, needs: str,
                     reasons: str, mentor_reasons: str, announce: Announce[Shortlist] | None = None) -> Shortlist:
    """A quick question to one person the mentee was pointed to (someone behind a similar project, who
    need not be a mentor): the informal flow, with them as its only first candidate. They claim it into a
    group DM like any quick question; unclaimed, it widens to the mentors who offer its topics, if any."""
    needs = guard(runtime.settings.staff_email_domains, needs=needs)["needs"] or ""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        await ensure_member(runtime, session, team_id, mentee_id)
        request = MentorshipRequest(team_id=team_id, mentee_id=mentee_id, kind="informal",
                                    topics=topics_from_text(needs), needs=needs, status="shortlisted", created_at=now)
        session.add(request)
        await session.flush()
        session.add(MentorshipCandidate(team_id=team_id, request_id=request.id, mentor_id=person_id, rank=1, score=1.0,
                                        reasons=reasons, mentor_reasons=mentor_reasons, status="shortlisted"))
        await session.flush()
        await _open_informal(runtime, session, request, now)
        record(session, team_id=team_id, actor_id=mentee_id, action="mentoring.asked_person",
               subject=f"mentorship_request:{request.id}", at=now, detail={"kind": "informal", "candidates": 1})
        shortlist = await _announced(session, await _shortlist(session, request), announce)
    runtime.member_changed(team_id, mentee_id)
    return shortlist


async def ask_mentor(runtime: Runtime, *, team_id: str, mentee_id: str, candidate_id: int,
                     announce: Announce[Offered] | None = None) -> Offered | Stale:
    """The mentee picked a mentor from the shortlist: offer the request to them."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        candidate = await _candidate(session, team_id, candidate_id)
        if candidate is None:
            return Stale("not_found")
        request_id = candidate.request_id
        if not await _take_request(session, team_id, request_id, ("shortlisted",), now,
                                   mentee_id=mentee_id, kind="formal"):
            return await _stale_for_request(session, team_id, request_id, mentee_id=mentee_id)
        request = await _request(session, team_id, request_id)
        assert request is not None
        request.status = "offered"
        request.escalate_due_at = now + timedelta(days=runtime.settings.mentor_escalate_days)
        await _offer(runtime, session, request, candidate, now)
        outcome = await _announced(session, Offered(RequestInfo.of(request), await _candidate_info(session, candidate)),
                                   announce)
    runtime.member_changed(team_id, mentee_id)
    return outcome


async def accept_offer(runtime: Runtime, *, team_id: str, mentor_id: str, candidate_id: int,
                       announce: Announce[Started] | None = None) -> Started | Stale:
    return await _start(runtime, team_id=team_id, mentor_id=mentor_id, candidate_id=candidate_id, kind="formal",
                        announce=announce)


async def claim_question(runtime: Runtime, *, team_id: str, mentor_id: str, candidate_id: int,
                         announce: Announce[Started] | None = None) -> Started | Stale:
    return await _start(runtime, team_id=team_id, mentor_id=mentor_id, candidate_id=candidate_id, kind="informal",
                        announce=announce)


async def _start(runtime: Runtime, *, team_id: str, mentor_id: str, candidate_id: int, kind: str,
                 announce: Announce[Started] | None) -> Started | Stale:
    now = runtime.clock.now()
    try:
        async with runtime.db.session() as session, session.begin():
            candidate = await _candidate(session, team_id, candidate_id)
            if candidate is None or candidate.mentor_id != mentor_id:
                return Stale("not_yours" if candidate else "not_found")
            request_id = candidate.request_id
            # The request row is the one both clicks fight over: exactly one UPDATE matches.
            if not await _take_request(session, team_id, request_id, ("offered",), now, kind=kind):
                raise _Conflict
            taken = await session.execute(
                update(MentorshipCandidate)
                .where(MentorshipCandidate.id == candidate_id, MentorshipCandidate.status == "offered")
                .values(status="accepted" if kind == "formal" else "claimed", responded_at=now))
            if taken.rowcount != 1:
                raise _Conflict
            request = await _request(session, team_id, request_id)
            assert request is not None
            request.status = "matched" if kind == "formal" else "claimed"
            superseded = await _supersede_others(session, request, keep=candidate_id)
            await nudges.cancel(session, team_id=team_id, kind=REMINDER_NUDGE, subject_key=f"candidate:{candidate_id}")
            mentorship = await mentorships.start(runtime, session, request=request, mentor_id=mentor_id, now=now)
            record(session, team_id=team_id, actor_id=mentor_id,
                   action="mentoring.accepted" if kind == "formal" else "mentoring.claimed",
                   subject=f"mentorship_request:{request_id}", at=now)
            candidate = await _candidate(session, team_id, candidate_id)
            assert candidate is not None
            started = Started(RequestInfo.of(request), await _candidate_info(session, candidate), mentorship.id,
                              tuple(superseded))
            outcome = await _announced(session, started, announce)
    except _Conflict:
        return await _stale_after_conflict(runtime, team_id, candidate_id)
    for user_id in (mentor_id, outcome.request.mentee_id, *(c.mentor_id for c in outcome.superseded)):
        runtime.member_changed(team_id, user_id)
    return outcome


async def decline_offer(runtime: Runtime, *, team_id: str, mentor_id: str, candidate_id: int,
                        reason: str | None, announce: Announce[Handoff] | None = None) -> Handoff | Stale:
    """The mentor said no (perhaps with a reason the mentee will see); the request moves on."""
    reason = guard(runtime.settings.staff_email_domains, reason=reason)["reason"]
    return await _hand_on(runtime, team_id=team_id, candidate_id=candidate_id, mentor_id=mentor_id,
                          status="declined", reason=reason, announce=announce)


async def expire_offer(runtime: Runtime, *, team_id: str, candidate_id: int,
                       announce: Announce[Handoff] | None = None) -> Handoff | Stale:
    """The mentor did not answer in time: the request moves to the next mentor."""
    return await _hand_on(runtime, team_id=team_id, candidate_id=candidate_id, mentor_id=None, status="expired",
                          reason=None, announce=announce)


async def _hand_on(runtime: Runtime, *, team_id: str, candidate_id: int, mentor_id: str | None, status: str,
                   reason: str | None, announce: Announce[Handoff] | None) -> Handoff | Stale:
    now = runtime.clock.now()
    try:
        async with runtime.db.session() as session, session.begin():
            candidate = await _candidate(session, team_id, candidate_id)
            if candidate is None or (mentor_id is not None and candidate.mentor_id != mentor_id):
                return Stale("not_yours" if candidate else "not_found")
            request_id = candidate.request_id
            if not await _take_request(session, team_id, request_id, ("offered",), now, kind="formal"):
                raise _Conflict
            answered = await session.execute(
                update(MentorshipCandidate)
                .where(MentorshipCandidate.id == candidate_id, MentorshipCandidate.status == "offered")
                .values(status=status, decline_reason=reason,
                        responded_at=now if status == "declined" else None))
            if answered.rowcount != 1:
                raise _Conflict
            await nudges.cancel(session, team_id=team_id, kind=REMINDER_NUDGE, subject_key=f"candidate:{candidate_id}")
            request = await _request(session, team_id, request_id)
            left = await _candidate(session, team_id, candidate_id)
            assert request is not None and left is not None
            following = await _next_candidate(runtime, session, request)
            if following is None:
                _mark_unmatched(request, now)
            else:
                await _offer(runtime, session, request, following, now)
            record(session, team_id=team_id, actor_id=mentor_id, action=f"mentoring.{status}",
                   subject=f"mentorship_request:{request_id}", at=now)
            handoff = Handoff(RequestInfo.of(request), await _candidate_info(session, left),
                              await _candidate_info(session, following) if following else None)
            outcome = await _announced(session, handoff, announce)
    except _Conflict:
        return await _stale_after_conflict(runtime, team_id, candidate_id)
    runtime.member_changed(team_id, outcome.request.mentee_id)
    runtime.member_changed(team_id, outcome.left.mentor_id)
    if outcome.next is not None:
        runtime.member_changed(team_id, outcome.next.mentor_id)
    return outcome


async def withdraw_request(runtime: Runtime, *, team_id: str, mentee_id: str, request_id: int,
                           announce: Announce[Withdrawn] | None = None) -> Withdrawn | Stale:
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        if not await _take_request(session, team_id, request_id, OPEN_STATUSES, now, mentee_id=mentee_id):
            return await _stale_for_request(session, team_id, request_id, mentee_id=mentee_id)
        request = await _request(session, team_id, request_id)
        assert request is not None
        request.status = "withdrawn"
        offered = await _supersede_others(session, request, keep=None)
        record(session, team_id=team_id, actor_id=mentee_id, action="mentoring.withdrawn",
               subject=f"mentorship_request:{request_id}", at=now)
        outcome = await _announced(session, Withdrawn(RequestInfo.of(request), tuple(offered)), announce)
    runtime.member_changed(team_id, mentee_id)
    return outcome


async def ask_informally(runtime: Runtime, *, team_id: str, mentee_id: str, request_id: int,
                         announce: Announce[Shortlist] | None = None) -> Shortlist | Stale:
    """Turn a formal request (shortlisted or unmatched) into a quick question for informal mentors."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        if not await _take_request(session, team_id, request_id, ("shortlisted", "unmatched"), now,
                                   mentee_id=mentee_id, kind="formal"):
            return await _stale_for_request(session, team_id, request_id, mentee_id=mentee_id)
        request = await _request(session, team_id, request_id)
        assert request is not None
        request.kind, request.status, request.escalate_due_at = "informal", "shortlisted", None
        matches = await _match(runtime, session, request, limit=INFORMAL_FIRST_WAVE, exclude=())
        existing = {c.mentor_id: c for c in await _candidates(session, request)}
        wanted = {m.user_id for m in matches}
        for candidate in existing.values():
            if candidate.mentor_id not in wanted:
                candidate.status = "superseded"
        for rank, match in enumerate(matches, start=1):
            row = existing.get(match.user_id)
            if row is None:
                session.add(_candidate_row(request, match, rank))
            else:
                row.rank, row.score, row.status = rank, match.score, "shortlisted"
                row.reasons, row.mentor_reasons = match.reason_text(), match.mentor_reason_text()
        await session.flush()
        if matches:
            await _open_informal(runtime, session, request, now)
        else:
            _mark_unmatched(request, now)
        shortlist = await _announced(session, await _shortlist(session, request), announce)
    runtime.member_changed(team_id, mentee_id)
    return shortlist


async def widen_question(runtime: Runtime, *, team_id: str, request_id: int,
                         announce: Announce[Widened] | None = None) -> Widened | None:
    """Ask more mentors, once, about a quick question nobody claimed; None if it was widened already."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        widened = await session.execute(
            update(MentorshipRequest)
            .where(MentorshipRequest.id == request_id, MentorshipRequest.team_id == team_id,
                   MentorshipRequest.kind == "informal", MentorshipRequest.status == "offered",
                   MentorshipRequest.widened_at.is_(None))
            .values(widened_at=now, updated_at=now,
                    escalate_due_at=now + timedelta(hours=runtime.settings.informal_widen_hours)))
        if widened.rowcount != 1:
            return None
        request = await _request(session, team_id, request_id)
        assert request is not None
        asked = [c.mentor_id for c in await _candidates(session, request)]
        matches = await _match(runtime, session, request, limit=INFORMAL_WIDEN_WAVE, exclude=asked)
        added: list[MentorshipCandidate] = []
        for rank, match in enumerate(matches, start=len(asked) + 1):
            row = _candidate_row(request, match, rank)
            row.status, row.offered_at = "offered", now
            session.add(row)
            added.append(row)
        await session.flush()
        if not added:
            request.escalate_due_at = now  # nobody else to ask: tell the admins now
        return await _announced(
            session, Widened(RequestInfo.of(request), tuple([await _candidate_info(session, c) for c in added])),
            announce)


async def unclaimed_questions(runtime: Runtime) -> list[tuple[str, int]]:
    """(team, request id) of quick questions offered longer ago than the widening interval."""
    cutoff = runtime.clock.now() - timedelta(hours=runtime.settings.informal_widen_hours)
    async with runtime.db.session() as session:
        rows = await session.execute(
            select(MentorshipRequest.team_id, MentorshipRequest.id)
            .where(MentorshipRequest.kind == "informal", MentorshipRequest.status == "offered",
                   MentorshipRequest.widened_at.is_(None),
                   MentorshipRequest.id.in_(select(MentorshipCandidate.request_id)
                                            .where(MentorshipCandidate.offered_at <= cutoff))))
        return list(rows.all())


async def expired_offers(runtime: Runtime) -> list[tuple[str, int]]:
    """(team, candidate id) of formal offers past their hand-off time."""
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        rows = await session.execute(
            select(MentorshipCandidate.team_id, MentorshipCandidate.id)
            .where(MentorshipCandidate.status == "offered", MentorshipCandidate.expires_at <= now))
        return list(rows.all())


async def due_escalations(runtime: Runtime) -> list[tuple[str, int]]:
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        rows = await session.execute(
            select(MentorshipRequest.team_id, MentorshipRequest.id)
            .where(MentorshipRequest.escalate_due_at <= now, MentorshipRequest.escalated_at.is_(None),
                   MentorshipRequest.status.in_(("offered", "unmatched"))))
        return list(rows.all())


async def claim_escalation(runtime: Runtime, *, team_id: str, request_id: int,
                           announce: Announce[Escalation] | None = None) -> Escalation | None:
    """Mark the request escalated (once, whoever else is sweeping) and say what was tried."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        claimed = await session.execute(
            update(MentorshipRequest)
            .where(MentorshipRequest.id == request_id, MentorshipRequest.team_id == team_id,
                   MentorshipRequest.escalated_at.is_(None), MentorshipRequest.status.in_(("offered", "unmatched")))
            .values(escalated_at=now))
        if claimed.rowcount != 1:
            return None
        request = await _request(session, team_id, request_id)
        assert request is not None
        tried = [c for c in await _candidates(session, request) if c.status not in ("shortlisted", "superseded")
                 or c.offered_at is not None]
        record(session, team_id=team_id, actor_id=None, action="mentoring.escalated",
               subject=f"mentorship_request:{request_id}", at=now)
        return await _announced(
            session, Escalation(RequestInfo.of(request), tuple([await _candidate_info(session, c) for c in tried])),
            announce)


async def offer_in(session: AsyncSession, team_id: str, candidate_id: int) -> tuple[RequestInfo, CandidateInfo] | None:
    """An offer and its request as plain data, read in the caller's session (e.g. a nudge's claim)."""
    candidate = await _candidate(session, team_id, candidate_id)
    request = await _request(session, team_id, candidate.request_id) if candidate else None
    if candidate is None or request is None:
        return None
    return RequestInfo.of(request), await _candidate_info(session, candidate)


async def answerable(runtime: Runtime, *, team_id: str, mentor_id: str, candidate_id: int) -> Stale | None:
    """None while this mentor can still answer the offer; otherwise why not (before opening a modal)."""
    async with runtime.db.session() as session:
        candidate = await _candidate(session, team_id, candidate_id)
        if candidate is None or candidate.mentor_id != mentor_id:
            return Stale("not_yours" if candidate else "not_found")
        request = await _request(session, team_id, candidate.request_id)
        if candidate.status == "offered" and request is not None and request.status == "offered":
            return None
        return await _stale_for_candidate(session, team_id, candidate_id)


async def note_offer_message(session: AsyncSession, candidate_id: int, channel_id: str,
                             ts: str) -> None:
    """Remember where the mentor's offer DM is, so it can later read "claimed by ..." or "withdrawn"."""
    await session.execute(update(MentorshipCandidate).where(MentorshipCandidate.id == candidate_id)
                          .values(dm_channel_id=channel_id, dm_ts=ts))


# --- internals --------------------------------------------------------------------------------------------


async def _announced(session: AsyncSession, outcome: _Outcome, announce: Announce[_Outcome] | None) -> _Outcome:
    """The outcome with the DMs it causes queued in its own transaction (see Announce)."""
    if announce is None:
        return outcome
    return replace(outcome, queued=tuple(await announce(session, outcome)))


class _Conflict(Exception):
    """Someone else changed the request first: roll back and explain what happened instead."""


async def _stale_after_conflict(runtime: Runtime, team_id: str, candidate_id: int) -> Stale:
    async with runtime.db.session() as session:
        return await _stale_for_candidate(session, team_id, candidate_id)


async def _take_request(session: AsyncSession, team_id: str, request_id: int, statuses: Sequence[str],
                        now: datetime, *, mentee_id: str | None = None, kind: str | None = None) -> bool:
    """Lock the request row if it is in one of `statuses` (and the mentee's, and of `kind`)."""
    where = [MentorshipRequest.id == request_id, MentorshipRequest.team_id == team_id,
             MentorshipRequest.status.in_(statuses)]
    if mentee_id is not None:
        where.append(MentorshipRequest.mentee_id == mentee_id)
    if kind is not None:
        where.append(MentorshipRequest.kind == kind)
    result = await session.execute(update(MentorshipRequest).where(*where).values(updated_at=now))
    return result.rowcount == 1


async def _request(session: AsyncSession, team_id: str, request_id: int) -> MentorshipRequest | None:
    return await session.scalar(select(MentorshipRequest).where(MentorshipRequest.id == request_id,
                                                                MentorshipRequest.team_id == team_id)
                                .execution_options(populate_existing=True))


async def _candidate(session: AsyncSession, team_id: str, candidate_id: int) -> MentorshipCandidate | None:
    return await session.scalar(select(MentorshipCandidate).where(MentorshipCandidate.id == candidate_id,
                                                                  MentorshipCandidate.team_id == team_id)
                                .execution_options(populate_existing=True))


async def _candidates(session: AsyncSession, request: MentorshipRequest) -> list[MentorshipCandidate]:
    return list((await session.scalars(
        select(MentorshipCandidate).where(MentorshipCandidate.request_id == request.id)
        .order_by(MentorshipCandidate.rank).execution_options(populate_existing=True))).all())


async def _candidate_info(session: AsyncSession, candidate: MentorshipCandidate) -> CandidateInfo:
    profile = await get_profile(session, candidate.team_id, candidate.mentor_id)
    return CandidateInfo(
        id=candidate.id, request_id=candidate.request_id, mentor_id=candidate.mentor_id,
        name=profile.name if profile else None, bio=profile.bio if profile else None, rank=candidate.rank,
        reasons=candidate.reasons, mentor_reasons=candidate.mentor_reasons, status=candidate.status, offered_at=candidate.offered_at,
        decline_reason=candidate.decline_reason, dm_channel_id=candidate.dm_channel_id, dm_ts=candidate.dm_ts)


async def _shortlist(session: AsyncSession, request: MentorshipRequest) -> Shortlist:
    live = [c for c in await _candidates(session, request) if c.status in ("shortlisted", "offered")]
    return Shortlist(RequestInfo.of(request), tuple([await _candidate_info(session, c) for c in live]))


def _candidate_row(request: MentorshipRequest, match: Match, rank: int) -> MentorshipCandidate:
    return MentorshipCandidate(team_id=request.team_id, request_id=request.id, mentor_id=match.user_id, rank=rank,
                               score=match.score, reasons=match.reason_text(),
                               mentor_reasons=match.mentor_reason_text(), status="shortlisted")


async def _match(runtime: Runtime, session: AsyncSession, request: MentorshipRequest, *, limit: int,
                 exclude: Sequence[str]) -> list[Match]:
    mentee = await ensure_member(runtime, session, request.team_id, request.mentee_id)
    discipline = match_choice("discipline", mentee.profession) if mentee.profession else None
    spec = MentorRequestSpec(
        mentee_id=request.mentee_id, topics=tuple(request.topics), format=request.kind, mode=request.mode,
        preferred_discipline=request.preferred_discipline, preferred_career_stage=request.preferred_career_stage,
        mentee_discipline=discipline.id if discipline else None,
        mentee_do_not_match=frozenset(mentee.do_not_match or ()), declined_by=frozenset(exclude))
    return match_mentors(spec, await mentor_candidates(session, request.team_id, runtime.clock.now()), limit=limit)


async def _offer(runtime: Runtime, session: AsyncSession, request: MentorshipRequest,
                 candidate: MentorshipCandidate, now: datetime) -> None:
    """Offer a formal request to one mentor: due times for the reminder and the hand-off."""
    settings = runtime.settings
    candidate.status, candidate.offered_at = "offered", now
    candidate.remind_due_at = now + timedelta(days=settings.mentor_reminder_days)
    candidate.expires_at = now + timedelta(days=settings.mentor_handoff_days)
    await nudges.schedule(session, team_id=request.team_id, user_id=candidate.mentor_id, kind=REMINDER_NUDGE,
                          subject_key=f"candidate:{candidate.id}", due_at=candidate.remind_due_at)


async def _open_informal(runtime: Runtime, session: AsyncSession, request: MentorshipRequest, now: datetime) -> None:
    """Send a quick question to its first mentors: no reminders, it widens or escalates instead."""
    request.status = "offered"
    for candidate in await _candidates(session, request):
        if candidate.status == "shortlisted":
            candidate.status, candidate.offered_at = "offered", now


async def _next_candidate(runtime: Runtime, session: AsyncSession,
                          request: MentorshipRequest) -> MentorshipCandidate | None:
    """The next mentor on the shortlist, else the best fit nobody has asked yet."""
    candidates = await _candidates(session, request)
    for candidate in candidates:
        if candidate.status == "shortlisted":
            return candidate
    matches = await _match(runtime, session, request, limit=1, exclude=[c.mentor_id for c in candidates])
    if not matches:
        return None
    row = _candidate_row(request, matches[0], max((c.rank for c in candidates), default=0) + 1)
    session.add(row)
    await session.flush()
    return row


def _mark_unmatched(request: MentorshipRequest, now: datetime) -> None:
    request.status, request.escalate_due_at = "unmatched", now


async def _supersede_others(session: AsyncSession, request: MentorshipRequest,
                            keep: int | None) -> list[CandidateInfo]:
    """Close every other open candidate; returns those whose DMs held the request."""
    shown: list[CandidateInfo] = []
    for candidate in await _candidates(session, request):
        if candidate.id == keep or candidate.status not in ("shortlisted", "offered"):
            continue
        if candidate.status == "offered":
            await nudges.cancel(session, team_id=request.team_id, kind=REMINDER_NUDGE,
                                subject_key=f"candidate:{candidate.id}")
            candidate.status = "superseded"
            shown.append(await _candidate_info(session, candidate))
        else:
            candidate.status = "superseded"
    return shown


async def _stale_for_request(session: AsyncSession, team_id: str, request_id: int, *,
                             mentee_id: str | None = None) -> Stale:
    request = await _request(session, team_id, request_id)
    if request is None:
        return Stale("not_found")
    info = RequestInfo.of(request)
    if mentee_id is not None and request.mentee_id != mentee_id:
        return Stale("not_yours", info)
    if request.status == "offered":
        offered = next((c for c in await _candidates(session, request) if c.status == "offered"), None)
        return Stale("asked", info, winner_id=offered.mentor_id if offered else None)
    if request.status in ("matched", "claimed"):
        return Stale("taken", info, winner_id=await _winner(session, request))
    return Stale("withdrawn" if request.status == "withdrawn" else "closed", info)


async def _stale_for_candidate(session: AsyncSession, team_id: str, candidate_id: int) -> Stale:
    candidate = await _candidate(session, team_id, candidate_id)
    if candidate is None:
        return Stale("not_found")
    request = await _request(session, team_id, candidate.request_id)
    assert request is not None
    info, cand = RequestInfo.of(request), await _candidate_info(session, candidate)
    if candidate.status in ("accepted", "claimed", "declined", "expired"):
        return Stale(candidate.status if candidate.status != "claimed" else "accepted", info, cand,
                     winner_id=candidate.mentor_id)
    if request.status == "withdrawn":
        return Stale("withdrawn", info, cand)
    if request.status in ("matched", "claimed"):
        return Stale("taken", info, cand, winner_id=await _winner(session, request))
    return Stale("closed", info, cand)


async def _winner(session: AsyncSession, request: MentorshipRequest) -> str | None:
    return await session.scalar(select(Mentorship.mentor_id).where(Mentorship.request_id == request.id))
