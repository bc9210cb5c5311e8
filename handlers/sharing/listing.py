"""`/qi-share list`: a member's projects with stage, progress and last update, and what to do next."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.text import escape
from bot.sharing.projects import ProjectView, progress_label, stage_label
from handlers.blocks import button, context, plain, section

SHARE_TO = "sharing_list_share"
EDIT_PROJECT = "sharing_project_edit"
NEW_PROJECT = "sharing_project_new"
SET_STATUS = "sharing_project_status"
MAX_LISTED = 20  # two blocks each, inside Slack's 50 blocks a message


def list_message(projects: list[ProjectView], last_updates: dict[int, datetime], total: int,
                 tz: ZoneInfo) -> dict[str, Any]:
    new = {"type": "actions", "block_id": "sharing_list_new",
           "elements": [button("New project", NEW_PROJECT, "new", style="primary")]}
    if not projects:
        text = ("You have no QI projects yet. Start one, however small: a project holds your aim, measures and "
                "PDSA cycles, and its updates share a thread in the community channel.")
        return {"text": text, "blocks": [section(text), new]}
    blocks: list[dict[str, Any]] = [section("*Your QI projects*")]
    for project in projects[:MAX_LISTED]:
        last = last_updates.get(project.id)
        local = last.astimezone(tz) if last else None
        when = f"last update {local:%b} {local.day}, {local:%Y}" if local else "no updates yet"
        status = "" if project.status == "active" else f"  ·  _{project.status}_"
        blocks.append(section(
            f"*{escape(project.title)}*  `#{project.slug}`{status}\n"
            f"PDSA stage: {stage_label(project.pdsa_stage)}  ·  Progress: {progress_label(project.progress_score)}"
            f"  ·  {when}", verbatim=True))
        value = str(project.id)
        buttons = [button("Share an update", SHARE_TO, value), button("Edit", EDIT_PROJECT, value)]
        if project.status == "active":
            buttons.append(button("Pause", SET_STATUS, f"{value}:paused"))
        else:
            buttons.append(button("Resume", SET_STATUS, f"{value}:active"))
        if project.status != "completed":
            buttons.append(button("Complete", SET_STATUS, f"{value}:completed", confirm={
                "title": plain("Mark as completed?"), "text": plain("You can resume it from this list later."),
                "confirm": plain("Complete"), "deny": plain("Not yet")}))
        blocks.append({"type": "actions", "block_id": f"sharing_list:{project.id}", "elements": buttons})
    if total > MAX_LISTED:
        blocks.append(context(f"Showing your {MAX_LISTED} most recently active projects of {total}."))
    blocks.append(new)
    return {"text": f"Your QI projects ({total})", "blocks": blocks}
