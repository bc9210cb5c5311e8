"""Telling people what happened: every mentoring DM goes through the outbox (stored, then retried).

Shared by the listeners (a click) and the sweep (a due time), so a hand-off reads the same whether
a mentor declined or simply never answered. The DMs a request's change causes (created, asked,
accepted or claimed, declined or expired, widened, escalated, withdrawn) are queued by the `announce_*` functions inside the service's own
transaction (bot.mentoring.requests.Announce); the listener then `deliver`s them, and the outbox sweep sends
whatever that misses, so a crash between the two loses nothing.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.runtime import Runtime
from bot.mentoring import pairs as mentorships
from bot.mentoring.requests import (
    CandidateInfo,
    Escalation,
    Handoff,
    Offered,
    RequestInfo,
    Started,
    Widened,
    Withdrawn,
    claim_escalation,
    note_offer_message,
)
from handlers.mentoring import blocks

if TYPE_CHECKING:
    from storage.models import OutboxMessage

log = logging.getLogger(__name__)

OFFER_DM = "mentor_offer"  # subject: candidate id; the sent ts is kept to update the DM later
GROUP_DM = "mentorship_group"  # conversations.open; subject: mentorship id
KICKOFF = "mentorship_kickoff"  # subject: mentorship id; where it went is kept for the end
CHECKIN = "mentorship_checkin"  # subject: mentorship id; where it went is kept for the end


def register_hooks(runtime: Runtime) -> None:
    runtime.outbox.on_sent(OFFER_DM, _offer_sent)
    runtime.outbox.on_sent(GROUP_DM, _group_opened(runtime))
    runtime.outbox.on_dead(GROUP_DM, _group_refused(runtime))
    runtime.outbox.on_sent(KICKOFF, _pair_message_sent(runtime, mentorships.KICKOFF))
    runtime.outbox.on_sent(CHECKIN, _pair_message_sent(runtime, mentorships.CHECKIN))


def _pair_message_sent(runtime: Runtime, kind: str):
    async def hook(session: AsyncSession, row: OutboxMessage, data: dict[str, Any]) -> None:
        # A check-in is posted to a person (channel = their user id); the kick-off to the group DM.
        if row.subject_id is None or not data.get("channel") or not data.get("ts"):
            return
        message = mentorships.PairMessage(kind, row.args.get("channel") if kind == mentorships.CHECKIN else None,
                                          data["channel"], data["ts"])
        await mentorships.note_pair_message(session, team_id=row.team_id, mentorship_id=row.subject_id, kind=kind,
                                            user_id=message.user_id, channel_id=message.channel_id, ts=message.ts)
        # Queued before the end but delivered after it (a retry): it missed the end's updates, so close it now.
        pair = await mentorships.info_in(session, row.team_id, row.subject_id)
        if pair is not None and pair.status != "active":
            await _queue_ended_update(runtime, session, pair, message)
    return hook


async def _offer_sent(session: AsyncSession, row: OutboxMessage, data: dict[str, Any]) -> None:
    if row.subject_id is not None and data.get("channel") and data.get("ts"):
        await note_offer_message(session, row.subject_id, data["channel"], data["ts"])


def _group_opened(runtime: Runtime):
    async def hook(session: AsyncSession, row: OutboxMessage, data: dict[str, Any]) -> None:
        # The kick-off is queued in the same transaction that records the group DM, so a restart
        # between the two can lose neither.
        channel_id = (data.get("channel") or {}).get("id")
        if row.subject_id is None or not channel_id:
            return
        await mentorships.note_group_channel(session, row.subject_id, channel_id)
        info = await mentorships.info_in(session, row.team_id, row.subject_id)
        if info is None:
            return
        message = blocks.kickoff(info, runtime.settings.mentor_checkin_days)
        kickoff = await runtime.outbox.enqueue(session, team_id=row.team_id, method="chat.postMessage",
                                               args={"channel": channel_id, **message}, purpose=KICKOFF,
                                               subject_id=row.subject_id)
        kickoff.next_attempt_at = runtime.clock.now()  # due now: whoever gets there first sends it
    return hook


def _group_refused(runtime: Runtime):
    async def hook(session: AsyncSession, row: OutboxMessage) -> None:
        # Slack will never open the group DM (e.g. one of them was deactivated): each still gets the
        # kick-off in their own DM, so neither is left wondering whether the mentorship started.
        info = await mentorships.info_in(session, row.team_id, row.subject_id) if row.subject_id else None
        if info is None:
            return
        message = blocks.kickoff(info, runtime.settings.mentor_checkin_days)
        for user_id in (info.mentor_id, info.mentee_id):
            kickoff = await runtime.outbox.enqueue(session, team_id=row.team_id, method="chat.postMessage",
                                                   args={"channel": user_id, **message}, purpose=KICKOFF,
                                                   subject_id=row.subject_id)
            kickoff.next_attempt_at = runtime.clock.now()
    return hook


async def announce_end(runtime: Runtime, session: AsyncSession, outcome: mentorships.Ended) -> list[int]:
    """The pair ended: each is told (and asked for feedback), and every message still carrying the pair's
    buttons is rewritten without them, all queued with the end."""
    pair = outcome.mentorship
    queued = [await queue_dm(runtime, session, pair.team_id, user_id, blocks.ended(pair, user_id),
                             purpose="mentorship_ended", subject_id=pair.id)
              for user_id in (pair.mentor_id, pair.mentee_id)]
    for message in outcome.messages:
        queued.append(await _queue_ended_update(runtime, session, pair, message))
    return queued


async def _queue_ended_update(runtime: Runtime, session: AsyncSession, pair: mentorships.MentorshipInfo,
                              message: mentorships.PairMessage) -> int:
    """chat.update of a kick-off or check-in to its ended form: no buttons, and when it ended."""
    ended_on = (pair.ended_at or runtime.clock.now()).astimezone(runtime.settings.tz).date()
    rewritten = (blocks.checkin_ended(pair, message.user_id, ended_on)
                 if message.kind == mentorships.CHECKIN and message.user_id
                 else blocks.kickoff_ended(pair, runtime.settings.mentor_checkin_days, ended_on))
    row = await runtime.outbox.enqueue(session, team_id=pair.team_id, method="chat.update",
                                       args={"channel": message.channel_id, "ts": message.ts, **rewritten},
                                       purpose="mentorship_ended_update", subject_id=pair.id)
    return row.id


async def dm(runtime: Runtime, team_id: str, user_id: str, message: blocks.Message, *, purpose: str,
             subject_id: int | None = None) -> None:
    await runtime.outbox.send(team_id=team_id, method="chat.postMessage", args={"channel": user_id, **message},
                              purpose=purpose, subject_id=subject_id)


async def queue_dm(runtime: Runtime, session: AsyncSession, team_id: str, user_id: str, message: blocks.Message, *,
                   purpose: str, subject_id: int | None = None) -> int:
    """Queue a DM in the caller's transaction (it commits with what it is about); the caller attempts
    the returned outbox row after the commit, and the outbox sweep does if the caller never gets to."""
    row = await runtime.outbox.enqueue(session, team_id=team_id, method="chat.postMessage",
                                       args={"channel": user_id, **message}, purpose=purpose, subject_id=subject_id)
    return row.id


async def deliver(runtime: Runtime, outbox_ids: tuple[int, ...]) -> None:
    """Try the calls an outcome queued, once its transaction committed; the sweep retries any that fail."""
    for outbox_id in outbox_ids:
        await runtime.outbox.attempt(outbox_id)


def _offer_update(candidate: CandidateInfo, message: blocks.Message) -> dict[str, Any] | None:
    """chat.update arguments rewriting a mentor's offer DM, once we know where it is; else None."""
    if candidate.dm_channel_id and candidate.dm_ts:
        return {"channel": candidate.dm_channel_id, "ts": candidate.dm_ts, **message}
    return None


