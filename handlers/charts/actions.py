"""The "Run chart" button on a project's card: the chart goes into the project's thread for the team to see."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.measure_charts import ChartUnavailable, measure_chart
from bot.core.runtime import Runtime
from handlers.charts.delivery import CHART, UPLOAD_FAILED, upload


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(CHART)
    async def run_chart(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                        respond: AsyncRespond) -> None:
        await ack()

        async def tell(text: str) -> None:
            await respond(text=text, response_type="ephemeral", replace_original=False)

        try:
            chart = await measure_chart(runtime, team_id=body["team"]["id"], slug=action.get("value") or "")
        except ChartUnavailable as why:
            await tell(str(why))
            return
        if chart.channel_id is None or chart.thread_ts is None:
            await tell("This project's card is not in a channel yet; `/qi-commons chart` sends the chart to you.")
            return
        if not await upload(client, chart, channel=chart.channel_id, thread_ts=chart.thread_ts):
            await tell(UPLOAD_FAILED)
