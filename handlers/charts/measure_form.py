"""The measure details modal: which way is better, unit, goal and baseline, for the project's owner."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from bot.charts.measure_details import MAX_BASELINE, UNIT_LIMIT, MeasureDetails, MeasureForm
from bot.charts.numbers import NotANumber, parse_value
from bot.core.text import escape, truncate
from handlers.blocks import option, plain, section
from handlers.view_state import picked_date

MEASURE_DETAILS = "charts_measure_details"  # the button (value: the measure's id) and the modal's callback
INPUT = "value"
DIRECTIONS = (("up", "Higher is better"), ("down", "Lower is better"), ("", "Not said yet"))


def _input(block_id: str, label: str, element: dict[str, Any], hint: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label), "element": element,
                             "optional": True}
    if hint:
        block["hint"] = plain(hint)
    return block


def _text(initial: str | None, limit: int, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": INPUT, "max_length": limit,
                               "placeholder": plain(placeholder)}
    if initial:
        element["initial_value"] = initial
    return element


def _date(initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": INPUT, "placeholder": plain("Pick a date")}
    if initial:
        element["initial_date"] = initial.isoformat()
    return element


def measure_modal(form: MeasureForm) -> dict[str, Any]:
    details = form.details
    options = [option(label, value or "none") for value, label in DIRECTIONS]
    direction: dict[str, Any] = {"type": "static_select", "action_id": INPUT, "options": options,
                                 "initial_option": options[[v for v, _ in DIRECTIONS].index(details.direction or "")]}
    goal = None if details.goal is None else f"{details.goal.normalize():f}"
    return {
        "type": "modal", "callback_id": MEASURE_DETAILS, "title": plain("Measure details"),
        "submit": plain("Save"), "close": plain("Cancel"),
        "private_metadata": json.dumps({"m": form.measure_id}),
        "blocks": [
            section(f"*{escape(truncate(form.name, 150))}* in {escape(truncate(form.project_title, 150))}", verbatim=True),
            _input("direction", "Which way is better?", direction,
                   "A run of points on the better side is called an improvement; on the other, a deterioration."),
            _input("unit", "Unit", _text(details.unit, UNIT_LIMIT, "days, %, per 1,000 bed-days")),
            _input("goal", "Goal", _text(goal, 20, "e.g. 14"), "Drawn as a line on the chart."),
            _input("baseline", "Baseline points", _text(str(details.baseline_points or ""), 3, "e.g. 12"),
                   "Freeze the centre line on the first points, before the change: later points are judged "
                   "against it. Leave empty to use every point."),
            _input("change_on", "A change adopted on", _date(details.change_on),
                   "From this date the chart starts a new part with its own centre line: before and after."),
        ],
    }


def read_measure_modal(values: dict[str, Any]) -> tuple[MeasureDetails | None, dict[str, str]]:
    """The details typed, or field errors saying what to fix."""
    def typed(block: str) -> str:
        return ((values.get(block) or {}).get(INPUT) or {}).get("value") or ""

    selected = (((values.get("direction") or {}).get(INPUT) or {}).get("selected_option") or {}).get("value")
    errors: dict[str, str] = {}
    direction = selected if selected in ("up", "down") else None
    goal: Decimal | None = None
    if typed("goal").strip():
        try:
            goal = parse_value(typed("goal")).value
        except NotANumber as why:
            errors["goal"] = str(why)
    baseline: int | None = None
    if text := typed("baseline").strip():
        if not text.isdigit() or not 1 <= int(text) <= MAX_BASELINE:
            errors["baseline"] = f"Give a whole number of points from 1 to {MAX_BASELINE}, or leave it empty."
        else:
            baseline = int(text)
    picked = ((values.get("change_on") or {}).get(INPUT) or {}).get("selected_date")
    change_on = picked_date(picked)
    if picked and change_on is None:
        errors["change_on"] = "That is not a date on the calendar: pick the day the change was adopted."
    if errors:
        return None, errors
    return MeasureDetails(direction, typed("unit").strip() or None, goal, baseline, change_on), {}
