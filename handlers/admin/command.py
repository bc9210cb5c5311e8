"""`/qi-commons admin ...`: the router refuses non-admins (audited) before any admin subcommand runs."""

from __future__ import annotations

from dataclasses import replace

from bot.core.text import escape
from handlers.admin import console, schedule
from handlers.admin.guard import REFUSAL, refuse_non_admin
from handlers.commands.context import CommandContext, Subcommand, split_subcommand

ADMIN_SUBCOMMANDS: dict[str, Subcommand] = {
    "": console.open_console,
    **schedule.SUBCOMMANDS,
}


async def admin_command(ctx: CommandContext) -> None:
    word, rest = split_subcommand(ctx.text)
    if await refuse_non_admin(ctx.runtime, team_id=ctx.team_id, user_id=ctx.user_id, action=f"admin {word}".strip()):
        await ctx.reply(REFUSAL)
        return
    handler = ADMIN_SUBCOMMANDS.get(word)
    if handler is None:
        known = ", ".join(f"`{name}`" for name in sorted(ADMIN_SUBCOMMANDS) if name) or "none yet"
        await ctx.reply(f"I don't know the admin action `{escape(word)}`. Admin actions: {known}.")
        return
    await handler(replace(ctx, text=rest))
