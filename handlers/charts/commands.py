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
         "another (a name, part of one, or its number).")


async def chart_command(ctx: CommandContext) -> None:
    slug, _, measure = ctx.text.partition(" ")
    if not slug.startswith("#") or len(slug) < 2:
        await ctx.reply(USAGE)
        return
    try:
        chart = await measure_chart(ctx.runtime, team_id=ctx.team_id, slug=slug, measure=measure)
    except ChartUnavailable as why:
        await ctx.reply(str(why))
        return
    dm = await ctx.client.conversations_open(users=ctx.user_id)
    if not await upload(ctx.client, chart, channel=dm["channel"]["id"]):
        await ctx.reply(UPLOAD_FAILED)
        return
    text = f"Sent the run chart of {chart.measure_name} to our direct messages. {chart.summary}"
    blocks = None
    if may_change(ctx.runtime, chart.owner_id, ctx.user_id):
        # The owner can say which way is better, and set the unit, goal and baseline the chart uses.
        blocks = [section(escape(text), verbatim=True,
                          accessory=button("Measure details", MEASURE_DETAILS, str(chart.measure_id)))]
    await ctx.reply(text, blocks)
