"""The "Run chart" button on a project's card (the chart goes into the project's thread for the team to see),
and the owner's measure details: the button that opens the modal, and its submission."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import measure_details
from bot.charts.measure_charts import ChartUnavailable, measure_chart
from bot.core import phi
from bot.core.runtime import Runtime
from handlers.charts.commands import chart_to_member
from handlers.charts.delivery import CHART, CHART_TO_ME, UPLOAD_FAILED, upload
from handlers.charts.measure_form import MEASURE_DETAILS, measure_modal, read_measure_modal
from handlers.ids import row_id
from handlers.tenant import team_of
from handlers.view_state import STALE_FORM, metadata

log = logging.getLogger(__name__)

NOT_YOURS = "Only the project's owner (or a QI Commons admin) can change its measures."
GONE = "That measure is no longer in the project."


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(CHART)
    async def run_chart(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()

        async def tell(text: str) -> None:
            await respond(text=text, response_type="ephemeral", replace_original=False)

        try:
            chart = await measure_chart(runtime, team_id=team_of(context), slug=action.get("value") or "")
        except ChartUnavailable as why:
            await tell(str(why))
            return
        if chart.channel_id is None or chart.thread_ts is None:
            await tell("This project's card is not in a channel yet; `/qi-commons chart` sends the chart to you.")
            return
        if not await upload(client, chart, channel=chart.channel_id, thread_ts=chart.thread_ts):
            await tell(UPLOAD_FAILED)

    @app.action(CHART_TO_ME)
    async def run_chart_to_me(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                              client: AsyncWebClient) -> None:
        """From the App Home, which has no ephemeral replies: the chart, or why there is none, comes by DM."""
        await ack()
        user_id = body["user"]["id"]
        text, chart = await chart_to_member(runtime, client, team_id=team_of(context), user_id=user_id,
                                            slug=action.get("value") or "")
        if chart is None:
            await runtime.outbox.send(team_id=team_of(context), method="chat.postMessage",
                                      args={"channel": user_id, "text": text})

    @app.action(MEASURE_DETAILS)
    async def open_details(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                           client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        measure_id = row_id(action.get("value"))
        if measure_id is None:
            await respond(text=GONE, response_type="ephemeral", replace_original=False)
            return
        try:
            form = await measure_details.measure_form(runtime, team_id=team_of(context), user_id=body["user"]["id"],
                                                      measure_id=measure_id)
        except measure_details.NotAllowed:
            await respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
            return
        except measure_details.NotFound:
            await respond(text=GONE, response_type="ephemeral", replace_original=False)
            return
        await client.views_open(trigger_id=body["trigger_id"], view=measure_modal(form))

    @app.view(MEASURE_DETAILS)
    async def save_details(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any]) -> None:
        details, errors = read_measure_modal(view["state"]["values"])
        if details is None:
            await ack(response_action="errors", errors=errors)
            return
        measure_id = row_id((metadata(view) or {}).get("m"))
        if measure_id is None:
            log.warning("A measure details form came back without its measure")
            await ack(response_action="errors", errors={"direction": STALE_FORM})
            return
        try:
            await measure_details.save_measure_details(runtime, team_id=team_of(context), user_id=body["user"]["id"],
                                                       measure_id=measure_id, details=details)
        except phi.ContainsPhi as refused:
            await ack(response_action="errors", errors={"unit": phi.describe(refused.hits, {"unit": "The unit"})})
            return
        except measure_details.NotAllowed:
            await ack(response_action="errors", errors={"direction": NOT_YOURS})
            return
        except measure_details.NotFound:
            await ack(response_action="errors", errors={"direction": GONE})
            return
        await ack()