async def _queue_offer_update(runtime: Runtime, session: AsyncSession, team_id: str, candidate: CandidateInfo,
                              message: blocks.Message) -> list[int]:
    if args := _offer_update(candidate, message):
        row = await runtime.outbox.enqueue(session, team_id=team_id, method="chat.update",
                                           purpose="mentor_offer_update", args=args, subject_id=candidate.id)
        return [row.id]
    return []


def _offer_message(runtime: Runtime, request: RequestInfo, candidate: CandidateInfo) -> blocks.Message:
    if request.kind == "informal":
        return blocks.quick_question(request, candidate)
    return blocks.offer(request, candidate, runtime.settings.mentor_handoff_days)


async def queue_offer(runtime: Runtime, session: AsyncSession, request: RequestInfo,
                      candidate: CandidateInfo) -> int:
    """A mentor's offer DM (a formal request or a quick question), queued in the caller's transaction."""
    return await queue_dm(runtime, session, request.team_id, candidate.mentor_id,
                          _offer_message(runtime, request, candidate), purpose=OFFER_DM, subject_id=candidate.id)


async def announce_ask(runtime: Runtime, session: AsyncSession, outcome: Offered) -> list[int]:
    """The mentee asked a mentor: the offer DM, queued with the ask."""
    return [await queue_offer(runtime, session, outcome.request, outcome.candidate)]


