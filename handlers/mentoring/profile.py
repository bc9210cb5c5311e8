"""`/qi-commons mentor`: become a mentor, change what you offer, pause, or stop."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.phi import ContainsPhi
from bot.core.runtime import Runtime
from bot.mentoring import profiles
from handlers.commands.context import CommandContext
from handlers.mentoring import blocks, forms, notify, views
from handlers.tenant import team_of


async def open_profile(runtime: Runtime, client: AsyncWebClient, *, team_id: str, user_id: str,
                       trigger_id: str) -> None:
    """Open the mentor profile modal, filled in from the profile on file and, where that says nothing, from
    the member's own settings (Home's button uses this too)."""
    profile = await profiles.profile_view(runtime, team_id=team_id, user_id=user_id)
    start = await profiles.profile_start(runtime, team_id=team_id, user_id=user_id)
    await client.views_open(trigger_id=trigger_id, view=views.profile_modal(profile, start))


async def mentor_subcommand(ctx: CommandContext) -> None:
    await open_profile(ctx.runtime, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, trigger_id=ctx.trigger_id)


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.view(views.PROFILE)
    async def profile_submitted(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any],
                                view: dict[str, Any]) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        profile, stop, errors = forms.read_profile(view, runtime.settings, name=None)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        if stop:
            removed = await profiles.remove_profile(runtime, team_id=team_id, user_id=user_id)
            await ack()
            if removed:
                await notify.dm(runtime, team_id, user_id, blocks.profile_removed(), purpose="mentor_profile")
            return
        assert profile is not None
        try:
            created = await profiles.save_profile(runtime, team_id=team_id, user_id=user_id, profile=profile)
        except ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        await ack()  # before any Slack call: the name lookup below may be slow
        if name := await profiles.slack_display_name(runtime, user_id):
            await profiles.set_mentor_name(runtime, team_id=team_id, user_id=user_id, name=name)
        await notify.dm(runtime, team_id, user_id,
                        blocks.profile_saved(profile.expertise, profile.capacity, bool(profile.accepting), created),
                        purpose="mentor_profile")
