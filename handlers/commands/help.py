"""`/qi-commons help`: every command with a one-line example."""

from __future__ import annotations

from typing import Any

from handlers.commands.context import Answer, CommandContext, message

SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Share QI work", (
        ("/qi-share", "open the guided form: project, what you tried, what you learned, PDSA stage"),
        ("/qi-share Tried a discharge checklist on 4B",
         "post to your one active project, or as a general update if you have none (with several, I ask which)"),
        ("/qi-share #metabolic-monitoring Audit done, 62% screened",
         "post to the project with that short name (shown in /qi-share list)"),
        ("/qi-share list", "see your projects, their stage and progress; edit, pause or complete them"),
        ("/qi-share #project data falls=3 2026-11-30", "add data points to a project's measures (date optional)"),
        ("/qi-share #project import", "import a measure's series from a CSV file: you see a dry run first"),
        ("/qi-share #project note 2026-11-30 PDSA 2 began",
         "a note on the project's run charts (owner); `notes` lists them, `note remove DATE` takes one away"),
        ("/qi-commons chart #project", "a project measure's run chart, with what the run chart rules say about it"),
        ("/qi-share new", "start a project: aim, measures, change ideas and team"),
    )),
    ("Mentoring", (
        ("/find-mentor", "describe what you need and choose from a shortlist of mentors"),
        ("/find-mentor help with run charts", "go straight to a shortlist for those topics"),
        ("/qi-commons mentor", "become a mentor, or change what you offer"),
    )),
    ("CPD", (
        ("/cpd-log", "open the CPD form with credits shown for each activity"),
        ("/cpd-log 1.5h s1 Grand rounds on suicide risk", "log an activity in one line"),
        ("/cpd-log summary", "your credits against this year's and this cycle's requirements"),
        ("/cpd-log list", "your recent entries: add a reflection or delete one (`/cpd-log undo` removes the last)"),
        ("/cpd-log export", "a CSV of your entries, ready for your college's portal"),
        ("/cpd-log settings", "your CPD framework, cycle start year and annual goal"),
    )),
    ("Learn and settings", (
        ("/qi-commons search falls night shift",
         "search past projects, updates, mentors and value stories (filters: type:project, topic:falls, since:2026-01)"),
        ("/qi-commons learn", "short primers: PDSA, measures, run charts, QI vs research, QI and CPD, and "
                              "what the community has done on each"),
        ("/qi-commons settings", "profession, CPD framework, reminders, quiet hours and your name in the digest"),
        ("/qi-commons privacy", "what we store, who sees what, and how to delete it"),
        ("/qi-commons export-my-data", "a JSON file of everything QI Commons holds about you"),
        ("/qi-commons forget-me", "delete your data (you confirm first)"),
    )),
)
ADMIN_SECTION = ("For admins", (
    ("/qi-commons admin", "the admin console: schedules, escalations, mentor roster"),
    ("/qi-commons admin digest preview", "see the weekly digest before it is posted"),
    ("/qi-commons admin schedule", "next prompt and digest; `pause`, `resume`, `skip` dates and `holidays`"),
    ("/qi-commons admin report quarter", "the value-creation report (`month`, `quarter`, `year`, `2026-01..2026-06`; "
     "`preview`) in your DM, with a chart and a CSV"),
))


def help_blocks(is_admin: bool) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "QI Commons: what you can do"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            "Share quality improvement work, find a mentor who fits, and turn both into CPD credit. "
            "Never include patient identifiers: Slack is not a health record.")}},
    ]
    for title, lines in SECTIONS + ((ADMIN_SECTION,) if is_admin else ()):
        body = "\n".join(f"`{example}` {what}" for example, what in lines)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{body}"}})
    return blocks


HELP_FALLBACK = "QI Commons commands: /qi-share, /find-mentor, /cpd-log and /qi-commons (help, learn, settings, privacy)."


async def help_answer(ctx: CommandContext) -> Answer:
    return message(HELP_FALLBACK, help_blocks(ctx.is_admin))
