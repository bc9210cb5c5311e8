"""`/qi-commons chart #slug [measure] [csv]`: the measure's run chart (or its data), in the member's DM."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.measure_charts import ChartUnavailable, MeasureChart, measure_chart
from bot.charts.measure_details import may_change
from bot.core.runtime import Runtime
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
    text, chart = await chart_to_member(ctx.runtime, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id,
                                        slug=slug, measure=measure, as_csv=as_csv)
    blocks = None
    if chart is not None and may_change(ctx.runtime, chart.owner_id, ctx.user_id):
        # The owner can say which way is better, and set the unit, goal and baseline the chart uses.
        blocks = [section(escape(text), verbatim=True,
                          accessory=button("Measure details", MEASURE_DETAILS, str(chart.measure_id)))]
    await ctx.reply(text, blocks)


async def chart_to_member(runtime: Runtime, client: AsyncWebClient, *, team_id: str, user_id: str, slug: str,
                          measure: str = "", as_csv: bool = False) -> tuple[str, MeasureChart | None]:
    """Upload the chart (or its CSV) to the member's DM; what to tell them, and the chart when it went."""
    try:
        chart = await measure_chart(runtime, team_id=team_id, slug=slug, measure=measure, draw=not as_csv)
    except ChartUnavailable as why:
        return str(why), None
    dm = await client.conversations_open(users=user_id)
    if not await upload(client, chart, channel=dm["channel"]["id"], as_csv=as_csv):
        return UPLOAD_FAILED, None
    what = "the data of the run chart" if as_csv else "the run chart"
    return f"Sent {what} of {chart.measure_name} to our direct messages. {chart.summary}", chart
