"""The /cpd-log form: opened empty by `/cpd-log` or prefilled by an offer's button, redrawn when the
activity type changes (hours or a count of items), and stored on submit with errors on each field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.phi import ContainsPhi
from bot.core.runtime import Runtime
from bot.cpd.entries import CpdProfile, NewEntry, add_entry, get_profile, linkable_projects
from bot.cpd.quick_entry import MAX_HOURS, MAX_QUANTITY, MAX_TITLE, parse_hours
from handlers import view_state
from handlers.cpd.prefill import OPEN_ENTRY_FORM, EntryPrefill
from handlers.cpd.views import (
    ACTIVITY_CHANGED,
    ENTRY_FORM,
    REFLECTION_QUESTIONS,
    entry_form,
    logged_view,
)
from handlers.ids import row_id
from handlers.tenant import team_of

NEED_REFLECTION = "Answer at least one reflection question: a line on what you learned is enough."


async def open_entry_form(runtime: Runtime, client: AsyncWebClient, *, team_id: str, user_id: str,
                          trigger_id: str, prefill: EntryPrefill) -> None:
    profile = await get_profile(runtime, team_id, user_id)
    projects = await linkable_projects(runtime, team_id, user_id)
    await client.views_open(trigger_id=trigger_id, view=entry_form(profile, projects, prefill))


def _value(values: dict[str, Any], block_id: str) -> Any:
    # One element per block; the activity select has its own action id so changing it redraws the form.
    element = next(iter(values.get(block_id, {}).values()), {})
    if "selected_option" in element:
        return (element["selected_option"] or {}).get("value")
    if "selected_date" in element:
        return element["selected_date"]
    return (element.get("value") or "").strip() or None


def read_entry_form(values: dict[str, Any], profile: CpdProfile,
                    source: str) -> tuple[NewEntry | None, dict[str, str]]:
    """The entry the form describes, or field errors by block id (Slack shows them on the fields)."""
    rules = profile.rules
    errors: dict[str, str] = {}
    activity = rules.activities.get(_value(values, "activity") or "")
    if activity is None:
        errors["activity"] = "Choose an activity type."

    day = None
    try:
        day = dt.date.fromisoformat(_value(values, "date") or "")
    except ValueError:
        errors["date"] = "Choose the date you did it."
    if day is not None and day > profile.today:
        errors["date"] = "That date is in the future; log activities once they have happened."
    elif day is not None and day < rules.rules_start:
        errors["date"] = f"Entries start from {rules.rules_start.isoformat()} under {rules.short_name}."

    hours = quantity = None
    amount = _value(values, "amount")
    if activity is not None and activity.unit == "hour":
        hours = parse_hours(amount or "")
        if hours is None:
            errors["amount"] = "Write the time as 1.5, 90m, 1h30 or 1:30."
        elif not Decimal(0) < hours <= MAX_HOURS:
            errors["amount"] = "One entry can be more than 0 and at most 24 hours."
    elif activity is not None:
        amount = amount or ""
        if not (amount.isascii() and amount.isdigit()) or not 1 <= int(amount) <= MAX_QUANTITY:
            errors["amount"] = f"Write how many {activity.items}, a whole number from 1 to {MAX_QUANTITY}."
        else:
            quantity = Decimal(int(amount))

    title = _value(values, "title") or ""
    if not title:
        errors["title"] = "Add a title: what the session, reading or project was."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title to {MAX_TITLE} characters."

    reflections = {name: _value(values, name) for name, _ in REFLECTION_QUESTIONS}
    if not any(reflections.values()):
        errors[REFLECTION_QUESTIONS[0][0]] = NEED_REFLECTION
    project = _value(values, "project")
    if errors:
        return None, errors
    assert activity is not None and day is not None
    return NewEntry(activity_type=activity.id, date=day, hours=hours, quantity=quantity, title=title,
                    qi_project_id=row_id(project), source=source,
                    **reflections), {}


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(OPEN_ENTRY_FORM)
    async def open_prefilled(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                             client: AsyncWebClient) -> None:
        await ack()
        await open_entry_form(runtime, client, team_id=team_of(context), user_id=body["user"]["id"],
                              trigger_id=body["trigger_id"], prefill=EntryPrefill.from_value(action.get("value")))

    @app.action(ACTIVITY_CHANGED)
    async def activity_changed(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                               client: AsyncWebClient) -> None:
        """Redraw the form so the amount field asks for hours or for a count of items."""
        await ack()
        view = body["view"]
        team_id, user_id = team_of(context), body["user"]["id"]
        profile = await get_profile(runtime, team_id, user_id)
        metadata = view_state.metadata(view) or {}
        chosen = (action.get("selected_option") or {}).get("value")
        prefill = EntryPrefill(source=metadata.get("s", "manual"))
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=entry_form(
            profile, await linkable_projects(runtime, team_id, user_id), prefill, activity_type=chosen))

    @app.view(ENTRY_FORM)
    async def submitted(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any]) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        profile = await get_profile(runtime, team_id, user_id)
        metadata = view_state.metadata(view) or {}
        if metadata.get("f") != profile.framework:
            await ack(response_action="errors", errors={"activity": (
                "Your CPD framework changed since this form opened; choose the activity type again.")})
            return
        entry, errors = read_entry_form(view["state"]["values"], profile, metadata.get("s", "manual"))
        if errors or entry is None:
            await ack(response_action="errors", errors=errors)
            return
        try:
            stored = await add_entry(runtime, team_id, user_id, entry)
        except ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        await ack(response_action="update", view=logged_view(stored))
