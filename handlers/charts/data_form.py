"""The "Add data" button on a project's card: a form for one measure's value on a date."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.annotations import NOTE_LIMIT, NotOwner
from bot.charts.data_points import NotAllowed, ProjectMeasures, Reading, WrongUnit, add_points, measures_of
from bot.charts.measure_charts import ChartUnavailable
from bot.charts.numbers import NotANumber, parse_value
from bot.core import phi
from bot.core.runtime import Runtime
from bot.core.text import escape, truncate
from handlers.blocks import option, plain, section
from handlers.charts.data_entry import NOT_YOURS
from handlers.charts.notes import NOT_OWNER as NOTE_NOT_OWNER
from handlers.ids import row_id
from handlers.tenant import team_of
from handlers.view_state import STALE_FORM, metadata, picked_date, text

ADD_DATA = "charts_add_data"  # the card's button (value: the project's slug) and the form's callback
INPUT = "value"


def data_modal(project: ProjectMeasures, today: date) -> dict[str, Any]:
    options = [option(truncate(name, 75), str(measure_id)) for measure_id, name in project.measures]
    return {
        "type": "modal", "callback_id": ADD_DATA, "title": plain("Add data"), "submit": plain("Add"),
        "close": plain("Cancel"), "private_metadata": json.dumps({"s": project.slug}),
        "blocks": [
            section(f"*{escape(truncate(project.title, 150))}* (`#{project.slug}`)", verbatim=True),
            {"type": "input", "block_id": "measure", "label": plain("Measure"),
             "element": {"type": "static_select", "action_id": INPUT, "options": options,
                         "initial_option": options[0]}},
            {"type": "input", "block_id": "on", "label": plain("Measured on"),
             "element": {"type": "datepicker", "action_id": INPUT, "initial_date": today.isoformat()}},
            {"type": "input", "block_id": "value", "label": plain("Value"),
             "element": {"type": "plain_text_input", "action_id": INPUT, "max_length": 20,
                         "placeholder": plain("e.g. 3 or 62%")},
             "hint": plain("A number; 3,5 and 3.5 both work.")},
            {"type": "input", "block_id": "note", "label": plain("Note on the chart"), "optional": True,
             "element": {"type": "plain_text_input", "action_id": INPUT, "max_length": NOTE_LIMIT,
                         "placeholder": plain("e.g. PDSA 2: new triage form")},
             "hint": plain("What changed around this date, shown as a marker on the project's run charts. "
                           "Only the project's owner adds notes. No patient details.")},
        ],
    }


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(ADD_DATA)
    async def open_form(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        try:
            project = await measures_of(runtime, team_id=team_of(context), slug=action.get("value") or "")
        except ChartUnavailable as why:
            await respond(text=str(why), response_type="ephemeral", replace_original=False)
            return
        today = runtime.clock.now().astimezone(runtime.settings.tz).date()
        await client.views_open(trigger_id=body["trigger_id"], view=data_modal(project, today))

    @app.view(ADD_DATA)
    async def add(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        chosen = (((values.get("measure") or {}).get(INPUT) or {}).get("selected_option") or {}).get("value") or ""
        typed = ((values.get("value") or {}).get(INPUT) or {}).get("value") or ""
        note = ((values.get("note") or {}).get(INPUT) or {}).get("value") or None
        on = picked_date(((values.get("on") or {}).get(INPUT) or {}).get("selected_date"))
        errors: dict[str, str] = {}
        if on is None:
            errors["on"] = "Pick the date it was measured."
        try:
            typed_value = parse_value(typed)
            reading = Reading("", typed_value.value, row_id(chosen) or -1, unit=typed_value.unit)
        except NotANumber as why:
            errors["value"] = str(why)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        slug = text(metadata(view), "s")
        if slug is None:
            await ack(response_action="errors", errors={"measure": STALE_FORM})
            return
        try:
            added = await add_points(runtime, team_id=team_of(context), user_id=body["user"]["id"], slug=slug,
                                     readings=[reading], observed_on=on, note=note)
        except NotOwner:
            await ack(response_action="errors", errors={"note": NOTE_NOT_OWNER})
            return
        except phi.ContainsPhi as refused:
            await ack(response_action="errors", errors={"note": phi.field_error(refused.hits["note"])})
            return
        except WrongUnit as why:
            await ack(response_action="errors", errors={"value": str(why)})
            return
        except ChartUnavailable as why:
            await ack(response_action="errors", errors={"on" if "ago" in str(why) or "future" in str(why)
                                                        else "measure": str(why)})
            return
        except NotAllowed:
            await ack(response_action="errors", errors={"measure": NOT_YOURS})
            return
        if added[0].duplicate:
            await ack(response_action="errors", errors={"on": (
                f"{added[0].measure_name[:60]} already has a value on {on:%d %b %Y}. Pick another date, or send "
                f"`/qi-share #{added[0].slug} data {added[0].measure_name[:20]}={typed} {on.isoformat()}` "
                "to replace it or keep both.")})
            return
        await ack()
