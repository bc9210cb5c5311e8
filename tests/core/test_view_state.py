"""A signed modal whose metadata or date picker holds what we never wrote gets a field error, never a 500.

Slack signs the request, but a stale form or a forged client fills `private_metadata` and the state
values: every listener that reads them answers on the field (or redraws the form) and logs no traceback.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from handlers.view_state import STALE_FORM
from sandbox import state_values
from storage.models import CpdEntry, QiProject, QiUpdate
from tests.sharing_helpers import open_form, projects, submit_share, update_values, updates

NOT_JSON = "{not json"


def _entry_values() -> dict:
    values = {"date": {"selected_date": "2026-11-20"}, "activity": {"selected": "s3-chart-audit"},
              "amount": "1h30", "title": "Audit of lithium monitoring", "reflection_learned": "Levels drift.",
              "reflection_change": None, "reflection_further": None}
    return state_values({block: {"cpd_entry_activity" if block == "activity" else "value": value}
                         for block, value in values.items()})


def _project_values() -> dict:
    return state_values(title={"input": "Falls on 4B"}, stage={"input": {"selected": "plan"}},
                        progress={"input": {"selected": "1.0"}})


def _no_tracebacks(caplog) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


async def _count(env, model) -> int:
    async with env.runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


# (callback id, state values, private_metadata, the block the error is shown on, the error)
FORMS = [
    ("cpd_entry", _entry_values, NOT_JSON, "activity", "choose the activity type again"),
    ("cpd_entry", _entry_values, "[1, 2]", "activity", "choose the activity type again"),
    ("cpd_reflection", lambda: state_values(reflection_learned={"value": "Gaps on weekends."}), NOT_JSON,
     "reflection_learned", "couldn't find that entry"),
    ("sharing_share", update_values, NOT_JSON, "project", STALE_FORM),
    ("sharing_edit_update", update_values, '{"update": "not-an-id"}', "tried", STALE_FORM),
    ("sharing_edit_update", update_values, NOT_JSON, "tried", STALE_FORM),
    ("sharing_project", _project_values, '{"project": "not-an-id"}', "title", STALE_FORM),
    ("sharing_project", _project_values, '"a string"', "title", STALE_FORM),
    ("admin_mentor_load", lambda: state_values(capacity={"value": {"number": 3}}), NOT_JSON, "capacity",
     "out of date"),
]


@pytest.mark.parametrize("callback_id,values,metadata,block,error", FORMS,
                         ids=[f"{form[0]}:{form[2]}" for form in FORMS])
async def test_unreadable_private_metadata_is_a_field_error(env, caplog, callback_id, values, metadata, block,
                                                            error):
    user = "U0ADMIN" if callback_id.startswith("admin") else "U0MEMBER1"
    with caplog.at_level(logging.INFO):
        response = await env.driver.submit_view(callback_id, values(), user_id=user, private_metadata=metadata)
        await env.settle()
    assert response.status == 200
    answer = response.json()
    assert answer["response_action"] == "errors" and error.lower() in answer["errors"][block].lower()
    _no_tracebacks(caplog)
    assert env.slack.calls_to("chat.postMessage") == [] and env.slack.responses() == []  # no apology either
    for model in (QiUpdate, QiProject, CpdEntry):
        assert await _count(env, model) == 0


@pytest.mark.parametrize("picked", ["2026-13-45", "2026-02-30", "yesterday"])
async def test_a_date_picker_value_that_is_not_a_date_is_a_field_error(env, caplog, picked):
    await submit_share(env, "new")
    [project] = await projects(env)
    view = await open_form(env)
    with caplog.at_level(logging.INFO):
        response = await submit_share(env, str(project.id), view=view,
                                      dp_measure={"input": {"selected": str(project.measures[0].id)}},
                                      dp_value={"input": {"number": "62"}}, dp_date={"input": {"selected_date": picked}})
    assert response.status == 200
    assert response.json()["errors"] == {
        "dp_date": "That is not a date on the calendar: pick the date it was measured."}
    _no_tracebacks(caplog)
    assert len(await updates(env)) == 1  # only the first share


@pytest.mark.parametrize("command,action_id,option", [("/qi-share", "project_pick", "new"),
                                                     ("/cpd-log", "cpd_entry_activity", "s2-scan-article")])
async def test_a_form_with_unreadable_metadata_is_still_redrawn(env, caplog, command, action_id, option):
    """A select that redraws its form reads the metadata too: the form comes back, with metadata we can read."""
    await env.driver.command(command, "")
    await env.settle()
    view = {**env.slack.opened_views[-1]["view"], "private_metadata": NOT_JSON}
    with caplog.at_level(logging.INFO):
        await env.driver.action(action_id, view=view, action_type="static_select", selected_option=option)
        await env.settle()
    _no_tracebacks(caplog)
    [update] = env.slack.calls_to("views.update")
    assert update["view_id"] == view["id"] and json.loads(update["view"]["private_metadata"])


async def test_a_share_form_whose_state_is_not_in_slacks_shape_gets_field_errors(env, caplog):
    forged = {"tried": {"input": "not an element"}, "project": {"project_pick": {"type": "static_select",
                                                                    "selected_option": "not an option"}},
              "stage": {"input": ["a list"]}}
    with caplog.at_level(logging.INFO):
        response = await env.driver.submit_view("sharing_share", forged, private_metadata="{}")
        await env.settle()
    assert response.status == 200
    assert {"tried", "project", "stage"} <= set(response.json()["errors"])
    _no_tracebacks(caplog)
    assert await _count(env, QiUpdate) == 0
