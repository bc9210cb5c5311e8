"""Time-driven mentoring: offers that expire, quick questions that widen, escalations, and the nudges.

Run by the scheduler's minute sweep (bot.core.nudges.sweep). Every step claims its row with a
conditional UPDATE in the service, so two replicas sweeping at once do each thing once.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.runtime import Runtime
from bot.mentoring import pairs as mentorships
from bot.mentoring import requests as mentoring
from handlers.mentoring import blocks, notify

if TYPE_CHECKING:
    from storage.models import Nudge


def register(runtime: Runtime) -> None:
    runtime.each_sweep("mentoring", move_requests_on)
    runtime.on_nudge_due(mentoring.REMINDER_NUDGE, send_reminder)
    runtime.on_nudge_due(mentorships.CHECKIN_NUDGE, send_checkin)


async def move_requests_on(runtime: Runtime) -> None:
    for team_id, candidate_id in await mentoring.expired_offers(runtime):
        handoff = await mentoring.expire_offer(runtime, team_id=team_id, candidate_id=candidate_id,
                                               announce=partial(notify.announce_hand_on, runtime, expired=True))
        if isinstance(handoff, mentoring.Handoff):
            await notify.hand_on(runtime, handoff)
    for team_id, request_id in await mentoring.unclaimed_questions(runtime):
        widened = await mentoring.widen_question(runtime, team_id=team_id, request_id=request_id,
                                                 announce=partial(notify.announce_widened, runtime))
        if widened is not None:
            await notify.deliver(runtime, widened.queued)
    for team_id, request_id in await mentoring.due_escalations(runtime):
        await notify.escalate_now(runtime, team_id, request_id)


async def send_reminder(runtime: Runtime, session: AsyncSession, nudge: Nudge) -> int | None:
    """The one reminder a mentor gets about an unanswered formal request (queued in the nudge's claim)."""
    candidate_id = int(nudge.subject_key.split(":", 1)[1])
    offer = await mentoring.offer_in(session, nudge.team_id, candidate_id)
    if offer is None or offer[1].status != "offered":
        return None
    request, candidate = offer
    return await notify.queue_dm(runtime, session, nudge.team_id, candidate.mentor_id,
                                 blocks.offer(request, candidate, runtime.settings.mentor_handoff_days, reminder=True),
                                 purpose="mentor_reminder", subject_id=candidate_id)


async def send_checkin(runtime: Runtime, session: AsyncSession, nudge: Nudge) -> int | None:
    """A check-in for one of a pair that has logged no contact for the check-in interval; the next one
    is owed in the same transaction, so the chain of check-ins cannot break."""
    mentorship_id = mentorships.mentorship_id_of(nudge.subject_key)
    info = await mentorships.info_in(session, nudge.team_id, mentorship_id)
    if info is None or info.status != "active":
        return None
    since = info.last_contact_at or info.started_at
    days = (runtime.clock.now() - since).days
    outbox_id = await notify.queue_dm(runtime, session, nudge.team_id, nudge.slack_user_id,
                                      blocks.checkin(info, nudge.slack_user_id, days), purpose=notify.CHECKIN,
                                      subject_id=mentorship_id)
    await mentorships.schedule_next_checkin(runtime, session, team_id=nudge.team_id, user_id=nudge.slack_user_id,
                                            mentorship_id=mentorship_id)
    return outbox_id
