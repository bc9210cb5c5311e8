"""Upload a measure's chart with its analysis in words, to a DM or a project's thread.

An upload is several calls the outbox cannot replay; the chart is drawn afresh from stored data on each
request, so when Slack refuses, nothing is lost: the member is told and asks again.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.measure_charts import MeasureChart
from bot.core.text import escape

log = logging.getLogger(__name__)

CHART = "charts_run_chart"  # the "Run chart" button on a project's card; its value is the project's slug
CHART_TO_ME = "charts_run_chart_dm"  # the same on the App Home: the chart goes to the member's DM

UPLOAD_FAILED = "I couldn't upload the chart just now. The data is safe; please try again in a minute."


def comment(chart: MeasureChart) -> str:
    """The words beside the image: what was charted, and what the rules say about it."""
    others = ""
    if chart.other_measures:
        others = (f"\nOther measures: {escape(', '.join(chart.other_measures))}. "
                  f"`/qi-commons chart #{chart.slug} NAME` draws one.")
    return (f"*Run chart: {escape(chart.measure_name)}* (`#{chart.slug}`, {chart.points} points)\n"
            f"{escape(chart.summary)}{others}")


async def upload(client: AsyncWebClient, chart: MeasureChart, *, channel: str, thread_ts: str | None = None,
                 as_csv: bool = False) -> bool:
    """The PNG with its words, or (`as_csv`) the series and its analysis as a CSV for a spreadsheet."""
    file = ({"content": chart.csv.encode("utf-8-sig"), "filename": f"run-chart-{chart.slug}.csv",
             "title": f"Run chart data: {chart.measure_name}"} if as_csv else
            {"content": chart.png, "filename": f"run-chart-{chart.slug}.png", "title": f"Run chart: {chart.measure_name}",
             "alt_txt": chart.alt_text[:1000]})
    try:
        await client.files_upload_v2(channel=channel, thread_ts=thread_ts, initial_comment=comment(chart), **file)
    except (SlackApiError, OSError, TimeoutError) as error:  # a refusal, or Slack unreachable
        log.warning("Chart upload for #%s failed: %s", chart.slug,
                    error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__)
        return False
    return True
