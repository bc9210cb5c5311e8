"""Submissions of the sharing modals. Every field is checked first; problems go back on the field."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.audit import record
from bot.core.members import ensure_member
from bot.core.runtime import Runtime
from bot.sharing.projects import can_contribute, create_project, get_project, update_project
from bot.sharing.updates import can_change_update, edit_update, get_update
from handlers.ids import row_id
from handlers.sharing.forms import metadata, read_data_point, read_project, read_update, value
from handlers.sharing.modals import EDIT_UPDATE, NEW_PROJECT, PROJECT, SHARE
from handlers.sharing.posting import refresh_message, refresh_parent
from handlers.sharing.share import deliver_share, store_share, tell

NOT_YOUR_PROJECT = "Only the project's owner, team members and admins can post to or change this project."


def _who(body: dict[str, Any]) -> tuple[str, str]:
    return body["team"]["id"], body["user"]["id"]


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.view(SHARE)
    async def share(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        team_id, user_id = _who(body)
        meta = metadata(view)
        fields, errors = read_update(view, runtime.settings.staff_email_domains)
        selected = value(view, "project")
        new_project, project_id, data_point = None, None, None
        if selected == NEW_PROJECT:
            new_project, project_errors = read_project(view, runtime.settings.staff_email_domains)
            errors.update(project_errors)
        elif selected is None:
            errors["project"] = "Choose one of your projects, or New project."
        else:
            async with runtime.db.session() as session:
                project = await get_project(session, team_id, row_id(selected))
            if project is None or not can_contribute(project, user_id, runtime.settings.is_admin(user_id)):
                errors["project"] = NOT_YOUR_PROJECT
            else:
                project_id = project.id
                today = runtime.clock.now().astimezone(runtime.settings.tz).date()
                data_point, point_errors = read_data_point(view, today, {m.id for m in project.measures})
                errors.update(point_errors)
        if not runtime.settings.community_channel_id:
            errors.setdefault("project", "Sharing is not set up yet: ask your QI Commons admin to set the community "
                                         "channel.")
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        update_id = await store_share(runtime, team_id=team_id, user_id=user_id, project_id=project_id,
                                      new_project=new_project, fields=fields, data_point=data_point)
        await ack()
        await deliver_share(runtime, client, team_id=team_id, user_id=user_id, update_id=update_id,
                            channel_id=meta.get("channel") or runtime.settings.community_channel_id or "",
                            response_url=meta.get("reply"))

    @app.view(EDIT_UPDATE)
    async def edit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        team_id, user_id = _who(body)
        meta = metadata(view)
        now = runtime.clock.now()
        async with runtime.db.session() as session, session.begin():
            update = await get_update(session, team_id, int(meta.get("update") or 0))
            if update is None or update.post_status == "deleted":
                await ack(response_action="errors", errors={"tried": "This update has been deleted."})
                return
            if not can_change_update(update, user_id, runtime.settings.is_admin(user_id)):
                await ack(response_action="errors", errors={"tried": "Only the author or an admin can edit this."})
                return
            fields, errors = read_update(view, runtime.settings.staff_email_domains, with_stage=update.project_id is not None)
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            edit_update(update, fields, now)
            record(session, team_id=team_id, actor_id=user_id, action="qi_update.edited",
                   subject=f"qi_update:{update.id}", at=now)
            author = update.author_id
        await ack()
        await refresh_message(runtime, team_id=team_id, update_id=update.id)
        await tell(client, user_id=user_id, channel_id=meta.get("channel"), response_url=meta.get("reply"),
                   text=":pencil2: Your changes are saved; the post in the channel shows them.")
        if author:
            runtime.member_changed(team_id, author)

    @app.view(PROJECT)
    async def save_project(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        team_id, user_id = _who(body)
        meta = metadata(view)
        fields, errors = read_project(view, runtime.settings.staff_email_domains)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        now = runtime.clock.now()
        async with runtime.db.session() as session, session.begin():
            if meta.get("project"):
                project = await get_project(session, team_id, int(meta["project"]))
                if project is None or not can_contribute(project, user_id, runtime.settings.is_admin(user_id)):
                    await ack(response_action="errors", errors={"title": NOT_YOUR_PROJECT})
                    return
                before = {m.slack_user_id for m in project.members} | {project.owner_id}
                if errors := await update_project(session, project, fields, now):
                    await ack(response_action="errors", errors=errors)
                    return
                action = "qi_project.edited"
            else:
                await ensure_member(runtime, session, team_id, user_id)
                project = await create_project(session, team_id=team_id, owner_id=user_id, fields=fields, now=now)
                before, action = set(), "qi_project.created"
            record(session, team_id=team_id, actor_id=user_id, action=action, subject=f"qi_project:{project.id}",
                   at=now)
            people = before | {m.slack_user_id for m in project.members} | {project.owner_id, user_id}
        await ack()
        await refresh_parent(runtime, team_id=team_id, project_id=project.id)
        verb = "Saved" if action == "qi_project.edited" else "Created"
        await tell(client, user_id=user_id, channel_id=meta.get("channel"), response_url=meta.get("reply"),
                   text=f":white_check_mark: {verb} the project. Share an update with `/qi-share #{project.slug} ...` "
                        "or `/qi-share` for the form.")
        for person in sorted(people):
            runtime.member_changed(team_id, person)
