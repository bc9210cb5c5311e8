"""`/qi-commons chart #slug [measure]`: the measure's run chart, in the member's DM with the bot."""

from __future__ import annotations

from bot.charts.measure_charts import ChartUnavailable, measure_chart
from bot.charts.measure_details import may_change
from bot.core.text import escape
from handlers.blocks import button, section
from handlers.charts.delivery import UPLOAD_FAILED, upload
from handlers.charts.measure_form import MEASURE_DETAILS
from handlers.commands.context import CommandContext

USAGE = ("Send `/qi-commons chart #project` for its main measure, or `/qi-commons chart #project falls` for "
         "another (a name, part of one, or its number). Add `csv` at the end for the data and the analysis as a "
         "spreadsheet file.")


async def chart_command(ctx: CommandContext) -> None:
    slug, _, measure = ctx.text.partition(" ")
    if not slug.startswith("#") or len(slug) < 2:
        await ctx.reply(USAGE)
        return
    as_csv = measure.lower() == "csv" or measure.lower().endswith(" csv")
    if as_csv:
        measure = measure[:-3].strip()
    try:
        chart = await measure_chart(ctx.runtime, team_id=ctx.team_id, slug=slug, measure=measure, draw=not as_csv)
    except ChartUnavailable as why:
        await ctx.reply(str(why))
        return
    dm = await ctx.client.conversations_open(users=ctx.user_id)
    if not await upload(ctx.client, chart, channel=dm["channel"]["id"], as_csv=as_csv):
        await ctx.reply(UPLOAD_FAILED)
        return
    what = "the data of the run chart" if as_csv else "the run chart"
    text = f"Sent {what} of {chart.measure_name} to our direct messages. {chart.summary}"
    blocks = None
    if may_change(ctx.runtime, chart.owner_id, ctx.user_id):
        # The owner can say which way is better, and set the unit, goal and baseline the chart uses.
        blocks = [section(escape(text), verbatim=True,
                          accessory=button("Measure details", MEASURE_DETAILS, str(chart.measure_id)))]
    await ctx.reply(text, blocks)
