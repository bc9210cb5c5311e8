"""Reading the sharing modals' state into checked fields, with an error per block for Slack to show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bot.charts.dates import OLDEST
from bot.charts.numbers import NotANumber, check_unit, parse_value
from bot.sharing.projects import LIMITS as PROJECT_LIMITS
from bot.sharing.projects import (
    PDSA_STAGES,
    ProjectFields,
    parse_measures,
    parse_progress,
    parse_tags,
)
from bot.sharing.updates import LIMITS as UPDATE_LIMITS
from bot.sharing.updates import DataPoint, UpdateFields
from handlers.ids import row_id
from handlers.view_state import picked_date

Errors = dict[str, str]


def value(view: dict[str, Any], block_id: str) -> Any:
    """The value of the one element in an input block, whatever its type (None when empty, or not in
    the shape Slack sends: a forged state is an empty field, never a 500)."""
    values = (view.get("state") or {}).get("values")
    actions = values.get(block_id) if isinstance(values, dict) else None
    element = next(iter(actions.values()), None) if isinstance(actions, dict) else None
    if not isinstance(element, dict):
        return None
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons"):
        option = element.get("selected_option")
        return option.get("value") if isinstance(option, dict) else None
    if kind == "multi_users_select":
        return element.get("selected_users") or []
    if kind == "datepicker":
        return element.get("selected_date")
    text = element.get("value")
    return text.strip() if isinstance(text, str) and text.strip() else None


def _stage(view: dict[str, Any], errors: Errors) -> str | None:
    stage = value(view, "stage")
    if stage not in {key for key, _, _ in PDSA_STAGES}:
        errors["stage"] = "Choose the PDSA stage you are in."
    return stage


def _progress(view: dict[str, Any], errors: Errors) -> Decimal | None:
    score = parse_progress(value(view, "progress"))
    if score is None:
        errors["progress"] = "Choose a progress score from 0.5 to 5.0."
    return score


def _too_long(texts: dict[str, str | None], limits: dict[str, int]) -> Errors:
    return {name: f"Please keep this under {limits[name]:,} characters (it has {len(text):,})."
            for name, text in texts.items() if text and len(text) > limits[name]}


def read_update(view: dict[str, Any], *, with_stage: bool = True) -> tuple[UpdateFields, Errors]:
    """The update's fields; patient identifiers are the service's to refuse (bot.core.phi.guard)."""
    texts = {name: value(view, name) for name in UPDATE_LIMITS}
    errors = _too_long(texts, UPDATE_LIMITS)
    if not texts["tried"] and "tried" not in errors:
        errors["tried"] = "Tell the community what you tried."
    stage = _stage(view, errors) if with_stage else None
    score = _progress(view, errors) if with_stage else None
    return UpdateFields(tried=texts["tried"] or "", learned=texts["learned"], pdsa_stage=stage, progress_score=score,
                        help_wanted=texts["help_wanted"]), errors


def read_project(view: dict[str, Any]) -> tuple[ProjectFields, Errors]:
    texts = {name: value(view, name) for name in PROJECT_LIMITS}
    errors = _too_long(texts, PROJECT_LIMITS)
    if not texts["title"]:
        errors["title"] = "Give the project a short title."
    measures, problem = parse_measures(texts["measures"])
    if problem and "measures" not in errors:
        errors["measures"] = problem
    fields = ProjectFields(title=texts["title"] or "", aim=texts["aim"], measures=measures,
                           change_ideas=texts["change_ideas"], pdsa_stage=_stage(view, errors) or "plan",
                           progress_score=_progress(view, errors) or Decimal("0.5"),
                           members=tuple(value(view, "members") or ()), tags=parse_tags(texts["tags"]))
    return fields, errors


def read_data_point(view: dict[str, Any], today: date,
                    measures: dict[int, str | None]) -> tuple[DataPoint | None, Errors]:
    """All three parts or none; the measure must be one of the project's (`measures`: id -> unit); the value
    is read as the quick entry reads it (3,5 too) in the measure's unit; a date in the future, or more than
    ten years back, is refused."""
    measure, raw, when = value(view, "dp_measure"), value(view, "dp_value"), value(view, "dp_date")
    if not (measure or raw or when):
        return None, {}
    errors: Errors = {}
    measure_id = row_id(measure)
    if not measure:
        errors["dp_measure"] = "Choose the measure this value belongs to."
    elif measure_id not in measures:
        # e.g. picked before switching to another project in the form
        errors["dp_measure"] = "Choose one of this project's measures."
    number: Decimal | None = None
    try:
        reading = parse_value(raw or "")
        if measure_id in measures:
            check_unit(reading.unit, measures[measure_id])
        number = reading.value
    except NotANumber as why:
        errors["dp_value"] = str(why)
    else:
        if not number.is_finite() or abs(number) >= Decimal("1e10"):
            errors["dp_value"] = "Enter the value as a number, e.g. 62 or 3,5."
    observed = picked_date(when)
    if not when:
        errors["dp_date"] = "Pick the date the value was measured."
    elif observed is None:
        errors["dp_date"] = "That is not a date on the calendar: pick the date it was measured."
    elif observed > today:
        errors["dp_date"] = "That date is in the future: pick the date it was measured."
    elif observed < today - OLDEST:
        errors["dp_date"] = "That date is more than ten years ago: check the year."
    if errors:
        return None, errors
    assert measure_id is not None and number is not None and observed
    return DataPoint(measure_id=measure_id, value=number, observed_on=observed), {}
