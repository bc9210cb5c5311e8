"""The sharing modals: share an update (with an optional new project), edit an update, edit a project.

Hints teach as the member types: the Model for Improvement's aim ("what, for whom, how much, by
when"), the three kinds of measure, what each PDSA stage and each progress score means.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.sharing.projects import LIMITS as PROJECT_LIMITS
from bot.sharing.projects import MEASURE_KINDS, PDSA_STAGES, PROGRESS_SCALE, ProjectView, progress_label
from bot.sharing.updates import LIMITS as UPDATE_LIMITS
from bot.sharing.updates import UpdateView
from handlers.blocks import option, plain, section

SHARE = "sharing_share"
EDIT_UPDATE = "sharing_edit_update"
PROJECT = "sharing_project"
PROJECT_PICK = "project_pick"
INPUT = "input"
NEW_PROJECT = "new"
MAX_PROJECT_OPTIONS = 99  # one option is kept for "new project"


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None, dispatch: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label), "element": element,
                             "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    if dispatch:
        block["dispatch_action"] = True
    return block


def _text_input(initial: str | None, limit: int, *, multiline: bool = True, placeholder: str | None = None,
                action_id: str = INPUT) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline,
                               "max_length": limit}
    if initial:
        element["initial_value"] = initial[:limit]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def _select(options: list[dict[str, Any]], initial: str | None, placeholder: str,
            action_id: str = INPUT) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id, "options": options,
                               "placeholder": plain(placeholder)}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return element


def stage_block(initial: str | None) -> dict[str, Any]:
    options = [option(f"{label}: {meaning}", key) for key, label, meaning in PDSA_STAGES]
    return _input("stage", "PDSA stage", _select(options, initial, "Where are you in the cycle?"))


def progress_block(initial: Decimal | None) -> dict[str, Any]:
    options = [option(progress_label(score), str(score)) for score, _ in PROGRESS_SCALE]
    return _input("progress", "Progress score", _select(options, str(initial) if initial is not None else None,
                                                         "How far has the project come?"),
                  hint="The 0.5 to 5.0 scale QI collaboratives use: pick the highest step you have reached.")


def project_field_blocks(project: ProjectView | None) -> list[dict[str, Any]]:
    """Title, aim, measures, change ideas, team and tags: what a project holds."""
    measures = "\n".join(f"{m.kind.capitalize()}: {m.name}" for m in project.measures) if project else None
    members: dict[str, Any] = {"type": "multi_users_select", "action_id": INPUT, "placeholder": plain("Add people")}
    if project and project.members:
        members["initial_users"] = list(project.members)
    # Each kind's question ends with its own "?": joined by spaces, never "?;" or "?.".
    kinds = " ".join(f"{kind.capitalize()}: {why[0].upper()}{why[1:]}" for kind, why in MEASURE_KINDS)
    return [
        _input("title", "Project title", _text_input(project.title if project else None, PROJECT_LIMITS["title"],
                                                     multiline=False, placeholder="e.g. Metabolic monitoring on 4B")),
        _input("aim", "Aim statement", _text_input(
            project.aim if project else None, PROJECT_LIMITS["aim"],
            placeholder="e.g. Increase metabolic screening for inpatients on antipsychotics on 4B from 40% to 80% "
                        "by June 2027"),
            optional=True, hint="Model for Improvement: what will improve, for whom, by how much, by when?"),
        _input("measures", "Measures", _text_input(measures, PROJECT_LIMITS["measures"],
                                                   placeholder="Outcome: % of patients screened\n"
                                                               "Balancing: time to discharge"),
               optional=True, hint=f"One per line, kind first. {kinds} IHI suggests 4 to 10 measures, "
                                   "at least one of them balancing."),
        _input("change_ideas", "Change ideas", _text_input(project.change_ideas if project else None,
                                                           PROJECT_LIMITS["change_ideas"],
                                                           placeholder="What changes will you test?"),
               optional=True),
        _input("members", "Team members", members, optional=True,
               hint="Team members can post updates to the project and edit it."),
        _input("tags", "Topic tags", _text_input(", ".join(project.tags) if project else None,
                                                 PROJECT_LIMITS["tags"], multiline=False,
                                                 placeholder="e.g. inpatient, metabolic, safety"),
               optional=True, hint="Separate tags with commas."),
    ]


def _metadata(**values: Any) -> str:
    return json.dumps({k: v for k, v in values.items() if v is not None}, separators=(",", ":"))


def share_modal(projects: list[ProjectView], *, selected: str | None, channel_id: str, response_url: str | None,
                tried: str | None = None, prompt_id: str | None = None) -> dict[str, Any]:
    """`/qi-share`: pick a project (or a new one), then what you tried and learned, stage, progress, help.

    `prompt_id` is the weekly prompt whose button opened the form: the share then counts as its answer.
    """
    options = [option(p.title, str(p.id)) for p in projects[:MAX_PROJECT_OPTIONS]]
    options.append(option("➕ New project", NEW_PROJECT))
    selected = selected or (str(projects[0].id) if len(projects) == 1 else None) or (None if projects else NEW_PROJECT)
    project = next((p for p in projects if str(p.id) == selected), None)
    blocks: list[dict[str, Any]] = [
        _input("project", "Project", _select(options, selected, "Choose a project", action_id=PROJECT_PICK),
               dispatch=True, hint="Pick \"New project\" to start one; updates go in the project's thread."),
    ]
    if selected == NEW_PROJECT:
        blocks += project_field_blocks(None)
    blocks += [
        {"type": "divider"},
        _input("tried", "What did you try?", _text_input(tried, UPDATE_LIMITS["tried"],
                                                         placeholder="The change you tested, with whom, and how"),
               hint="Never include patient identifiers: Slack is not a health record."),
        _input("learned", "What did you learn?", _text_input(None, UPDATE_LIMITS["learned"],
                                                             placeholder="What the data or the team told you"),
               optional=True),
        stage_block(project.pdsa_stage if project else "plan"),
        progress_block(project.progress_score if project else Decimal("0.5")),
        _input("help_wanted", "Help wanted?", _text_input(None, UPDATE_LIMITS["help_wanted"],
                                                          placeholder="e.g. someone who has built a run chart in "
                                                                      "Excel"),
               optional=True, hint="Say what help you would like; leave empty if none."),
    ]
    if project is not None and project.measures:
        blocks += data_point_blocks(project)
    return {
        "type": "modal", "callback_id": SHARE, "title": plain("Share QI work"), "submit": plain("Share"),
        "close": plain("Cancel"), "blocks": blocks,
        "private_metadata": _metadata(channel=channel_id, reply=response_url, prompt=prompt_id),
    }


def data_point_blocks(project: ProjectView) -> list[dict[str, Any]]:
    options = [option(f"{m.name} ({m.kind})", str(m.id)) for m in project.measures]
    return [
        section("*A new data point* (optional): it builds the project's run chart."),
        _input("dp_measure", "Measure", _select(options, None, "Which measure?"), optional=True),
        _input("dp_value", "Value", {"type": "number_input", "action_id": INPUT, "is_decimal_allowed": True},
               optional=True),
        _input("dp_date", "Date measured", {"type": "datepicker", "action_id": INPUT}, optional=True),
    ]


def edit_update_modal(update: UpdateView, *, channel_id: str | None, response_url: str | None) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": EDIT_UPDATE, "title": plain("Edit update"), "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            _input("tried", "What did you try?", _text_input(update.tried, UPDATE_LIMITS["tried"])),
            _input("learned", "What did you learn?", _text_input(update.learned, UPDATE_LIMITS["learned"]),
                   optional=True),
            *([stage_block(update.pdsa_stage), progress_block(update.progress_score)] if update.project_id else []),
            _input("help_wanted", "Help wanted?", _text_input(update.help_wanted, UPDATE_LIMITS["help_wanted"]),
                   optional=True),
        ],
        "private_metadata": _metadata(update=update.id, channel=channel_id, reply=response_url),
    }


def project_modal(project: ProjectView | None, *, channel_id: str | None, response_url: str | None) -> dict[str, Any]:
    """Create (no project) or edit a project."""
    return {
        "type": "modal", "callback_id": PROJECT, "title": plain("Edit QI project" if project else "New QI project"),
        "submit": plain("Save"), "close": plain("Cancel"),
        "blocks": [
            *project_field_blocks(project),
            stage_block(project.pdsa_stage if project else "plan"),
            progress_block(project.progress_score if project else Decimal("0.5")),
        ],
        "private_metadata": _metadata(project=project.id if project else None, channel=channel_id,
                                      reply=response_url),
    }
