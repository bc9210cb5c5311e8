"""`/qi-share list`: a member's projects with stage, progress and last update, and what to do next."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.projects import progress_label, stage_label
from bot.text import escape
from storage.models import QiProject

SHARE_TO = "sharing_list_share"
EDIT_PROJECT = "sharing_project_edit"
NEW_PROJECT = "sharing_project_new"
SET_STATUS = "sharing_project_status"
MAX_LISTED = 20  # two blocks each, inside Slack's 50 blocks a message


def _button(text: str, action_id: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value,
            **extra}


def list_message(projects: list[QiProject], last_updates: dict[int, datetime], total: int,
                 tz: ZoneInfo) -> dict[str, Any]:
    new = {"type": "actions", "block_id": "sharing_list_new",
           "elements": [_button("New project", NEW_PROJECT, "new", style="primary")]}
    if not projects:
        text = ("You have no QI projects yet. Start one, however small: a project holds your aim, measures and "
                "PDSA cycles, and its updates share a thread in the community channel.")
        return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}, new]}
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Your QI projects*"}}]
    for project in projects[:MAX_LISTED]:
        last = last_updates.get(project.id)
        local = last.astimezone(tz) if last else None
        when = f"last update {local:%b} {local.day}, {local:%Y}" if local else "no updates yet"
        status = "" if project.status == "active" else f"  ·  _{project.status}_"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "verbatim": True, "text": (
            f"*{escape(project.title)}*  `#{project.slug}`{status}\n"
            f"PDSA stage: {stage_label(project.pdsa_stage)}  ·  Progress: {progress_label(project.progress_score)}"
            f"  ·  {when}")}})
        value = str(project.id)
        buttons = [_button("Share an update", SHARE_TO, value), _button("Edit", EDIT_PROJECT, value)]
        if project.status == "active":
            buttons.append(_button("Pause", SET_STATUS, f"{value}:paused"))
        else:
            buttons.append(_button("Resume", SET_STATUS, f"{value}:active"))
        if project.status != "completed":
            buttons.append(_button("Complete", SET_STATUS, f"{value}:completed", confirm={
                "title": {"type": "plain_text", "text": "Mark as completed?"},
                "text": {"type": "plain_text", "text": "You can resume it from this list later."},
                "confirm": {"type": "plain_text", "text": "Complete"},
                "deny": {"type": "plain_text", "text": "Not yet"}}))
        blocks.append({"type": "actions", "block_id": f"sharing_list:{project.id}", "elements": buttons})
    if total > MAX_LISTED:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"Showing your {MAX_LISTED} most recently active projects of {total}.")}]})
    blocks.append(new)
    return {"text": f"Your QI projects ({total})", "blocks": blocks}
