"""The forget-me confirmation's buttons, and the mentoring DMs forgetting sends (they name nobody).

The person forgotten is always the one who clicked.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.runtime import Runtime
from bot.mentoring.requests import CandidateInfo, Handoff, Withdrawn
from bot.privacy import rights as privacy
from handlers.blocks import section
from handlers.home.publish import publish_forgotten
from handlers.mentoring import blocks as mentoring_blocks
from handlers.mentoring import notify
from handlers.privacy.blocks import (
    CANCEL_FORGET,
    CONFIRM_FORGET,
    MENTOR_LEFT,
    OFFER_MOVED_ON,
    REQUEST_CLOSED,
    forgotten_summary,
    partner_left_text,
)
from handlers.sharing.posting import RENDER, refresh_message, refresh_parent
from handlers.tenant import team_of

# What forgetting queues in place of the mentoring DMs that would name them: a mentor holding their
# request, a mentee whose request they were offered, and their own old offer DMs are all told, by nobody.


async def _close_offer(runtime: Runtime, session: AsyncSession, team_id: str, candidate: CandidateInfo,
                       message: dict[str, Any]) -> list[int]:
    """Rewrite an offer DM (its request's words and buttons go), once we know where it is."""
    if not (candidate.dm_channel_id and candidate.dm_ts):
        return []
    row = await runtime.outbox.enqueue(session, team_id=team_id, method="chat.update", purpose="mentor_offer_update",
                                       subject_id=candidate.id,
                                       args={"channel": candidate.dm_channel_id, "ts": candidate.dm_ts, **message})
    return [row.id]


async def announce_withdrawal(runtime: Runtime, session: AsyncSession, outcome: Withdrawn) -> list[int]:
    """Each mentor holding their request sees it is closed, queued with the withdrawal."""
    return [outbox_id for candidate in outcome.offered
            for outbox_id in await _close_offer(runtime, session, outcome.request.team_id, candidate, REQUEST_CLOSED)]


async def announce_hand_on(runtime: Runtime, session: AsyncSession, outcome: Handoff) -> list[int]:
    """An offer to them moves on as a decline would, but the mentee is not told who let it go."""
    request = outcome.request
    queued = await _close_offer(runtime, session, request.team_id, outcome.left, OFFER_MOVED_ON)
    told = mentoring_blocks.handed_on(outcome.left, outcome.next, request, expired=False,
                                      handoff_days=runtime.settings.mentor_handoff_days)
    # The first block names the mentor who declined (and their reason): replace it; keep what comes next.
    told = {**told, "blocks": [section(MENTOR_LEFT), *told["blocks"][1:]]}
    queued.append(await notify.queue_dm(runtime, session, request.team_id, request.mentee_id, told,
                                        purpose="mentoring_handoff", subject_id=request.id))
    if outcome.next is not None:
        queued.append(await notify.queue_offer(runtime, session, request, outcome.next))
    return queued


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(CONFIRM_FORGET)
    async def confirm(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], respond: AsyncRespond) -> None:
        """Forgotten in the database before the ack (forget makes no Slack call: what it queued is sent
        after), so a crash once Slack shows the click as taken cannot leave the member remembered; then
        the channel posts, files and DMs it queued go, and the member is told what was deleted."""
        team_id, user_id = team_of(context), body["user"]["id"]
        result = await privacy.forget(runtime, team_id, user_id, partner_left_text=partner_left_text,
                                      render_card=RENDER.parent,
                                      announce_withdrawal=partial(announce_withdrawal, runtime),
                                      announce_handoff=partial(announce_hand_on, runtime))
        await ack()
        await respond(text="Deleting your data…", replace_original=True)
        # Their channel posts and export files are deleted, and mentorship partners told, through the outbox.
        await notify.deliver(runtime, tuple(result.outbox_ids))
        # Mentors holding their request see it is withdrawn; offers to them go to the next mentor.
        for withdrawn in result.withdrawn:
            await notify.deliver(runtime, withdrawn.queued)
        for handed_on in result.handed_on:
            await notify.hand_on(runtime, handed_on)
        # Teammates' project cards and kudos counts no longer show them.
        for project_id in result.kept_projects:
            await refresh_parent(runtime, team_id=team_id, project_id=project_id)
        for update_id in result.kudos_updates:
            await refresh_message(runtime, team_id=team_id, update_id=update_id)
        for teammate in result.teammates:
            runtime.member_changed(team_id, teammate)
        await publish_forgotten(runtime, team_id, user_id)
        await respond(text=forgotten_summary(result.counts), replace_original=True)

    @app.action(CANCEL_FORGET)
    async def cancel(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="Nothing was deleted. Your data is as it was.", replace_original=True)
