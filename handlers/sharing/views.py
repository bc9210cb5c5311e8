"""Submissions of the sharing modals. Every field is checked first; problems go back on the field."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.data_points import has_point_on
from bot.core import phi
from bot.core.runtime import Runtime
from bot.core.text import truncate
from bot.search.connections import project_subject
from bot.sharing import services
from bot.sharing.projects import ProjectFields
from handlers import view_state
from handlers.ids import row_id
from handlers.search.offer import connections_for
from handlers.sharing.forms import read_data_point, read_project, read_update, value
from handlers.sharing.modals import EDIT_UPDATE, NEW_PROJECT, PROJECT, SHARE
from handlers.sharing.posting import RENDER, refresh_message, refresh_parent
from handlers.sharing.share import deliver_share, tell
from handlers.tenant import team_of

NOT_YOUR_PROJECT = "Only the project's owner, team members and admins can post to or change this project."


def _who(body: dict[str, Any], context: dict[str, Any]) -> tuple[str, str]:
    return team_of(context), body["user"]["id"]


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.view(SHARE)
    async def share(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any],
                    client: AsyncWebClient) -> None:
        team_id, user_id = _who(body, context)
        meta = view_state.metadata(view)
        if meta is None:
            await ack(response_action="errors", errors={"project": view_state.STALE_FORM})
            return
        fields, errors = read_update(view)
        selected = value(view, "project")
        new_project, project_id, data_point = None, None, None
        if selected == NEW_PROJECT:
            new_project, project_errors = read_project(view)
            errors.update(project_errors)
        elif selected is None:
            errors["project"] = "Choose one of your projects, or New project."
        else:
            try:
                project = await services.project_to_change(runtime, team_id, user_id, row_id(selected))
            except services.NotAllowed:
                errors["project"] = NOT_YOUR_PROJECT
            else:
                project_id = project.id
                today = runtime.clock.now().astimezone(runtime.settings.tz).date()
                data_point, point_errors = read_data_point(view, today, {m.id: m.unit for m in project.measures})
                errors.update(point_errors)
                if data_point and await has_point_on(runtime, team_id=team_id, measure_id=data_point.measure_id,
                                                     on=data_point.observed_on):
                    ids = [m.id for m in project.measures]
                    name, number = project.measures[ids.index(data_point.measure_id)].name, ids.index(data_point.measure_id) + 1
                    errors["dp_date"] = truncate(
                        f"{name} already has a value on {data_point.observed_on:%d %b %Y}. Leave the data point out "
                        f"here and send `/qi-share #{project.slug} data {number}=VALUE {data_point.observed_on}` to "
                        "replace it or keep both.", 300)
        if not runtime.settings.community_channel_id:
            errors.setdefault("project", "Sharing is not set up yet: ask your QI Commons admin to set the community "
                                         "channel.")
        if errors:
            texts = {name: value(view, name) for name in ("tried", "learned", "help_wanted")}
            await ack(response_action="errors",
                      errors=phi.errors_alongside(runtime.settings.staff_email_domains, errors, **texts))
            return
        try:
            shared = await services.share_update(runtime, team_id=team_id, user_id=user_id, project_id=project_id,
                                                 new_project=new_project, fields=fields, data_point=data_point,
                                                 render=RENDER, answers_prompt=view_state.text(meta, "prompt"))
        except phi.ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        except (services.NotAllowed, services.NotFound):  # lost the right, or the project, since the check above
            await ack(response_action="errors", errors={"project": NOT_YOUR_PROJECT})
            return
        await ack()
        channel_id = view_state.text(meta, "channel") or runtime.settings.community_channel_id or ""
        await deliver_share(runtime, client, team_id=team_id, user_id=user_id, shared=shared,
                            channel_id=channel_id, response_url=view_state.text(meta, "reply"))
        if new_project is not None and shared.project_id is not None:
            await _connect(runtime, client, team_id, user_id, shared.project_id, new_project, channel_id,
                           view_state.text(meta, "reply"))

    @app.view(EDIT_UPDATE)
    async def edit(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any],
                   client: AsyncWebClient) -> None:
        team_id, user_id = _who(body, context)
        meta = view_state.metadata(view)
        update_id = row_id((meta or {}).get("update"))
        if update_id is None:
            await ack(response_action="errors", errors={"tried": view_state.STALE_FORM})
            return
        try:
            # The server's rules first, so a forged or stale submission learns nothing from the field checks.
            current = await services.update_to_edit(runtime, team_id, user_id, update_id)
            fields, errors = read_update(view, with_stage=current.project_id is not None)
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            edited = await services.edit_shared_update(runtime, team_id=team_id, user_id=user_id,
                                                       update_id=update_id, fields=fields)
        except services.NotFound:
            await ack(response_action="errors", errors={"tried": "This update has been deleted."})
            return
        except services.NotAllowed:
            await ack(response_action="errors", errors={"tried": "Only the author or an admin can edit this."})
            return
        except phi.ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        await ack()
        await refresh_message(runtime, team_id=team_id, update_id=edited.update_id)
        await tell(client, user_id=user_id, channel_id=view_state.text(meta, "channel"),
                   response_url=view_state.text(meta, "reply"), text=":pencil2: Your changes are saved; the post in the channel shows them.")

    @app.view(PROJECT)
    async def save_project(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any],
                           client: AsyncWebClient) -> None:
        team_id, user_id = _who(body, context)
        meta = view_state.metadata(view)
        # No "project" creates one; an id that is not one must not quietly create a copy instead of the edit.
        project_id = row_id((meta or {}).get("project"))
        if meta is None or (meta.get("project") is not None and project_id is None):
            await ack(response_action="errors", errors={"title": view_state.STALE_FORM})
            return
        fields, errors = read_project(view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        try:
            saved = await services.save_project(runtime, team_id=team_id, user_id=user_id, fields=fields,
                                                project_id=project_id)
        except (services.NotAllowed, services.NotFound):
            await ack(response_action="errors", errors={"title": NOT_YOUR_PROJECT})
            return
        except services.MeasureConflict as conflict:
            await ack(response_action="errors", errors=conflict.errors)
            return
        except phi.ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        await ack()
        await refresh_parent(runtime, team_id=team_id, project_id=saved.project_id)
        verb = "Created" if saved.created else "Saved"
        await tell(client, user_id=user_id, channel_id=view_state.text(meta, "channel"),
                   response_url=view_state.text(meta, "reply"), text=f":white_check_mark: {verb} the project. Share an update with `/qi-share #{saved.slug} ...` "
                        "or `/qi-share` for the form.")
        if saved.created:
            await _connect(runtime, client, team_id, user_id, saved.project_id, fields,
                           view_state.text(meta, "channel"), view_state.text(meta, "reply"))


async def _connect(runtime: Runtime, client: AsyncWebClient, team_id: str, user_id: str, project_id: int,
                   fields: ProjectFields, channel_id: str | None, response_url: str | None) -> None:
    """A new project: the people behind similar ones, after the member's own confirmation."""
    message = await connections_for(runtime, team_id=team_id, user_id=user_id, subject=project_subject(project_id),
                                    about=(fields.title, fields.aim, fields.change_ideas, *fields.tags))
    if message is not None:
        await tell(client, user_id=user_id, channel_id=channel_id, response_url=response_url, text=message["text"],
                   blocks=message["blocks"])
