"""Block Kit for /cpd-log's messages: the logged-entry card, the entry list, undo and the summary.

Titles and reflections are the member's text: always escaped, and shown with `verbatim: True`.
"""

from __future__ import annotations

from typing import Any

from bot.core.text import escape, plural, truncate
from bot.cpd.entries import Entry, EntryPage, Standing
from bot.cpd.progress import CpdProgress
from bot.cpd.quick_entry import NeedsType
from bot.cpd.rules import CpdActivity, credits_for, format_credits, get_framework
from handlers.blocks import button, context, header, mrkdwn, section
from handlers.cpd.list_position import LIST_PAGE, ListPosition
from handlers.cpd.prefill import OPEN_ENTRY_FORM, EntryPrefill

ADD_REFLECTION = "cpd_add_reflection"
DELETE_ENTRY = "cpd_delete_entry"
UNDO_CONFIRM = "cpd_undo_confirm"
UNDO_CANCEL = "cpd_undo_cancel"
SHOWN_NEEDING_REFLECTION = 5


def amount_text(entry: Entry) -> str:
    """'2 h', '3 articles', '1 podcast'."""
    activity = get_framework(entry.framework).activity(entry.activity_type)
    if activity.unit == "hour":
        return f"{format_credits(entry.hours or 0)} h"
    count = entry.quantity or 0
    return f"{format_credits(count)} {activity.item if count == 1 else activity.items}"


def credits_text(entry: Entry) -> str | None:
    """'6 Royal College MOC credits'; None for frameworks counted in hours."""
    rules = get_framework(entry.framework)
    if not rules.awards_credits:
        return None
    credits = entry.credits
    return f"{format_credits(credits)} {rules.short_name} credit{'' if credits == 1 else 's'}"


def entry_line(entry: Entry) -> str:
    """'2 h · Section 3 · Practice assessment (incl. QI with feedback) · *6 Royal College MOC credits*'."""
    rules = get_framework(entry.framework)
    activity = rules.activity(entry.activity_type)
    parts = [amount_text(entry), rules.section(activity.section).name, activity.name]
    if credits := credits_text(entry):
        parts.append(f"*{credits}*")
    return " · ".join(parts)


def about_entry(entry: Entry) -> str:
    """The entry's title, date, amount, section, type, credits and linked project, as mrkdwn."""
    project = f"\nLinked project: {escape(entry.project_title)}" if entry.project_title else ""
    return f"*{escape(entry.title)}* ({entry.date.isoformat()})\n{entry_line(entry)}{project}"


def logged_message(entry: Entry, assumptions: tuple[str, ...] = ()) -> dict[str, Any]:
    """The reply to a quick entry: what was logged, what was assumed, and the reflection button."""
    blocks = [section(f"Logged {about_entry(entry)}", verbatim=True)]
    notes = list(assumptions)
    if not entry.has_reflection:
        notes.append(f"Needs a reflection: {get_framework(entry.framework).reflection_why}.")
    if notes:
        blocks.append(context("\n".join(escape(note) for note in notes), verbatim=True))
    if not entry.has_reflection:
        blocks.append({"type": "actions", "block_id": "cpd_logged", "elements": [
            button("Add reflection", ADD_REFLECTION, str(entry.id), style="primary")]})
    credits = credits_text(entry)
    fallback = f"Logged {entry.title}: {amount_text(entry)}" + (f", {credits}" if credits else "")
    return {"text": escape(fallback), "blocks": blocks}


def type_question_message(question: NeedsType) -> dict[str, Any]:
    """A quick entry whose words fit several types: one button a type, each opening the form filled in."""
    entry, rules = question.entry, get_framework(question.entry.framework)
    because = escape(question.because)
    blocks: list[dict[str, Any]] = [section(
        f"*“{because}” can be logged more than one way: which was it?*\n"
        f"_{escape(entry.title)}_ ({entry.date.isoformat()}, {format_credits(entry.hours or 0)} h)", verbatim=True)]
    for index, activity_id in enumerate(question.choices):
        activity = rules.activity(activity_id)
        credits = credits_for(CpdActivity(rules.id, activity_id, entry.date, entry.hours, None))
        worth = f" = {format_credits(credits)} credit{'' if credits == 1 else 's'}" if rules.awards_credits else ""
        prefill = EntryPrefill(activity_type=activity_id, title=entry.title, hours=entry.hours, date=entry.date,
                               source="quick")
        blocks.append({"type": "actions", "block_id": f"cpd_type_choice_{index}", "elements": [button(
            f"{rules.section(activity.section).name} · {activity.name}{worth}", OPEN_ENTRY_FORM,
            prefill.to_value(), style="primary" if index == 0 else None)]})
    words = " or ".join(rules.activity(a).aliases[0] for a in question.choices if rules.activity(a).aliases)
    skip = f" Next time, add {words} to your line and I won't need to ask." if words else ""
    blocks.append(context("The form opens with your entry filled in: check it, add what you learned and submit. "
                          f"Nothing is logged until then.{skip}", verbatim=True))
    return {"text": escape(f"“{question.because}” can be logged more than one way: which was it?"),
            "blocks": blocks}


