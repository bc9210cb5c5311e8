"""Buttons on shared updates (kudos, edit, delete) and on the project list; the project picker in the form.

Edit and Delete are shown to everyone on a channel message, so the server decides: only the author
or an admin may use them; anyone else gets an ephemeral refusal and nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.runtime import Runtime
from bot.sharing import services
from handlers import view_state
from handlers.commands.context import CommandContext
from handlers.ids import row_id
from handlers.sharing.blocks import DELETE, EDIT, KUDOS
from handlers.sharing.commands import PHI_EDIT, list_for, reply_to_quick_share, run_subcommand
from handlers.sharing.listing import EDIT_PROJECT, NEW_PROJECT, SET_STATUS, SHARE_TO
from handlers.sharing.modals import PROJECT_PICK, edit_update_modal, project_modal, share_modal
from handlers.sharing.posting import RENDER, refresh_message, refresh_parent
from handlers.sharing.quick_choice import CANCEL as CANCEL_CHOICE
from handlers.sharing.quick_choice import CANCELLED, RUN_COMMAND, SHARE_CHOSEN
from handlers.tenant import team_of

NOT_YOURS = "Only the person who shared this update, or a QI Commons admin, can {verb} it. Nothing was changed."
NOT_YOUR_PROJECT = "Only the project's owner, its team members and admins can change it. Nothing was changed."
GONE = "That update has been deleted."


def _who(body: dict[str, Any], context: dict[str, Any]) -> tuple[str, str]:
    return team_of(context), body["user"]["id"]


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def _context(runtime: Runtime, body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient,
             respond: AsyncRespond, text: str) -> CommandContext:
    """A button under a command's answer acts as that command would, answering the same person."""
    team_id, user_id = _who(body, context)
    return CommandContext(runtime=runtime, client=client, respond=respond, team_id=team_id, user_id=user_id,
                          channel_id=_channel(body) or "", trigger_id=body.get("trigger_id", ""), text=text)


