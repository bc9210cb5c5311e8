"""The App Home view: welcome, projects, mentoring, CPD standing, quick actions and settings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.core.text import escape, mention, plural
from bot.cpd.progress import CpdProgress
from bot.cpd.rules import format_credits
from bot.home.standing import HomeData, HomeMentorship, HomeProject, HomeRequest
from bot.sharing.projects import progress_label, stage_label
from handlers.blocks import button, context, header, mrkdwn, plain, section
from handlers.charts.delivery import CHART_TO_ME

BAR_CELLS = 10
REQUEST_WAITING = {
    "shortlisted": "waiting for you to choose a mentor from your shortlist",
    "offered": "waiting for a mentor's answer",
    "unmatched": "no mentor is free yet; a QI lead will help find one",
}

# Action ids of the Home's buttons (the quick actions open other features' modals).
SHARE_UPDATE = "home_share_update"
SHARE_PROJECT_UPDATE = "home_share_project_update"
EDIT_PROJECT = "home_edit_project"
FIND_MENTOR = "home_find_mentor"
LOG_CPD = "home_log_cpd"
BECOME_MENTOR = "home_become_mentor"
WITHDRAW_REQUEST = "home_withdraw_request"
OPEN_SETTINGS = "home_open_settings"
OPEN_SEARCH = "home_open_search"


def slack_date(at: datetime) -> str:
    """A date Slack shows in the reader's own timezone, with a plain fallback."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}}|{at:%Y-%m-%d}>"


def bar(have: Decimal, need: Decimal) -> str:
    """`███░░░░░░░` (30%): readable on every Slack client, no images."""
    filled = BAR_CELLS if need <= 0 else min(BAR_CELLS, int(have * BAR_CELLS / need))
    return "`" + "█" * filled + "░" * (BAR_CELLS - filled) + "`"


# --- sections --------------------------------------------------------------------------------------


def _welcome() -> list[dict[str, Any]]:
    return [
        header("Welcome to QI Commons"),
        section("A community of practice for quality improvement. Here you can:\n"
                "• *Share your QI work*: post what you tried and learned with `/qi-share`; teammates and "
                "the community see it in one channel and a weekly digest.\n"
                "• *Find a mentor who fits*: describe what you need with `/find-mentor` and choose from a "
                "short list; or offer to mentor others.\n"
                "• *Turn it into CPD credit*: log activities with `/cpd-log` and see your standing below.\n"
                "New to QI? Try `/qi-commons learn`."),
        context(":lock: Never include patient identifiers: Slack is not a health record."),
    ]


def _project(project: HomeProject) -> list[dict[str, Any]]:
    facts = [f"{stage_label(project.pdsa_stage)} stage", f"progress {progress_label(project.progress_score)}"]
    if project.status != "active":
        facts.append(escape(project.status))
    facts.append(f"last update {slack_date(project.last_update_at)}" if project.last_update_at else "no updates yet")
    text = f"*{escape(project.title)}*\n{' · '.join(facts)}"
    buttons = [button("Share update", SHARE_PROJECT_UPDATE, str(project.id)),
               button("Edit", EDIT_PROJECT, str(project.id))]
    if project.has_measures:
        buttons.append(button("Run chart", CHART_TO_ME, project.slug))
    return [section(text, verbatim=True), {"type": "actions", "elements": buttons}]


def _projects(data: HomeData) -> list[dict[str, Any]]:
    blocks = [header("My QI projects")]
    if not data.projects:
        blocks.append(section("No projects yet. Share what you are trying, however small, with `/qi-share`: "
                              "that starts a project others can follow and learn from."))
        return blocks
    for project in data.projects:
        blocks.extend(_project(project))
    if data.project_count > len(data.projects):
        blocks.append(context(f"Your {len(data.projects)} most recent of {data.project_count} projects. "
                              "See all: `/qi-share list`"))
    return blocks