def list_message(found: EntryPage, position: ListPosition, note: str | None = None) -> dict[str, Any]:
    """A page of the member's entries, each with its buttons (their own entries only), and the way to the
    next page: the count says how many there are in all, so no entry is ever silently left out."""
    needing = position.needing_reflection
    position = ListPosition(found.page, needing)  # the page actually shown, when a stale button asked for more
    blocks: list[dict[str, Any]] = [
        header("Your CPD entries needing a reflection" if needing else "Your CPD entries")]
    if note:
        blocks.append(context(note, verbatim=True))
    if not found.entries:
        empty = ("Every entry from {} to {} has a reflection.".format(*(d.isoformat() for d in needing)) if needing
                 else "You have no CPD entries yet. Log one with `/cpd-log` or "
                      "`/cpd-log 1.5h s1 Grand rounds on suicide risk`.")
        blocks.append(section(empty, verbatim=True))
        return {"text": empty.replace("`", ""), "blocks": blocks}
    last = found.first + len(found.entries) - 1
    counted = plural(found.total, "entry", "entries")
    where = f"{found.first}–{last} of {counted}" if found.pages > 1 else counted
    span = " from {} to {}".format(*(d.isoformat() for d in needing)) if needing else ""
    blocks.append(context(f"{where}{span}, newest first", verbatim=True))
    for entry in found.entries:
        flag = "\n_Needs a reflection_" if not entry.has_reflection else ""
        blocks.append(section(f"{about_entry(entry)}{flag}", verbatim=True))
        blocks.append({"type": "actions", "block_id": f"cpd_entry_{entry.id}", "elements": [
            button("Add reflection" if not entry.has_reflection else "Edit reflection", ADD_REFLECTION,
                   str(entry.id)),
            button("Delete", DELETE_ENTRY, position.to_value(entry.id), style="danger", confirm={
                "title": {"type": "plain_text", "text": "Delete this entry?"},
                # Plain text: nothing to escape, so the title cannot push it past Slack's 300 characters.
                "text": {"type": "plain_text",
                         "text": f"“{truncate(entry.title, 200)}” will be removed from your CPD log."},
                "confirm": {"type": "plain_text", "text": "Delete"},
                "deny": {"type": "plain_text", "text": "Keep it"}, "style": "danger"}),
        ]})
    pages = []
    if found.page > 0:
        pages.append(button("Newer entries", LIST_PAGE, ListPosition(found.page - 1, needing).to_value()))
    if found.page < found.pages - 1:
        pages.append(button(f"Older entries ({found.total - last} more)", LIST_PAGE,
                            ListPosition(found.page + 1, needing).to_value(), style="primary"))
    if pages:
        blocks.append({"type": "actions", "block_id": "cpd_list_pages", "elements": pages})
    blocks.append(context("Only you can see these entries. `/cpd-log summary` shows your standing; "
                          "`/cpd-log export` sends them as a spreadsheet.", verbatim=True))
    return {"text": f"Your CPD entries{span}: {where}.", "blocks": blocks}


def undo_message(entry: Entry) -> dict[str, Any]:
    return {"text": escape(f"Remove your last CPD entry, {entry.title}?"), "blocks": [
        section(f"Remove your last CPD entry?\n{about_entry(entry)}", verbatim=True),
        {"type": "actions", "block_id": "cpd_undo", "elements": [
            button("Remove it", UNDO_CONFIRM, str(entry.id), style="danger"),
            button("Keep it", UNDO_CANCEL, str(entry.id))]},
    ]}


def removed_message(entry: Entry) -> dict[str, Any]:
    return {"text": escape(f"Removed {entry.title} from your CPD log."),
            "blocks": [section(f"Removed from your CPD log: {about_entry(entry)}", verbatim=True)]}


def _amount(progress: CpdProgress, credits: Any, hours: Any) -> str:
    if not progress.framework.awards_credits:
        return f"{format_credits(hours)} h"
    return f"{format_credits(credits)} credit{'' if credits == 1 else 's'}"


def _day(day: Any) -> str:
    return f"{day.day} {day:%b %Y}"


def _goal_text(progress: CpdProgress) -> str:
    """'20 credits' or '20 h': the member's own goal in the framework's unit."""
    goal = progress.annual_goal or 0
    return _amount(progress, goal, goal)