def register(app: AsyncApp, runtime: Runtime) -> None:
    async def ephemeral(respond: AsyncRespond, text: str) -> None:
        await respond(text=text, response_type="ephemeral", replace_original=False)

    @app.action(KUDOS)
    async def kudos(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                    respond: AsyncRespond) -> None:
        team_id, user_id = _who(body, context)
        update_id = row_id(action.get("value")) or 0
        # Stored before the ack (here and in the other buttons that change what is stored): once Slack
        # shows the click as taken, a crash can no longer lose it. The message is redrawn after.
        try:
            await services.toggle_kudos(runtime, team_id=team_id, user_id=user_id, update_id=update_id)
        except services.NotFound:
            await ack()
            await ephemeral(respond, GONE)
            return
        await ack()
        await refresh_message(runtime, team_id=team_id, update_id=update_id)

    @app.action(EDIT)
    async def edit(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                   client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        team_id, user_id = _who(body, context)
        try:
            update = await services.update_to_edit(runtime, team_id, user_id, row_id(action.get("value")) or 0)
        except services.NotFound:
            await ephemeral(respond, GONE)
        except services.NotAllowed:
            await ephemeral(respond, NOT_YOURS.format(verb="edit"))
        else:
            await client.views_open(trigger_id=body["trigger_id"], view=edit_update_modal(
                update, channel_id=_channel(body), response_url=body.get("response_url")))

    @app.action(DELETE)
    async def delete(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                     respond: AsyncRespond) -> None:
        team_id, user_id = _who(body, context)
        try:
            deleted = await services.delete_update(runtime, team_id=team_id, user_id=user_id,
                                                   update_id=row_id(action.get("value")) or 0)
        except services.NotFound:
            await ack()
            await ephemeral(respond, GONE)
            return
        except services.NotAllowed:
            await ack()
            await ephemeral(respond, NOT_YOURS.format(verb="delete"))
            return
        await ack()  # the update is deleted (and its post's removal queued): Slack's calls come after
        if deleted.delete_outbox_id is not None:
            await runtime.outbox.attempt(deleted.delete_outbox_id)
        await ephemeral(respond, "Deleted the update.")

    @app.action(PHI_EDIT)
    async def edit_refused_share(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                                 client: AsyncWebClient) -> None:
        """Reopen the form with the member's own text, which was never stored, so they can remove the identifier."""
        await ack()
        team_id, user_id = _who(body, context)
        project_id = action.get("block_id", "").partition(":")[2]
        projects = await services.active_projects(runtime, team_id, user_id)
        await client.views_open(trigger_id=body["trigger_id"], view=share_modal(
            projects, selected=project_id or None, channel_id=_channel(body) or "",
            response_url=body.get("response_url"), tried=action.get("value")))

    @app.action(SHARE_CHOSEN)
    async def share_chosen(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                           client: AsyncWebClient, respond: AsyncRespond) -> None:
        """The member chose where their quick share goes: it is stored (before the ack, so a crash once Slack
        shows the click as taken cannot lose it), the question goes away, then it is shared as a quick share
        to that place would have been (or they are told why not)."""
        ctx = _context(runtime, body, context, client, respond, action.get("value") or "")
        chosen = action.get("block_id", "").partition(":")[2]
        stored: services.QuickShare | services.QuickShareHasPhi | None = None
        gone = False
        if runtime.settings.community_channel_id:
            try:
                if chosen and row_id(chosen) is None:
                    raise services.NotFound
                stored = await services.share_chosen(
                    runtime, team_id=ctx.team_id, user_id=ctx.user_id, text=ctx.text, project_id=row_id(chosen),
                    render=RENDER)
            except services.QuickShareHasPhi as refused:
                stored = refused
            except services.NotFound:
                gone = True
        await ack()
        await respond(delete_original=True)
        if gone:
            await ctx.reply("That project no longer exists, so nothing was shared. `/qi-share list` shows your "
                            "projects.")
            return
        await reply_to_quick_share(ctx, stored, body.get("response_url"))

    @app.action(RUN_COMMAND)
    async def run_command(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                          client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        await respond(delete_original=True)
        ctx = _context(runtime, body, context, client, respond, "")
        await run_subcommand(ctx, action.get("value") or "", body.get("response_url"))

    @app.action(CANCEL_CHOICE)
    async def cancel_choice(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text=CANCELLED, replace_original=True)

    @app.action(PROJECT_PICK)
    async def pick_project(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                           client: AsyncWebClient) -> None:
        """Show the new-project fields, or the chosen project's stage, progress and measures."""
        await ack()
        team_id, user_id = _who(body, context)
        view = body["view"]
        # Unreadable metadata only loses the way back to where the form was opened: replies then go by DM.
        meta = view_state.metadata(view)
        projects = await services.active_projects(runtime, team_id, user_id)
        selected = (action.get("selected_option") or {}).get("value")
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=share_modal(
            projects, selected=selected, channel_id=view_state.text(meta, "channel") or "",
            response_url=view_state.text(meta, "reply"), prompt_id=view_state.text(meta, "prompt")))

    @app.action(SHARE_TO)
    async def share_to(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                       client: AsyncWebClient) -> None:
        await ack()
        team_id, user_id = _who(body, context)
        projects = await services.active_projects(runtime, team_id, user_id)
        try:
            chosen = await services.project_to_change(runtime, team_id, user_id, row_id(action.get("value")))
        except services.NotAllowed:
            chosen = None
        if chosen is not None and chosen.id not in {p.id for p in projects}:
            projects.insert(0, chosen)  # a paused project can still take an update from its list entry
        await client.views_open(trigger_id=body["trigger_id"], view=share_modal(
            projects, selected=action.get("value"), channel_id=_channel(body) or "",
            response_url=body.get("response_url")))

    @app.action(NEW_PROJECT)
    async def new_project(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=project_modal(
            None, channel_id=_channel(body), response_url=body.get("response_url")))

    @app.action(EDIT_PROJECT)
    async def edit_project(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                           client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        team_id, user_id = _who(body, context)
        try:
            project = await services.project_to_change(runtime, team_id, user_id, row_id(action.get("value")))
        except services.NotAllowed:
            await ephemeral(respond, NOT_YOUR_PROJECT)
            return
        await client.views_open(trigger_id=body["trigger_id"], view=project_modal(
            project, channel_id=_channel(body), response_url=body.get("response_url")))

    @app.action(SET_STATUS)
    async def change_status(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                            respond: AsyncRespond) -> None:
        """Pause, resume or complete a project (stored before the ack), then redraw the list in place."""
        team_id, user_id = _who(body, context)
        raw_id, _, status = (action.get("value") or "").partition(":")
        project_id = row_id(raw_id)
        try:
            await services.change_project_status(runtime, team_id=team_id, user_id=user_id, project_id=project_id,
                                                 status=status)
        except services.NotAllowed:
            await ack()
            await ephemeral(respond, NOT_YOUR_PROJECT)
            return
        except ValueError:  # a garbled or forged button value
            await ack()
            await ephemeral(respond, "That button is out of date: run `/qi-share list` again.")
            return
        await ack()
        await respond(**await list_for(runtime, team_id, user_id), replace_original=True)
        assert project_id is not None
        await refresh_parent(runtime, team_id=team_id, project_id=project_id)
