"""The Home's buttons: each opens the owning feature's modal; Withdraw stops a mentor request."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.runtime import Runtime
from bot.mentoring import requests as mentoring
from bot.sharing import services
from handlers.cpd.entry_form import open_entry_form
from handlers.cpd.prefill import EntryPrefill
from handlers.home.blocks import (
    BECOME_MENTOR,
    EDIT_PROJECT,
    FIND_MENTOR,
    LOG_CPD,
    SHARE_PROJECT_UPDATE,
    SHARE_UPDATE,
    WITHDRAW_REQUEST,
)
from handlers.ids import row_id
from handlers.mentoring import notify
from handlers.mentoring.find import open_find_mentor
from handlers.mentoring.profile import open_profile
from handlers.sharing.modals import project_modal, share_modal
from handlers.tenant import team_of


def _who(body: dict[str, Any], context: dict[str, Any]) -> tuple[str, str]:
    return team_of(context), body["user"]["id"]


def _id(action: dict[str, Any]) -> int | None:
    return row_id(action.get("value"))


def register(app: AsyncApp, runtime: Runtime) -> None:
    async def open_share(body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient,
                         project_id: int | None) -> None:
        team_id, user_id = _who(body, context)
        projects = await services.active_projects(runtime, team_id, user_id)
        # Only one of their own active projects may be preselected, whatever the button said.
        selected = str(project_id) if any(p.id == project_id for p in projects) else None
        # No channel or response_url on Home: sharing then answers the member by DM.
        await client.views_open(trigger_id=body["trigger_id"], view=share_modal(
            projects, selected=selected, channel_id="", response_url=None))

    @app.action(SHARE_UPDATE)
    async def share_update(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any],
                           client: AsyncWebClient) -> None:
        await ack()
        await open_share(body, context, client, None)

    @app.action(SHARE_PROJECT_UPDATE)
    async def share_project_update(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                                   client: AsyncWebClient) -> None:
        await ack()
        await open_share(body, context, client, _id(action))

    @app.action(EDIT_PROJECT)
    async def edit_project(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                           client: AsyncWebClient) -> None:
        await ack()
        team_id, user_id = _who(body, context)
        try:
            project = await services.project_to_change(runtime, team_id, user_id, _id(action))
        except services.NotAllowed:
            runtime.member_changed(team_id, user_id)  # gone or not theirs: show the Home as it is now
            return
        await client.views_open(trigger_id=body["trigger_id"], view=project_modal(project, channel_id=None,
                                                                                   response_url=None))

    @app.action(FIND_MENTOR)
    async def find_mentor(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_find_mentor(client, trigger_id=body["trigger_id"])

    @app.action(BECOME_MENTOR)
    async def become_mentor(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any],
                            client: AsyncWebClient) -> None:
        await ack()
        team_id, user_id = _who(body, context)
        await open_profile(runtime, client, team_id=team_id, user_id=user_id, trigger_id=body["trigger_id"])

    @app.action(LOG_CPD)
    async def log_cpd(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        team_id, user_id = _who(body, context)
        await open_entry_form(runtime, client, team_id=team_id, user_id=user_id, trigger_id=body["trigger_id"],
                              prefill=EntryPrefill())

    @app.action(WITHDRAW_REQUEST)
    async def withdraw_request(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any],
                               action: dict[str, Any]) -> None:
        team_id, user_id = _who(body, context)
        request_id = _id(action)
        if request_id is None:
            await ack()
            return
        # The service withdraws only this member's own open request: the id could be anyone's. Withdrawn
        # before the ack, so a crash once Slack shows the click as taken cannot lose it; mentors told after.
        outcome = await mentoring.withdraw_request(runtime, team_id=team_id, mentee_id=user_id, request_id=request_id,
                                                   announce=partial(notify.announce_withdrawal, runtime))
        await ack()
        if isinstance(outcome, mentoring.Withdrawn):
            await notify.deliver(runtime, outcome.queued)
        else:
            runtime.member_changed(team_id, user_id)  # show what it became instead
