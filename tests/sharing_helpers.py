"""Shared steps for the /qi-share scenario tests: open the form, fill it in, submit it as Slack would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox import state_values
from storage.models import QiProject, QiUpdate

MEMBER = "U0MEMBER1"
OTHER = "U0MEMBER2"
ADMIN = "U0ADMIN"
CHANNEL = "C0COMMUNITY"

NEW_PROJECT = {
    "title": {"input": "Metabolic monitoring on 4B"},
    "aim": {"input": "Increase metabolic screening for inpatients on antipsychotics from 40% to 80% by June 2027"},
    "measures": {"input": "Outcome: % of patients screened\nBalancing: time to discharge"},
    "change_ideas": {"input": "Checklist at admission; pharmacy reminder"},
    "members": {"input": {"selected_users": [OTHER]}},
    "tags": {"input": "inpatient, metabolic"},
}


def update_values(tried: str = "Tried a screening checklist at admission for two weeks.", *,
                  learned: str | None = "Nurses liked it; night shift missed it.", stage: str = "do",
                  progress: str = "2.5", help_wanted: str | None = None, **more: Any) -> dict[str, dict[str, Any]]:
    return state_values({
        "tried": {"input": tried},
        "learned": {"input": learned},
        "stage": {"input": {"selected": stage}},
        "progress": {"input": {"selected": progress}},
        "help_wanted": {"input": help_wanted},
        **more,
    })


async def open_form(env, user_id: str = MEMBER) -> dict[str, Any]:
    await env.driver.command("/qi-share", "", user_id=user_id)
    await env.settle()
    return env.slack.opened_views[-1]["view"]


async def submit_share(env, project: str, *, user_id: str = MEMBER, view: dict[str, Any] | None = None,
                       new: dict[str, Any] | None = None, **update: Any):
    """Submit the share form for `project` ("new" or a project id); returns the ack response."""
    view = view or await open_form(env, user_id)
    values = update_values(**update)
    values.update(state_values({"project": {"project_pick": {"selected": project}}}))
    if project == "new":
        values.update(state_values(new or NEW_PROJECT))
    response = await env.driver.submit_view("sharing_share", values, user_id=user_id, view=view)
    await env.settle()
    return response


async def projects(env) -> list[QiProject]:
    async with env.runtime.db.session() as session:
        return list((await session.scalars(select(QiProject).order_by(QiProject.id))).all())


async def updates(env) -> list[QiUpdate]:
    async with env.runtime.db.session() as session:
        return list((await session.scalars(select(QiUpdate).order_by(QiUpdate.id))).all())


def posts(env, channel: str = CHANNEL) -> list[dict[str, Any]]:
    return env.slack.messages(channel)


def replies(env) -> list[str]:
    """Texts of ephemeral replies that reached the member (response_url posts and chat.postEphemeral)."""
    return [r.get("text", "") for r in env.slack.responses()] + [e["text"] for e in env.slack.ephemerals()]


def share_reply(env) -> dict[str, Any]:
    """The last answer to a share at its response_url that is not the CPD offer which follows it."""
    return [r for r in env.slack.responses() if not r.get("text", "").startswith("Log time on this as CPD?")][-1]


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    return next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == action_id)
