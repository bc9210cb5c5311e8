"""Importing a measure's series from a CSV: "Import CSV" on a project's card (or `/qi-share #slug import`)
opens a form with a file_input; "Check file" reads it and shows the dry run (row errors, or what would be
added and replaced); "Import" stores it all, or nothing, and says what was stored.

Each submission is answered in its ack (the dry run or the result replaces the form), so the file is read
within Slack's 3 seconds: DOWNLOAD_SECONDS, and the member is told to press again when Slack is slower.
The dry run keeps only the file's id and address (a view holds 3,000 characters, a series many more): the
import reads it again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.csv_import import MAX_BYTES, MAX_ROWS, SHOWN_ERRORS, FileRefused
from bot.charts.data_points import NotAllowed, ProjectMeasures, measures_of
from bot.charts.imports import ImportPlan, import_series, plan_import
from bot.charts.measure_charts import ChartUnavailable
from bot.core.runtime import Runtime
from bot.core.slack.files import DownloadFailed, download
from bot.core.text import escape, plural, truncate
from handlers.blocks import context, option, plain, section
from handlers.charts.data_entry import NOT_YOURS
from handlers.ids import row_id
from handlers.tenant import team_of
from handlers.view_state import STALE_FORM, metadata, text

IMPORT_TEXT = re.compile(r"^#([a-z0-9][a-z0-9-]*)\s+import(?:\s+csv)?\s*$", re.IGNORECASE)  # /qi-share #slug import
IMPORT = "charts_import_csv"  # the card's button (value: the slug) and the form's callback
CONFIRM = "charts_import_confirm"  # the dry run's callback
INPUT = "value"
EACH_ROW = "each"  # the measure select's option for a date,measure,value file
DOWNLOAD_SECONDS = 2.0
FORMAT_HINT = (f"Row 1 is the header: `date,value` for the measure you pick, or `date,measure,value`. Dates as "
               f"YYYY-MM-DD; 3,5 and 3.5 both work, and so does a file French Excel saved with `;`. Up to "
               f"{MAX_ROWS:,} rows. You see what would be imported before anything is stored.")


def import_modal(project: ProjectMeasures) -> dict[str, Any]:
    options = [option("Each row names it (date,measure,value)", EACH_ROW),
               *(option(truncate(name, 75), str(measure_id)) for measure_id, name in project.measures)]
    return {
        "type": "modal", "callback_id": IMPORT, "title": plain("Import CSV"), "submit": plain("Check file"),
        "close": plain("Cancel"), "private_metadata": json.dumps({"s": project.slug}),
        "blocks": [
            section(f"*{escape(truncate(project.title, 150))}* (`#{project.slug}`)", verbatim=True),
            {"type": "input", "block_id": "measure", "label": plain("Measure"),
             "element": {"type": "static_select", "action_id": INPUT, "options": options,
                         "initial_option": options[1] if len(options) == 2 else options[0]}},
            {"type": "input", "block_id": "file", "label": plain("CSV file"),
             "element": {"type": "file_input", "action_id": INPUT, "filetypes": ["csv", "txt"], "max_files": 1}},
            context(FORMAT_HINT),
        ],
    }


def dry_run_view(plan: ImportPlan, meta: dict[str, Any]) -> dict[str, Any]:
    """What the file would do: its row errors (and nothing can be imported), or the points per measure with
    the dates already stored and the choice of replacing or keeping both."""
    heading = section(f"*{escape(truncate(plan.title, 150))}* (`#{plan.slug}`)", verbatim=True)
    view: dict[str, Any] = {"type": "modal", "callback_id": CONFIRM, "title": plain("Import CSV"),
                            "close": plain("Close"), "private_metadata": json.dumps(meta, separators=(",", ":"))}
    if plan.errors:
        shown = "\n".join(f"• Row {e.row}, {e.field}: {e.message}" for e in plan.errors[:SHOWN_ERRORS])
        more = len(plan.errors) - SHOWN_ERRORS
        if more > 0:
            shown += f"\n…and {plural(more, 'more problem')}."
        return {**view, "blocks": [
            heading,
            section(f"*{plural(len(plan.errors), 'row needs', 'rows need')} fixing*, so nothing will be imported "
                    f"yet ({plural(plan.points, 'row is', 'rows are')} fine):\n{shown}"),
            context("Fix them in your spreadsheet, save it as CSV, and press Import CSV again."),
        ]}
    if not plan.points:
        return {**view, "blocks": [heading, section("This file has a header but no rows of data: nothing to import.")]}
    listed = "\n".join(f"• {escape(m.name)}: {plural(m.points, 'point')}, " + (
        f"on {m.first_on:%d %b %Y}" if m.first_on == m.last_on else f"{m.first_on:%d %b %Y} to {m.last_on:%d %b %Y}")
        for m in plan.measures)
    blocks = [heading, section(f"Ready to import *{plural(plan.points, 'point')}*:\n{listed}", verbatim=True)]
    if plan.duplicates:
        example = next(m for m in plan.measures if m.already)
        blocks.append({
            "type": "input", "block_id": "duplicates",
            "label": plain(truncate(f"{plural(plan.duplicates, 'date')} already {'has' if plan.duplicates == 1 else 'have'} "
                                    f"a value (e.g. {example.name}, {example.already[0]:%d %b %Y})", 2000)),
            "element": {"type": "radio_buttons", "action_id": INPUT, "options": [
                option("Replace the stored values with the file's", "replace"),
                option("Keep both", "keep_both")]}})
    blocks.append(context("Nothing is stored until you press Import; then all of it is, or none."))
    return {**view, "submit": plain("Import"), "close": plain("Cancel"), "blocks": blocks}


def done_view(plan: ImportPlan) -> dict[str, Any]:
    replaced = f" ({plural(plan.duplicates, 'stored value')} replaced)" if plan.mode == "replace" and plan.duplicates else ""
    listed = "\n".join(f"• {escape(m.name)}: {plural(m.points, 'point')}" for m in plan.measures)
    return {"type": "modal", "callback_id": CONFIRM, "title": plain("Import CSV"), "close": plain("Done"),
            "blocks": [section(f"Imported *{plural(plan.points, 'point')}* into *{escape(truncate(plan.title, 150))}* "
                               f"(`#{plan.slug}`){replaced}:\n{listed}", verbatim=True),
                       context(f"`/qi-commons chart #{plan.slug}` draws the run chart.")]}


def refused_view(slug: str, why: str) -> dict[str, Any]:
    return {"type": "modal", "callback_id": CONFIRM, "title": plain("Import CSV"), "close": plain("Close"),
            "blocks": [section(f"Nothing was imported into `#{slug}`. {why}")]}


def _picked_file(view: dict[str, Any]) -> dict[str, Any] | None:
    files = ((view["state"]["values"].get("file") or {}).get(INPUT) or {}).get("files")
    return files[0] if isinstance(files, list) and files and isinstance(files[0], dict) else None


async def open_import_form(runtime: Runtime, client: AsyncWebClient, *, team_id: str, trigger_id: str,
                           slug: str) -> str | None:
    """Open the form; the words to tell the member instead when the project has nothing to import into."""
    try:
        project = await measures_of(runtime, team_id=team_id, slug=slug)
    except ChartUnavailable as why:
        return str(why)
    await client.views_open(trigger_id=trigger_id, view=import_modal(project))
    return None


def register(app: AsyncApp, runtime: Runtime) -> None:
    async def read(client: AsyncWebClient, file: dict[str, Any]) -> bytes:
        return await download(file, token=client.token or "", api_url=client.base_url, limit=MAX_BYTES,
                              timeout=DOWNLOAD_SECONDS)

    @app.action(IMPORT)
    async def open_form(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                        respond: AsyncRespond) -> None:
        await ack()
        refused = await open_import_form(runtime, client, team_id=team_of(context), trigger_id=body["trigger_id"],
                                         slug=action.get("value") or "")
        if refused:
            await respond(text=refused, response_type="ephemeral", replace_original=False)

    @app.view(IMPORT)
    async def check(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        slug = text(metadata(view), "s")
        chosen = (((view["state"]["values"].get("measure") or {}).get(INPUT) or {}).get("selected_option") or {})
        measure_id = row_id(chosen.get("value"))
        file = _picked_file(view)
        if slug is None:
            await ack(response_action="errors", errors={"measure": STALE_FORM})
            return
        if file is None:
            await ack(response_action="errors", errors={"file": "Choose the CSV file to import."})
            return
        try:
            raw = await read(client, file)
            plan = await plan_import(runtime, team_id=team_of(context), user_id=body["user"]["id"], slug=slug,
                                     raw=raw, measure_id=measure_id)
        except (DownloadFailed, FileRefused) as why:
            await ack(response_action="errors", errors={"file": truncate(str(why), 300)})
            return
        except ChartUnavailable as why:
            await ack(response_action="errors", errors={"measure": str(why)})
            return
        except NotAllowed:
            await ack(response_action="errors", errors={"measure": NOT_YOURS})
            return
        meta = {"s": plan.slug, "m": measure_id, "f": {k: file.get(k) for k in ("id", "size", "url_private_download",
                                                                                  "url_private")}}
        await ack(response_action="update", view=dry_run_view(plan, meta))

    @app.view(CONFIRM)
    async def confirm(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        meta = metadata(view) or {}
        slug, file = text(meta, "s"), meta.get("f")
        if slug is None or not isinstance(file, dict):
            await ack(response_action="update", view=refused_view("the project", STALE_FORM))
            return
        picked = ((view["state"]["values"].get("duplicates") or {}).get(INPUT) or {}).get("selected_option") or {}
        mode = picked.get("value") if picked.get("value") in ("replace", "keep_both") else "new"
        measure_id = row_id(meta.get("m"))
        try:
            raw = await read(client, file)
            plan = await import_series(runtime, team_id=team_of(context), user_id=body["user"]["id"], slug=slug,
                                       raw=raw, measure_id=measure_id, mode=mode)  # type: ignore[arg-type]
        except (DownloadFailed, FileRefused, ChartUnavailable) as why:
            await ack(response_action="update", view=refused_view(slug, str(why)))
            return
        except NotAllowed:
            await ack(response_action="update", view=refused_view(slug, NOT_YOURS))
            return
        asked = "duplicates" in view["state"]["values"]
        if plan.duplicates and mode == "new" and not plan.errors and asked:
            await ack(response_action="errors", errors={"duplicates": "Choose whether to replace them or keep both."})
            return
        # Not stored: row errors, or dates stored since the dry run (it is shown again, now asking about them).
        await ack(response_action="update", view=done_view(plan) if plan.stored else dry_run_view(plan, meta))
