"""`/cpd-log export [YEAR|cycle]`: a CSV of the member's entries, uploaded to their DM with the bot.

The file is built from stored entries on demand, so if Slack refuses the upload nothing is lost:
the member is told and can ask again (an upload is several calls, which the outbox cannot replay).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from slack_sdk.errors import SlackApiError

from bot.core.text import escape, plural
from bot.cpd.entries import entries_between, export_rows, get_profile
from bot.cpd.export import FILE_ENCODING, entries_csv
from bot.cpd.rules import format_credits
from handlers.commands.context import CommandContext
from handlers.cpd.summary import read_year

log = logging.getLogger(__name__)

USAGE = "Send `/cpd-log export` for this year, `/cpd-log export 2025` for a year, or `/cpd-log export cycle`."


async def export_entries(ctx: CommandContext) -> None:
    profile = await get_profile(ctx.runtime, ctx.team_id, ctx.user_id)
    rules = profile.rules
    current = rules.year_of(profile.today)
    if ctx.text.lower() == "cycle":
        first, start, end = profile.cycle_containing(current)
        period, slug = f"your cycle {start.isoformat()} to {end.isoformat()}", f"cycle-{first}"
    else:
        year, error = read_year(ctx.text)
        if error:
            await ctx.reply(f"{error} {USAGE}")
            return
        year = current if year is None else year
        start, end = rules.year_bounds(year)
        period, slug = f"{start.isoformat()} to {end.isoformat()}", str(year)
    entries = await entries_between(ctx.runtime, ctx.team_id, ctx.user_id, start, end)
    if not entries:
        await ctx.reply(f"You have no CPD entries from {period} to export. {USAGE}")
        return
    rows = export_rows(entries)
    credits = sum((row.credits for row in rows if row.credits is not None), Decimal(0))
    activities = plural(len(rows), "activity", "activities")
    summary = (f"{activities}, {format_credits(credits)} credit{'' if credits == 1 else 's'} before per-cycle caps"
               if rules.awards_credits else activities)
    try:
        dm = await ctx.client.conversations_open(users=ctx.user_id)
        await ctx.client.files_upload_v2(
            channel=dm["channel"]["id"], content=entries_csv(rows).encode(FILE_ENCODING),
            filename=f"cpd-{rules.id}-{slug}.csv", title=f"CPD entries, {period}",
            initial_comment=escape(f"Your {rules.short_name} CPD entries from {period}: {summary}. "
                                   f"Open it in a spreadsheet or copy the rows into {rules.portal}."))
    except SlackApiError as exc:
        log.warning("CPD export upload failed for %s: %s", ctx.user_id, exc.response.get("error"))
        await ctx.reply("I couldn't send the file just now. Your entries are safe; "
                        "try `/cpd-log export` again in a minute.")
        return
    await ctx.reply(f"Sent a CSV of {plural(len(rows), 'entry', 'entries')} from {period} to our direct messages.")
