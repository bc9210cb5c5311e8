"""The installation itself: uninstalls and revoked tokens, and a welcome for new community members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.workspace.lifecycle import mark_gone
from bot.workspace.welcome import WELCOME_NUDGE, welcome_once

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Nudge

WELCOME = (":wave: Welcome to the QI Commons community channel! Here clinicians share quality improvement work, "
           "find mentors and turn both into CPD credit.\n"
           "• `/qi-share` shares what you tried and learned on a QI project\n"
           "• `/find-mentor` finds a QI mentor who fits what you need\n"
           "• `/cpd-log` logs CPD time with your credits worked out\n"
           "`/qi-commons help` shows everything, with examples.")


def _tenant(body: dict[str, Any]) -> str:
    # Uninstall and revocation events for org-wide installs come with no team id: the org is the tenant.
    return body.get("team_id") or body.get("enterprise_id") or ""


def register(app: AsyncApp, runtime: Runtime) -> None:
    runtime.on_nudge_due(WELCOME_NUDGE, _send_welcome)

    @app.event("app_uninstalled")
    async def uninstalled(body: dict[str, Any]) -> None:
        await mark_gone(runtime, team_id=_tenant(body), status="uninstalled")
        runtime.slack_problem = "the app was uninstalled; reinstall it and restart QI Commons"

    @app.event("tokens_revoked")
    async def tokens_revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        if not (event.get("tokens") or {}).get("bot"):
            return  # only user tokens, which QI Commons never holds
        await mark_gone(runtime, team_id=_tenant(body), status="tokens_revoked")
        runtime.slack_problem = "the bot token was revoked; reinstall the app and restart QI Commons"

    @app.event("member_joined_channel")
    async def joined(body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("channel") != runtime.settings.community_channel_id or not event.get("user"):
            return
        # The installed workspace, not the joiner's own (a Slack Connect guest's envelope names theirs).
        team_id = context.get("team_id") or event.get("team") or body.get("team_id") or ""
        await welcome_once(runtime, team_id=team_id, user_id=event["user"])


async def _send_welcome(runtime: Runtime, session: AsyncSession, nudge: Nudge) -> int | None:
    row = await runtime.outbox.enqueue(session, team_id=nudge.team_id, method="chat.postMessage",
                                       args={"channel": nudge.slack_user_id, "text": WELCOME})
    return row.id
