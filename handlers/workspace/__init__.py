"""The installation itself: uninstalls and revoked tokens, and a welcome for new community members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.workspace.lifecycle import mark_gone
from bot.workspace.welcome import WELCOME_NUDGE, welcome_once
from handlers.tenant import team_of

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Nudge

WELCOME = (":wave: Welcome to the QI Commons community channel! Here clinicians share quality improvement work, "
           "find mentors and turn both into CPD credit.\n"
           "• `/qi-share` shares what you tried and learned on a QI project\n"
           "• `/find-mentor` finds a QI mentor who fits what you need\n"
           "• `/cpd-log` logs CPD time with your credits worked out\n"
           "`/qi-commons help` shows everything, with examples.")


def register(app: AsyncApp, runtime: Runtime) -> None:
    runtime.on_nudge_due(WELCOME_NUDGE, _send_welcome)

    @app.event("app_uninstalled")
    async def uninstalled(context: dict[str, Any]) -> None:
        await mark_gone(runtime, team_id=team_of(context), status="uninstalled")
        runtime.slack_problem = "the app was uninstalled; reinstall it and restart QI Commons"

    @app.event("tokens_revoked")
    async def tokens_revoked(context: dict[str, Any], event: dict[str, Any]) -> None:
        if not (event.get("tokens") or {}).get("bot"):
            return  # only user tokens, which QI Commons never holds
        await mark_gone(runtime, team_id=team_of(context), status="tokens_revoked")
        runtime.slack_problem = "the bot token was revoked; reinstall the app and restart QI Commons"

    @app.event("member_joined_channel")
    async def joined(event: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("channel") != runtime.settings.community_channel_id or not event.get("user"):
            return
        await welcome_once(runtime, team_id=team_of(context), user_id=event["user"])


async def _send_welcome(runtime: Runtime, session: AsyncSession, nudge: Nudge) -> int | None:
    row = await runtime.outbox.enqueue(session, team_id=nudge.team_id, method="chat.postMessage",
                                       args={"channel": nudge.slack_user_id, "text": WELCOME})
    return row.id
