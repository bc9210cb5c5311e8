"""`/qi-commons admin report [month|quarter|year|YYYY-MM..YYYY-MM|preview]` (the admin router has already
refused and audited non-admins).

A period's report goes to the asking admin's own DM (summary, chart, CSV); `preview` shows last
month's as the monthly run would send it, to the admin alone, and says when and to whom it goes.
Neither posts anything anyone else can see.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.core.audit import record_alone
from bot.report import monthly
from bot.report.build import report_for
from bot.report.periods import BadPeriod
from handlers.commands.context import CommandContext
from handlers.report.blocks import preview_note, report_blocks, report_message
from handlers.report.delivery import upload_files

VIEWED, PREVIEWED = "report.viewed", "report.previewed"


async def report_command(ctx: CommandContext) -> None:
    preview = ctx.text.lower() == "preview"
    try:
        report = await report_for(ctx.runtime, ctx.team_id, "" if preview else ctx.text)
    except BadPeriod as bad:
        await ctx.reply(str(bad))
        return
    await record_alone(ctx.runtime, team_id=ctx.team_id, actor_id=ctx.user_id, action=PREVIEWED if preview else VIEWED,
                       subject=f"period:{report.period.key}")
    if preview:
        due = monthly.next_due(ctx.runtime.clock.now(), ctx.runtime.settings.tz)
        await ctx.reply(f"Preview: {report_message(report)['text']}",
                        [preview_note(len(ctx.runtime.settings.admin_user_ids), due), *report_blocks(report)])
        return
    try:
        dm = await ctx.client.conversations_open(users=ctx.user_id)
        await ctx.client.chat_postMessage(channel=dm["channel"]["id"], **report_message(report))
    except SlackApiError:
        await ctx.reply("I couldn't send the report just now. Nothing is lost: try again in a minute.")
        return
    files = await upload_files(ctx.client, ctx.user_id, report)
    await ctx.reply(f"Sent the value report for {report.period.label} to our direct messages"
                    + (", with the participation chart and the CSV." if files else
                       ". The chart and the CSV did not go through: ask again in a minute for them."))
