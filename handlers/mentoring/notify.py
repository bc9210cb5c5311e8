"""Telling people what happened: every mentoring DM goes through the outbox (stored, then retried).

Shared by the listeners (a click) and the sweep (a due time), so a hand-off reads the same whether
a mentor declined or simply never answered.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import mentorships
from bot.mentoring import (
    CandidateInfo,
    Escalation,
    Handoff,
    RequestInfo,
    Started,
    Widened,
    Withdrawn,
    claim_escalation,
    note_offer_message,
)
from bot.runtime import Runtime
from handlers.mentoring import blocks
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

OFFER_DM = "mentor_offer"  # subject: candidate id; the sent ts is kept to update the DM later
GROUP_DM = "mentorship_group"  # conversations.open; subject: mentorship id
KICKOFF = "mentorship_kickoff"


def register_hooks(runtime: Runtime) -> None:
    runtime.outbox.on_sent(OFFER_DM, _offer_sent)
    runtime.outbox.on_sent(GROUP_DM, _group_opened(runtime))


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


async def update_offer(runtime: Runtime, team_id: str, candidate: CandidateInfo, message: blocks.Message) -> None:
    """Rewrite a mentor's offer DM (once we know where it is) so its buttons no longer invite a click."""
    if candidate.dm_channel_id and candidate.dm_ts:
        await runtime.outbox.send(team_id=team_id, method="chat.update", purpose="mentor_offer_update",
                                  args={"channel": candidate.dm_channel_id, "ts": candidate.dm_ts, **message},
                                  subject_id=candidate.id)


async def send_offer(runtime: Runtime, request: RequestInfo, candidate: CandidateInfo) -> None:
    if request.kind == "informal":
        message = blocks.quick_question(request, candidate)
    else:
        message = blocks.offer(request, candidate, runtime.settings.mentor_handoff_days)
    await dm(runtime, request.team_id, candidate.mentor_id, message, purpose=OFFER_DM, subject_id=candidate.id)


async def connect_pair(runtime: Runtime, started: Started) -> None:
    """Open the group DM (mentor, mentee and the bot); its kick-off message follows from the hook."""
    team_id = started.request.team_id
    users = f"{started.candidate.mentor_id},{started.request.mentee_id}"
    delivery = await runtime.outbox.send(team_id=team_id, method="conversations.open", args={"users": users},
                                         purpose=GROUP_DM, subject_id=started.mentorship_id)
    if delivery.sent:
        await _send_queued_kickoff(runtime, started.mentorship_id)
    closed = "accepted" if started.request.kind == "formal" else "claimed"
    await update_offer(runtime, team_id, started.candidate, blocks.offer_closed(started.request, closed))
    for other in started.superseded:
        await update_offer(runtime, team_id, other,
                           blocks.offer_closed(started.request, "taken", winner_id=started.candidate.mentor_id))


async def _send_queued_kickoff(runtime: Runtime, mentorship_id: int) -> None:
    async with runtime.db.session() as session:
        queued = await session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.purpose == KICKOFF, OutboxMessage.subject_id == mentorship_id,
            OutboxMessage.status == "pending"))
    if queued is not None:
        await runtime.outbox.attempt(queued)


async def hand_on(runtime: Runtime, outcome: Handoff, *, expired: bool) -> None:
    """After a decline or an expired offer: close the old DM, tell the mentee, ask the next mentor."""
    settings = runtime.settings
    team_id, request = outcome.request.team_id, outcome.request
    await update_offer(runtime, team_id, outcome.left,
                       blocks.offer_closed(request, "expired" if expired else "declined",
                                           handoff_days=settings.mentor_handoff_days))
    await dm(runtime, team_id, request.mentee_id,
             blocks.handed_on(outcome.left, outcome.next, request, expired=expired,
                              handoff_days=settings.mentor_handoff_days),
             purpose="mentoring_handoff", subject_id=request.id)
    if outcome.next is not None:
        await send_offer(runtime, request, outcome.next)
    else:
        await escalate_now(runtime, team_id, request.id)


async def widened(runtime: Runtime, outcome: Widened) -> None:
    for candidate in outcome.added:
        await send_offer(runtime, outcome.request, candidate)
    if outcome.added:
        await dm(runtime, outcome.request.team_id, outcome.request.mentee_id, blocks.widened(len(outcome.added)),
                 purpose="mentoring_widened", subject_id=outcome.request.id)


async def escalate(runtime: Runtime, escalation: Escalation) -> None:
    """Tell every admin, once (the caller claimed the escalation), what the request is and what was tried."""
    admins = runtime.settings.admin_user_ids
    if not admins:
        log.warning("Mentor request %s needs an admin, but ADMIN_USER_IDS is empty", escalation.request.id)
    message = blocks.escalation(escalation.request, escalation.tried)
    for admin_id in admins:
        await dm(runtime, escalation.request.team_id, admin_id, message, purpose="mentoring_escalation",
                 subject_id=escalation.request.id)


async def escalate_now(runtime: Runtime, team_id: str, request_id: int) -> None:
    """Nobody fits at all: tell the admins straight away rather than at the next sweep."""
    escalation = await claim_escalation(runtime, team_id=team_id, request_id=request_id)
    if escalation is not None:
        await escalate(runtime, escalation)


async def announce_withdrawal(runtime: Runtime, outcome: Withdrawn) -> None:
    """The mentee withdrew: mentors who had it in their DMs see that no action is needed."""
    for candidate in outcome.offered:
        await update_offer(runtime, outcome.request.team_id, candidate,
                           blocks.offer_closed(outcome.request, "withdrawn"))
