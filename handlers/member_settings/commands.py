"""`/qi-commons settings`: open the member's settings."""

from __future__ import annotations

from bot.member_settings import settings as member_settings
from handlers.commands.context import CommandContext
from handlers.member_settings.blocks import settings_modal


async def open_settings(ctx: CommandContext) -> None:
    settings = await member_settings.load(ctx.runtime, ctx.team_id, ctx.user_id)
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=settings_modal(settings))