def _mentorship_line(m: HomeMentorship) -> str:
    line = (f"• You mentor {mention(m.other_id)}" if m.role == "mentor" else f"• Your mentor: {mention(m.other_id)}")
    line += f" ({m.kind})"
    if m.checkin_due_at:
        line += f" · next check-in {slack_date(m.checkin_due_at)}"
    return line


def _request(request: HomeRequest) -> dict[str, Any]:
    topics = escape(", ".join(request.topics)) or "no topics given"
    text = (f"*Your {escape(request.kind)} mentor request* ({topics})\n"
            f"Asked {slack_date(request.created_at)}; {REQUEST_WAITING.get(request.status, escape(request.status))}.")
    confirm = {"title": plain("Withdraw this request?"),
               "text": mrkdwn("Mentors will no longer be asked. You can ask again any time with `/find-mentor`."),
               "confirm": plain("Withdraw"), "deny": plain("Keep it"), "style": "danger"}
    withdraw = button("Withdraw", WITHDRAW_REQUEST, str(request.id), style="danger", confirm=confirm)
    return section(text, accessory=withdraw, verbatim=True)


def _mentoring(data: HomeData) -> list[dict[str, Any]]:
    blocks = [header("Mentoring")]
    lines = [_mentorship_line(m) for m in data.mentorships]
    # Each mentorship line gives its own next check-in: a summary line would say the same date twice.
    if data.mentorship_count > len(data.mentorships):
        lines.append(f"…and {plural(data.mentorship_count - len(data.mentorships), 'more mentorship')}")
    if data.mentor:
        state = "open to new mentees" if data.mentor.accepting else "not taking new mentees"
        lines.append(f"You offer mentoring: {data.mentor.active_mentees} of your "
                     f"{plural(data.mentor.capacity, 'place')} in use; {state}.")
    if lines:
        blocks.append(section("\n".join(lines)))
    blocks.extend(_request(request) for request in data.requests)
    if data.request_count > len(data.requests):
        hidden = data.request_count - len(data.requests)
        blocks.append(context(f"{plural(hidden, 'older open request')} not shown."))
    if not lines and not data.requests:
        blocks.append(section("No mentoring yet. Ask for a mentor with `/find-mentor` (a formal mentor, or a "
                              "quick question any mentor can answer), or offer your experience as a mentor."))
    return blocks


def _amount(value: Decimal, unit: str) -> str:
    return f"{format_credits(value)} {unit.removesuffix('s') if value == 1 else unit}"


def _cpd_lines(p: CpdProgress) -> list[str]:
    if not p.framework.awards_credits:
        lines = [f"*This year*: {_amount(p.hours_year, 'hours')} logged"]
        if p.annual_goal:
            lines[0] = f"*This year*: {bar(p.hours_year, p.annual_goal)} {format_credits(p.hours_year)} of " \
                       f"{_amount(p.annual_goal, 'hours')} (your goal)"
        lines += [f"• {s.section.name} · {s.section.title}: {_amount(s.hours_year, 'hours')}" for s in p.sections]
        return lines
    lines = []
    if p.year_requirements:
        lines.append(f"*This year*: {bar(p.credits_year, p.year_requirements.per_year)} "
                     f"{format_credits(p.credits_year)} of {_amount(p.year_requirements.per_year, 'credits')}")
    if p.cycle_requirements:
        lines.append(f"*This cycle ({p.cycle_start.year}–{p.cycle_end.year})*: "
                     f"{bar(p.credits_cycle, p.cycle_requirements.per_cycle)} {format_credits(p.credits_cycle)} of "
                     f"{_amount(p.cycle_requirements.per_cycle, 'credits')}")
    if p.annual_goal and (not p.year_requirements or p.annual_goal > p.year_requirements.per_year):
        lines.append(f"*Your goal*: {bar(p.credits_year, p.annual_goal)} {format_credits(p.credits_year)} of "
                     f"{_amount(p.annual_goal, 'credits')} this year")
    shortfalls = {s.label: s.amount for s in p.still_needed if s.label}
    minimums = {m.label: m for m in p.cycle_requirements.minimums} if p.cycle_requirements else {}
    for s in p.sections:
        line = f"• {s.section.name} · {s.section.title}: {_amount(s.credits_year, 'credits')} this year"
        minimum = next((m for m in minimums.values() if m.sections == {s.section.id} and not m.activities), None)
        if minimum:
            have = minimum.per_cycle - shortfalls.get(minimum.label, Decimal(0))
            line += f"; {bar(have, minimum.per_cycle)} {format_credits(min(have, minimum.per_cycle))} of " \
                    f"{format_credits(minimum.per_cycle)} needed this cycle"
            minimums.pop(minimum.label)
        lines.append(line)
    for minimum in minimums.values():
        have = minimum.per_cycle - shortfalls.get(minimum.label, Decimal(0))
        lines.append(f"• {minimum.label}: {bar(have, minimum.per_cycle)} {format_credits(have)} of "
                     f"{format_credits(minimum.per_cycle)} needed this cycle")
    return lines


