"""`/qi-commons settings`: open the member's settings."""

from __future__ import annotations

from bot import member_settings
from handlers.commands.context import CommandContext
from handlers.settings.blocks import settings_modal


async def open_settings(ctx: CommandContext) -> None:
    settings = await member_settings.load(ctx.runtime, ctx.team_id, ctx.user_id)
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=settings_modal(settings))
