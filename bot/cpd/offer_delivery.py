"""How a CPD offer reaches the member when Slack refuses it where it was first sent.

The outbox hands a dead row to this hook inside its own transaction, so the fallback is enqueued
atomically with the row being marked dead.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outbox import DeadHook
from bot.core.runtime import Runtime
from storage.models import OutboxMessage

OFFER = "cpd_offer"  # the outbox purpose of every offer


def offer_by_dm_instead(runtime: Runtime) -> DeadHook:
    """An ephemeral offer Slack refuses for good (a /qi-share typed in a DM with a colleague or a private
    channel the bot is not in) goes to the member's DM instead of being lost."""

    async def hook(session: AsyncSession, row: OutboxMessage) -> None:
        if row.method != "chat.postEphemeral":
            return  # already a DM: nowhere else to send it
        args = {"channel": row.args["user"], "text": row.args["text"], "blocks": row.args["blocks"]}
        fallback = await runtime.outbox.enqueue(session, team_id=row.team_id, method="chat.postMessage",
                                                args=args, purpose=OFFER, subject_id=row.subject_id)
        fallback.next_attempt_at = runtime.clock.now()  # the next sweep, within a minute

    return hook