def _cpd(data: HomeData) -> list[dict[str, Any]]:
    p = data.cpd.progress
    blocks = [header(f"CPD this year ({p.framework.short_name})"), section("\n".join(_cpd_lines(p)))]
    notes = []
    if p.needs_reflection:
        count = len(p.needs_reflection)
        notes.append(f":memo: {count} {'entry needs' if count == 1 else 'entries need'} a reflection "
                     "(`/cpd-log list`).")
    if p.year_deadline:
        verb = "was" if p.deadline_passed else "is"
        notes.append(f":calendar: Reporting deadline for {p.year} {verb} {p.year_deadline:%-d %b %Y}.")
    if data.cpd.profile.cycle_start_year is None and p.framework.awards_credits:
        notes.append("Cycle assumed to start this year: set yours with `/cpd-log settings`.")
    if notes:
        blocks.append(context("\n".join(notes)))
    return blocks


def _quick_actions(data: HomeData) -> list[dict[str, Any]]:
    mentor_text = "My mentor profile" if data.mentor else "Become a mentor"
    return [
        header("Quick actions"),
        {"type": "actions", "elements": [
            button("Share an update", SHARE_UPDATE, style="primary"),
            button("Find a mentor", FIND_MENTOR),
            button("Log CPD", LOG_CPD),
            button(mentor_text, BECOME_MENTOR),
        ]},
        section("*Has anyone here worked on this?* Search past projects, what people tried and learned, and "
                "mentors.", accessory=button("Search", OPEN_SEARCH)),
    ]


def _settings() -> list[dict[str, Any]]:
    return [
        section("*Settings*: profession, CPD framework, reminders, quiet hours and whether your name may "
                "appear in the weekly digest.", accessory=button("Settings", OPEN_SETTINGS)),
        context("What we store and how to export or delete it: `/qi-commons privacy`"),
    ]


def home_view(data: HomeData, admin_blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The member's Home; an admin's starts with `admin_blocks` (the latest value report)."""
    divider = {"type": "divider"}
    blocks = _welcome() + [divider] if data.first_visit else []
    if admin_blocks:
        blocks += admin_blocks + [divider]
    blocks += _projects(data) + [divider] + _mentoring(data) + [divider] + _cpd(data) + [divider]
    blocks += _quick_actions(data) + [divider] + _settings()
    return {"type": "home", "callback_id": "home", "blocks": blocks}


def forgotten_view() -> dict[str, Any]:
    """Home after forget-me: nothing of theirs is left to show."""
    return {"type": "home", "callback_id": "home", "blocks": [
        header("Your data was deleted"),
        section("As you asked, QI Commons deleted your profile, settings, CPD entries, mentoring records and "
                "notes, and removed your updates from the channel. You are welcome back any time: "
                "`/qi-commons help`."),
    ]}
