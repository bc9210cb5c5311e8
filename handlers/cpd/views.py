"""The /cpd-log modals: the entry form, the reflection form, CPD settings, and the logged confirmation.

State a submission needs travels in `private_metadata` (JSON), and is checked again on submit.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.text import escape, truncate
from bot.cpd.entries import MAX_REFLECTION, CpdProfile, Entry, LinkableProject
from bot.cpd.quick_entry import MAX_TITLE
from bot.cpd.rules import activity_choices, format_credits, frameworks, get_framework
from handlers.blocks import OPTION_LIMIT, context, option, plain, section
from handlers.cpd.blocks import about_entry, entry_line
from handlers.cpd.prefill import EntryPrefill

ENTRY_FORM = "cpd_entry"
REFLECTION_FORM = "cpd_reflection"
SETTINGS_FORM = "cpd_settings"
ACTIVITY_CHANGED = "cpd_entry_activity"
# The action id of every input in these forms: values are read by block id.
VALUE = "value"

REFLECTION_QUESTIONS = (
    ("reflection_learned", "What did you learn?"),
    ("reflection_change", "How will it change your practice?"),
    ("reflection_further", "What further learning do you need?"),
)
PHI_REMINDER = "Never include patient identifiers: Slack is not a health record."


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None, **extra: Any) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "label": plain(label), "optional": optional,
             "element": {"action_id": VALUE, **element}, **extra}
    if hint:
        block["hint"] = plain(hint)
    return block


def _modal(callback_id: str, title: str, blocks: list[dict[str, Any]], metadata: dict[str, Any],
           submit: str | None = "Save") -> dict[str, Any]:
    view = {"type": "modal", "callback_id": callback_id, "title": plain(title),
            "close": plain("Cancel" if submit else "Close"),
            "blocks": blocks, "private_metadata": json.dumps(metadata, separators=(",", ":"))}
    if submit:
        view["submit"] = plain(submit)
    return view


def _reflection_inputs(entry: Entry | None = None) -> list[dict[str, Any]]:
    return [
        _input(name, question, {"type": "plain_text_input", "multiline": True, "max_length": MAX_REFLECTION,
                                **({"initial_value": getattr(entry, name)} if entry and getattr(entry, name) else {})},
               optional=True)
        for name, question in REFLECTION_QUESTIONS
    ]


def amount_label(framework_id: str, activity_type: str) -> tuple[str, str]:
    """The amount field's label and hint for an activity type: hours, or a count of its items."""
    activity = get_framework(framework_id).activity(activity_type)
    if activity.unit == "hour":
        return "Hours", "For example 1.5, 90m or 1h30 (at most 24 for one entry)"
    return f"Number of {activity.items}", f"A whole number of {activity.items}, 1 to 100"


def entry_form(profile: CpdProfile, projects: list[LinkableProject], prefill: EntryPrefill,
               activity_type: str | None = None) -> dict[str, Any]:
    """The /cpd-log form, prefilled; `activity_type` is the current choice when the form is redrawn."""
    rules = profile.rules
    on = prefill.date if prefill.date and prefill.date <= profile.today else profile.today
    choices = activity_choices(profile.framework, profile.today)
    chosen = activity_type or prefill.activity_type
    if chosen not in {c.activity_type for c in choices}:
        chosen = rules.default_activity
    groups: dict[str, list[dict[str, Any]]] = {}
    for choice in choices:
        groups.setdefault(choice.group, []).append(option(choice.text, choice.activity_type))
    initial = next(option(c.text, c.activity_type) for c in choices if c.activity_type == chosen)
    label, hint = amount_label(profile.framework, chosen)
    amount: dict[str, Any] = {"type": "plain_text_input", "max_length": 20}
    if prefill.hours is not None and rules.activity(chosen).unit == "hour":
        amount["initial_value"] = format_credits(prefill.hours)
    title: dict[str, Any] = {"type": "plain_text_input", "max_length": MAX_TITLE}
    if prefill.title:
        title["initial_value"] = prefill.title[:MAX_TITLE]
    blocks = [
        context((f"Credits follow {escape(rules.short_name)} rules." if rules.awards_credits
                 else "Hours count toward your learning plan.") + f" {PHI_REMINDER}"),
        _input("date", "Date", {"type": "datepicker", "initial_date": on.isoformat()},
               hint="When you did it; not in the future"),
        _input("activity", "Activity type", {
            "type": "static_select", "action_id": ACTIVITY_CHANGED, "initial_option": initial,
            "option_groups": [{"label": plain(truncate(g, OPTION_LIMIT)), "options": o} for g, o in groups.items()]},
            dispatch_action=True),
        _input("amount", label, amount, hint=hint),
        _input("title", "Title", title, hint="What the session, reading or project was"),
    ]
    if projects:
        options = [option(p.title, str(p.id)) for p in projects]
        project: dict[str, Any] = {"type": "static_select", "options": options,
                                   "placeholder": plain("Link a QI project")}
        linked = next((o for o in options if o["value"] == str(prefill.qi_project_id)), None)
        if linked:
            project["initial_option"] = linked
        blocks.append(_input("project", "Linked QI project", project, optional=True))
    blocks.append(section(f"*Reflection*: answer at least one question ({rules.reflection_why})."))
    blocks += _reflection_inputs()
    return _modal(ENTRY_FORM, "Log CPD", blocks, {"f": profile.framework, "s": prefill.source}, submit="Log it")


