"""The forget-me confirmation's buttons. The person forgotten is always the one who clicked."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.core.runtime import Runtime
from bot.privacy import rights as privacy
from handlers.home.publish import publish_forgotten
from handlers.mentoring import notify
from handlers.privacy.blocks import CANCEL_FORGET, CONFIRM_FORGET, forgotten_summary, partner_left_text
from handlers.sharing.posting import refresh_message, refresh_parent


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(CONFIRM_FORGET)
    async def confirm(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        await respond(text="Deleting your data…", replace_original=True)
        result = await privacy.forget(runtime, team_id, user_id, partner_left_text=partner_left_text,
                                      announce_withdrawal=partial(notify.announce_withdrawal, runtime),
                                      announce_handoff=partial(notify.announce_hand_on, runtime, expired=False))
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
