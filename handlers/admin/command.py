"""`/qi-commons admin ...`: the router refuses non-admins (audited) before any admin subcommand runs.

A schedule change answers in the ack (stored first: see handlers/admin/schedule.py), so `admin_route`
picks it from the text and the admin check runs before the ack too; the rest run after it.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from bot.core.text import escape
from handlers.admin import console, schedule
from handlers.admin.guard import REFUSAL, refuse_non_admin
from handlers.commands.context import (
    Answer,
    Answering,
    CommandContext,
    Handler,
    Subcommand,
    match_subcommand,
    message,
    split_subcommand,
)
from handlers.report.command import report_command
from handlers.weekly.preview import digest_command

ADMIN_SUBCOMMANDS: dict[str, Subcommand | Answering] = {
    "": console.open_console,
    # `/qi-commons admin digest preview`, as the README and help say (`/qi-commons digest preview` works too).
    "digest": digest_command,
    "report": report_command,
    **schedule.SUBCOMMANDS,
}


def _word(ctx: CommandContext) -> tuple[str | None, str, str]:
    name, rest = match_subcommand(ctx.text, ADMIN_SUBCOMMANDS)
    return name, rest, name if name is not None else split_subcommand(ctx.text)[0]


def admin_route(ctx: CommandContext) -> tuple[Handler, CommandContext]:
    """An answering admin subcommand, checked and run before the ack; any other, `admin_command` after it."""
    name, rest, word = _word(ctx)
    handler = ADMIN_SUBCOMMANDS.get(name) if name is not None else None
    if isinstance(handler, Answering):
        return Answering(partial(_answer_as_admin, handler, word)), replace(ctx, text=rest)
    return admin_command, ctx


async def _answer_as_admin(handler: Answering, word: str, ctx: CommandContext) -> Answer:
    if await refuse_non_admin(ctx.runtime, team_id=ctx.team_id, user_id=ctx.user_id, action=f"admin {word}".strip()):
        return message(REFUSAL)
    return await handler.answer(ctx)


async def admin_command(ctx: CommandContext) -> None:
    name, rest, word = _word(ctx)
    if await refuse_non_admin(ctx.runtime, team_id=ctx.team_id, user_id=ctx.user_id, action=f"admin {word}".strip()):
        await ctx.reply(REFUSAL)
        return
    handler = ADMIN_SUBCOMMANDS.get(name) if name is not None else None
    if handler is None:
        known = ", ".join(f"`{name}`" for name in sorted(ADMIN_SUBCOMMANDS) if name) or "none yet"
        await ctx.reply(f"I don't know the admin action `{escape(word)}`. Admin actions: {known}.")
        return
    assert not isinstance(handler, Answering)  # admin_route answers those in the ack, never through here
    await handler(replace(ctx, text=rest))