async def announce_start(runtime: Runtime, session: AsyncSession, started: Started) -> list[int]:
    """A mentor accepted or claimed: open the pair's group DM (its kick-off follows from the hook) and
    close the offer DMs, all queued with the mentorship itself."""
    team_id = started.request.team_id
    users = f"{started.candidate.mentor_id},{started.request.mentee_id}"
    group = await runtime.outbox.enqueue(session, team_id=team_id, method="conversations.open",
                                         args={"users": users}, purpose=GROUP_DM, subject_id=started.mentorship_id)
    closed = "accepted" if started.request.kind == "formal" else "claimed"
    queued = [group.id, *await _queue_offer_update(runtime, session, team_id, started.candidate,
                                                   blocks.offer_closed(started.request, closed))]
    for other in started.superseded:
        queued += await _queue_offer_update(
            runtime, session, team_id, other,
            blocks.offer_closed(started.request, "taken", winner_id=started.candidate.mentor_id))
    return queued


async def connect_pair(runtime: Runtime, started: Started) -> None:
    """After the commit: open the group DM and post its kick-off (or, if Slack refused the group DM,
    the kick-off to each of them), and close the offer DMs."""
    await deliver(runtime, started.queued)
    await _send_queued_kickoffs(runtime, started.mentorship_id)


async def _send_queued_kickoffs(runtime: Runtime, mentorship_id: int) -> None:
    for outbox_id in await runtime.outbox.pending(KICKOFF, mentorship_id):
        await runtime.outbox.attempt(outbox_id)


async def announce_hand_on(runtime: Runtime, session: AsyncSession, outcome: Handoff, *,
                           expired: bool) -> list[int]:
    """A decline or an expired offer: close the old DM, tell the mentee, ask the next mentor, all
    queued with the hand-off."""
    handoff_days = runtime.settings.mentor_handoff_days
    team_id, request = outcome.request.team_id, outcome.request
    queued = await _queue_offer_update(runtime, session, team_id, outcome.left,
                                       blocks.offer_closed(request, "expired" if expired else "declined",
                                                           handoff_days=handoff_days))
    queued.append(await queue_dm(runtime, session, team_id, request.mentee_id,
                                 blocks.handed_on(outcome.left, outcome.next, request, expired=expired,
                                                  handoff_days=handoff_days),
                                 purpose="mentoring_handoff", subject_id=request.id))
    if outcome.next is not None:
        queued.append(await queue_offer(runtime, session, request, outcome.next))
    return queued


async def hand_on(runtime: Runtime, outcome: Handoff) -> None:
    """After the hand-off's commit: send what it queued; with nobody left, tell the admins now (the
    request is due to escalate already, so the sweep does it if this never runs)."""
    await deliver(runtime, outcome.queued)
    if outcome.next is None:
        await escalate_now(runtime, outcome.request.team_id, outcome.request.id)


async def announce_widened(runtime: Runtime, session: AsyncSession, outcome: Widened) -> list[int]:
    """A quick question nobody claimed: the new mentors' questions and the mentee's note, queued with the
    widening (with nobody new to ask it escalates instead)."""
    if not outcome.added:
        return []
    queued = [await queue_offer(runtime, session, outcome.request, candidate) for candidate in outcome.added]
    queued.append(await queue_dm(runtime, session, outcome.request.team_id, outcome.request.mentee_id,
                                 blocks.widened(len(outcome.added)), purpose="mentoring_widened",
                                 subject_id=outcome.request.id))
    return queued


async def announce_escalation(runtime: Runtime, session: AsyncSession, escalation: Escalation) -> list[int]:
    """Every admin's DM saying what the request is and what was tried, queued with the claim that makes
    the escalation happen once."""
    admins = runtime.settings.admin_user_ids
    if not admins:
        log.warning("Mentor request %s needs an admin, but ADMIN_USER_IDS is empty", escalation.request.id)
    message = blocks.escalation(escalation.request, escalation.tried)
    return [await queue_dm(runtime, session, escalation.request.team_id, admin_id, message,
                           purpose="mentoring_escalation", subject_id=escalation.request.id)
            for admin_id in admins]


async def escalate_now(runtime: Runtime, team_id: str, request_id: int) -> None:
    """Tell the admins about a request nobody fits or took, once whoever else is sweeping: straight away
    when nobody fits at all, rather than at the next sweep."""
    escalation = await claim_escalation(runtime, team_id=team_id, request_id=request_id,
                                        announce=partial(announce_escalation, runtime))
    if escalation is not None:
        await deliver(runtime, escalation.queued)


async def announce_withdrawal(runtime: Runtime, session: AsyncSession, outcome: Withdrawn) -> list[int]:
    """The mentee withdrew: mentors who had it in their DMs see that no action is needed, queued with the
    withdrawal."""
    queued: list[int] = []
    for candidate in outcome.offered:
        queued += await _queue_offer_update(runtime, session, outcome.request.team_id, candidate,
                                            blocks.offer_closed(outcome.request, "withdrawn"))
    return queued
