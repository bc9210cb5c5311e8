"""`/qi-commons admin ...`: the router refuses non-admins (audited) before any admin subcommand runs."""

from __future__ import annotations

from dataclasses import replace

from bot.core.text import escape
from handlers.admin import console, schedule
from handlers.admin.guard import REFUSAL, refuse_non_admin
from handlers.commands.context import CommandContext, Subcommand, match_subcommand, split_subcommand
from handlers.report.command import report_command
from handlers.weekly.preview import digest_command

ADMIN_SUBCOMMANDS: dict[str, Subcommand] = {
    "": console.open_console,
    # `/qi-commons admin digest preview`, as the README and help say (`/qi-commons digest preview` works too).
    "digest": digest_command,
    "report": report_command,
    **schedule.SUBCOMMANDS,
}


async def admin_command(ctx: CommandContext) -> None:
    name, rest = match_subcommand(ctx.text, ADMIN_SUBCOMMANDS)
    word = name if name is not None else split_subcommand(ctx.text)[0]
    if await refuse_non_admin(ctx.runtime, team_id=ctx.team_id, user_id=ctx.user_id, action=f"admin {word}".strip()):
        await ctx.reply(REFUSAL)
        return
    handler = ADMIN_SUBCOMMANDS.get(name) if name is not None else None
    if handler is None:
        known = ", ".join(f"`{name}`" for name in sorted(ADMIN_SUBCOMMANDS) if name) or "none yet"
        await ctx.reply(f"I don't know the admin action `{escape(word)}`. Admin actions: {known}.")
        return
    await handler(replace(ctx, text=rest))
