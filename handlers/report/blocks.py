"""The value report's messages and views: the admins' summary, the story ask, the story form and its thanks,
and the report's part of an admin's App Home.

Stories are members' words: escaped, cut short, in `verbatim` text. Figures are already suppressed
(bot/report/suppression.py): these only lay them out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.text import escape, mention, plural, truncate
from bot.report.build import ValueReport
from bot.report.definitions import CYCLE_TITLES, CYCLES
from bot.report.stories import LIMITS, Story
from bot.weekly.schedules import day_label
from handlers.blocks import button, context, header, option, plain, section

STORY_ASK = "report_story_ask"  # the button in the monthly DM; its value is the month asked about
STORY_MODAL = "report_story"
VALUE = "value"
STORY_CHARS = 220  # of each part of a story in the summary: eight stories stay far under 3000 characters
PERIOD_HELP = "Other periods: `/qi-commons admin report quarter`, `year` or `2026-01..2026-06`."

CYCLE_CHOICES = {
    "immediate": "It helped me there and then (immediate value)",
    "potential": "It gave me a skill, a contact or a resource (potential)",
    "applied": "I changed what I do at work (applied value)",
    "realized": "It improved results for patients or the team (realized)",
    "reframing": "It changed how our department works (reframing)",
}
CONSENT_CHOICES = {
    "named": "Yes, with my name (the report and the weekly digest)",
    "anonymous": "Yes, without my name",
    "admins": "Only the QI Commons admins may read it",
}
CONSENT_SAVED = {
    "named": "It may appear, with your name, in the admins' report and the weekly digest.",
    "anonymous": "It may appear, without your name, in the admins' report and the weekly digest.",
    "admins": "Only the QI Commons admins will read it, in their monthly report.",
}


# --- the admins' summary -------------------------------------------------------------------------------


def _story_line(story: Story) -> str:
    who = mention(story.author_id) if story.author_id else "a member"
    shared = {"named": "may be shared", "anonymous": "may be shared without the name", "admins": "admins only"}
    return (f"• _{CYCLE_TITLES[story.cycle]}_ · {who} ({shared[story.consent]}): "
            f"{escape(truncate(story.what_happened, STORY_CHARS))} → {escape(truncate(story.difference, STORY_CHARS))}")


def report_blocks(report: ValueReport) -> list[dict[str, Any]]:
    before, tag = report.previous.label, report.previous.short
    blocks: list[dict[str, Any]] = [
        header(f"Value created: {report.period.label}"),
        context(f"Each figure is beside {before}'s. Wenger-Trayner value cycles; a count of fewer than 5 "
                "people shows as \"fewer than 5\", and CPD credits only as a total."),
    ]
    for cycle in CYCLES:
        lines = [f"• {f.indicator.label}: *{f.current}* ({tag}: {f.previous})" for f in report.figures
                 if f.indicator.cycle == cycle]
        blocks.append(section(f"*{CYCLE_TITLES[cycle]}*\n" + "\n".join(lines)))
    for title, groups in (("Active members by profession", report.by_profession),
                          ("Active members by career stage", report.by_career_stage)):
        lines = [f"• {escape(g.name)}: *{g.current}* ({tag}: {g.previous})" for g in groups] or ["• No one yet"]
        blocks.append(section(f"*{title}*\n" + "\n".join(lines)))
    if report.stories:
        blocks.append(section(f"*Value stories* ({plural(report.story_count, 'story', 'stories')}, in members' "
                              "own words)"))
        blocks += [section(_story_line(story), verbatim=True) for story in report.stories]
        if (more := report.story_count - len(report.stories)) > 0:
            blocks.append(context(f"…and {plural(more, 'more story', 'more stories')}: the newest are shown. "
                                  "Ask for a single month to see its own."))
    else:
        blocks.append(section("*Value stories*\nNo stories this period. Members can turn on the monthly question "
                              "in `/qi-commons settings`."))
    blocks.append(context(f"The participation chart and the CSV of every figure (with what each counts and its "
                          f"source) are in the files below. {PERIOD_HELP}"))
    return blocks


def report_message(report: ValueReport) -> dict[str, Any]:
    active, shares = report.figure("active_members"), report.figure("shares")
    text = (f"QI Commons value report for {report.period.label}: {active.current} active members, "
            f"{shares.current} updates shared")
    return {"text": text, "blocks": report_blocks(report)}


def preview_note(admins: int, next_due: datetime) -> dict[str, Any]:
    return context(f":eyes: *Preview*, only you can see this. On {day_label(next_due.date())} at "
                   f"{next_due:%H:%M %Z} the report for the month before goes to "
                   f"{plural(admins, 'admin')} by direct message, with the chart and the CSV.")


def files_comment(report: ValueReport) -> str:
    return (f"Participation over 12 months and every figure of {report.period.label} as a CSV "
            "(for a spreadsheet or a slide).")


# --- value stories -----------------------------------------------------------------------------------


def story_ask(month_key: str) -> dict[str, Any]:
    text = "Has anything from QI Commons made a difference to your work?"
    return {"text": text, "blocks": [
        section(f":sparkles: *{text}*\nAn update you read, a mentor's answer, a primer, a run chart: tell us what "
                "happened and what changed, in two short answers. You choose who may read it."),
        {"type": "actions", "elements": [button("Tell us", STORY_ASK, month_key, style="primary")]},
        context("You get this once a month because you turned it on in `/qi-commons settings`; untick it there "
                "to stop."),
    ]}


def _text_input(block_id: str, label: str, placeholder: str) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": plain(label),
            "element": {"type": "plain_text_input", "action_id": VALUE, "multiline": True,
                        "max_length": LIMITS[block_id], "placeholder": plain(placeholder)}}


def story_modal() -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": STORY_MODAL, "title": plain("Your value story"), "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            _text_input("what_happened", "What happened?", "e.g. A colleague's update showed me their handover checklist"),
            _text_input("difference", "What difference did it make?",
                        "e.g. We tried it on our unit and missed fewer tasks at night"),
            {"type": "input", "block_id": "cycle", "label": plain("Which kind of difference is it?"),
             "element": {"type": "static_select", "action_id": VALUE, "placeholder": plain("Choose one"),
                         "options": [option(text, cycle) for cycle, text in CYCLE_CHOICES.items()]}},
            {"type": "input", "block_id": "consent", "label": plain("May we share it?"),
             "element": {"type": "radio_buttons", "action_id": VALUE,
                         "options": [option(text, consent) for consent, text in CONSENT_CHOICES.items()]}},
            context("Never include patient identifiers: Slack is not a health record. `/qi-commons forget-me` "
                    "deletes your stories with the rest of your data."),
        ],
    }


def story_saved_view(consent: str) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Your value story"), "close": plain("Close"), "blocks": [
        section(f":pray: *Thank you: your story is saved.*\n{CONSENT_SAVED[consent]}"),
    ]}


# --- an admin's App Home -----------------------------------------------------------------------------


def home_section(latest: dict[str, Any] | None, next_due: datetime) -> list[dict[str, Any]]:
    """The latest monthly report's headline on an admin's Home (None: none was sent yet)."""
    blocks: list[dict[str, Any]] = [header("Value report (admins)")]
    if latest is None:
        blocks.append(section(f"The first monthly value report comes on {day_label(next_due.date())} at "
                              f"{next_due:%H:%M %Z}. `/qi-commons admin report preview` shows it now."))
    else:
        tag = escape(latest.get("before") or "before")
        lines = [f"• {escape(label)}: *{escape(now)}* ({tag}: {escape(then)})" for label, now, then in latest["figures"]]
        stories = int(latest.get("stories") or 0)
        lines.append(f"• {plural(stories, 'value story', 'value stories')}")
        blocks.append(section(f"*{escape(latest['label'])}*, beside the month before\n" + "\n".join(lines)))
    blocks.append(context("`/qi-commons admin report` sends the latest in full, with the chart and the CSV. "
                          + PERIOD_HELP))
    return blocks