def summary_message(standing: Standing) -> dict[str, Any]:
    """Standing this year (and this cycle, where the framework has one longer than a year) against the
    member's framework and their own goal: what is still needed, and when. Says only what is true: no
    "requirements met" where the framework sets none (learning hours), no cycle where it is the year."""
    progress, profile = standing.progress, standing.profile
    rules = progress.framework
    has_cycle = rules.cycle_years > 1
    year_label = str(progress.year) if rules.year_start == (1, 1) else f"{progress.year}–{progress.year + 1}"
    period = f"{escape(rules.short_name)} · year {_day(progress.year_start)} to {_day(progress.year_end)}"
    if has_cycle:
        period += f" · cycle {_day(progress.cycle_start)} to {_day(progress.cycle_end)}"
    blocks: list[dict[str, Any]] = [header(f"Your CPD for {year_label}"), context(period, verbatim=True)]
    if profile.cycle_start_year is None and has_cycle:
        blocks.append(context(f"You haven't set when your cycle started, so I assumed {progress.cycle_start.year}. "
                              "Set it with `/cpd-log settings`.", verbatim=True))

    def standing_text(year_amount: str, cycle_amount: str) -> str:
        return f"{year_amount} this year · {cycle_amount} this cycle" if has_cycle else f"{year_amount} this year"

    fields = [
        mrkdwn(f"*{escape(s.section.name)} · {escape(s.section.title)}*\n" + standing_text(
            _amount(progress, s.credits_year, s.hours_year), _amount(progress, s.credits_cycle, s.hours_cycle)),
            verbatim=True)
        for s in progress.sections
    ]
    this_year = _amount(progress, progress.credits_year, progress.hours_year)
    total = "*Total:* " + standing_text(this_year, _amount(progress, progress.credits_cycle, progress.hours_cycle))
    if progress.year_requirements and progress.cycle_requirements:
        total += (f"\nRequired: {format_credits(progress.year_requirements.per_year)} a year and "
                  f"{format_credits(progress.cycle_requirements.per_cycle)} a cycle")
        minimums = ", ".join(f"at least {format_credits(m.per_cycle)} in {m.label}"
                             for m in progress.cycle_requirements.minimums)
        total += f", with {minimums} per cycle" if minimums else ""
    if progress.annual_goal is not None:
        total += f"\nYour annual goal: {_goal_text(progress)}"
    blocks += [{"type": "section", "fields": fields[:10]}, section(total, verbatim=True)]
    has_requirements = progress.year_requirements is not None
    if progress.still_needed:
        blocks.append(section("*Still needed*\n" + "\n".join(f"• {s.text}" for s in progress.still_needed),
                              verbatim=True))
    elif has_requirements:
        met = "this year's and this cycle's requirements" if has_cycle else "this year's requirements"
        goal = " and your own goal" if progress.annual_goal is not None else ""
        blocks.append(section(f"*You have met {met}{goal}.*", verbatim=True))
    elif progress.annual_goal is not None:
        blocks.append(section(f"*You have reached your goal of {_goal_text(progress)} for {year_label}.*",
                              verbatim=True))
    if progress.annual_goal is None and not has_requirements:
        blocks.append(context("You haven't set a goal for the year. If your learning plan has a target number "
                              "of hours, set it as your annual goal with `/cpd-log settings` and I'll show how "
                              "far you are from it.", verbatim=True))
    notes = [note.text for note in progress.caps]
    notes += list(progress.cycle_requirements.notes if progress.cycle_requirements else ())
    if progress.other_framework_entries:
        others = progress.other_framework_entries
        notes.append(f"{plural(others, 'entry', 'entries')} logged under another framework "
                     f"{'is' if others == 1 else 'are'} not counted.")
    if notes:
        blocks.append(context("\n".join(escape(note) for note in notes), verbatim=True))
    blocks += _reflection_block(standing)
    if progress.year_deadline is not None:
        deadline = _day(progress.year_deadline)
        blocks.append(context(f"The reporting deadline for {year_label} ({deadline}) has passed."
                              if progress.deadline_passed else f"Report {year_label} by {deadline}.", verbatim=True))
    if progress.still_needed:
        status = "; ".join(s.text for s in progress.still_needed)
    elif has_requirements:
        status = f"{this_year} this year, requirements met"
    elif progress.annual_goal is not None:
        status = f"{this_year} this year, goal of {_goal_text(progress)} reached"
    else:
        status = f"{this_year} this year"
    return {"text": escape(f"Your CPD for {year_label}: {status}."), "blocks": blocks}


def _reflection_block(standing: Standing) -> list[dict[str, Any]]:
    """This year's entries still needing a reflection, each with its own button, and a link to all of them."""
    progress = standing.progress
    waiting_ids = set(progress.needs_reflection)
    waiting = [e for e in standing.entries if e.id in waiting_ids]
    if not waiting:
        return [context("Every entry this year has a reflection.", verbatim=True)]
    noun = "entry needs" if len(waiting) == 1 else "entries need"
    blocks = [section(f"*{len(waiting)} {noun} a reflection*\n"
                      f"{escape(progress.framework.reflection_why[0].upper() + progress.framework.reflection_why[1:])}.",
                      verbatim=True)]
    blocks += [section(f"• {escape(truncate(e.title, 120))} ({e.date.isoformat()})", verbatim=True,
                       accessory=button("Add reflection", ADD_REFLECTION, str(e.id)))
               for e in waiting[:SHOWN_NEEDING_REFLECTION]]
    if len(waiting) > SHOWN_NEEDING_REFLECTION:
        everything = ListPosition(0, (progress.year_start, progress.year_end))
        blocks.append({"type": "actions", "block_id": "cpd_summary_reflections", "elements": [button(
            f"Show all {len(waiting)} needing a reflection", LIST_PAGE, everything.to_value())]})
    return blocks
