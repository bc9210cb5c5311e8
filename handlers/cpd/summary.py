"""`/cpd-log summary [YEAR]`: standing against the member's framework this year and this cycle."""

from __future__ import annotations

import re

from bot.core.text import escape
from bot.cpd.entries import progress_for
from handlers.commands.context import CommandContext
from handlers.cpd.blocks import summary_message

YEAR = re.compile(r"(19|20)\d\d")


def read_year(text: str) -> tuple[int | None, str | None]:
    """An optional four-digit year: (year or None, error or None)."""
    if not text:
        return None, None
    if YEAR.fullmatch(text):
        return int(text), None
    return None, f"I couldn't read “{escape(text)}” as a year. Write it as four digits, e.g. `2025`."


async def show_summary(ctx: CommandContext) -> None:
    year, error = read_year(ctx.text)
    if error:
        await ctx.reply(f"{error} For this year, send `/cpd-log summary` alone.")
        return
    message = summary_message(await progress_for(ctx.runtime, ctx.team_id, ctx.user_id, year))
    await ctx.reply(message["text"], message["blocks"])