def logged_view(entry: Entry, heading: str = "Logged") -> dict[str, Any]:
    """What the entry and reflection forms turn into once the entry is stored."""
    return _modal(ENTRY_FORM + "_done", "CPD logged", [
        section(f"{heading} {about_entry(entry)}", verbatim=True),
        context("`/cpd-log summary` shows your standing; `/cpd-log list` lets you remove an entry."),
    ], {}, submit=None)


def reflection_form(entry: Entry) -> dict[str, Any]:
    return _modal(REFLECTION_FORM, "Add a reflection", [
        section(f"*{escape(entry.title)}* ({entry.date.isoformat()})\n{entry_line(entry)}", verbatim=True),
        context(f"Answer at least one question. {PHI_REMINDER}"),
        *_reflection_inputs(entry),
    ], {"e": entry.id})


def settings_form(profile: CpdProfile) -> dict[str, Any]:
    options = [option(f.name, f.id) for f in frameworks().values()]
    current = next(o for o in options if o["value"] == profile.framework)
    year: dict[str, Any] = {"type": "plain_text_input", "max_length": 4}
    if profile.cycle_start_year is not None:
        year["initial_value"] = str(profile.cycle_start_year)
    goal: dict[str, Any] = {"type": "plain_text_input", "max_length": 6}
    if profile.annual_goal is not None:
        goal["initial_value"] = format_credits(profile.annual_goal)
    return _modal(SETTINGS_FORM, "CPD settings", [
        _input("framework", "CPD framework", {"type": "static_select", "options": options,
                                              "initial_option": current},
               hint="Royal College MOC for specialists, Mainpro+ for family physicians, hours for everyone else"),
        _input("cycle_start", "Year your current cycle started", year, optional=True,
               hint="As shown in MAINPORT or your Mainpro+ account, e.g. 2024"),
        _input("annual_goal", "Annual goal (credits, or hours)", goal, optional=True,
               hint="Optional: your own target for the year, e.g. 50"),
    ], {})


def settings_saved_view(profile: CpdProfile) -> dict[str, Any]:
    rules = profile.rules
    if rules.cycle_years == 1:  # learning hours: the year is the cycle, so there is no start to set
        cycle = ""
    elif profile.cycle_start_year:
        cycle = f"Your cycle started in {profile.cycle_start_year}.\n"
    else:
        cycle = "No cycle start year: summaries assume your cycle starts this year.\n"
    unit = "credits" if rules.awards_credits else "hours"
    goal = (f"Annual goal: {format_credits(profile.annual_goal)} {unit}." if profile.annual_goal is not None
            else "No annual goal set.")
    return _modal(SETTINGS_FORM + "_done", "CPD settings saved", [
        section(f"*{escape(rules.name)}*\n{cycle}{goal}\n`/cpd-log summary` shows your standing."),
    ], {}, submit=None)
