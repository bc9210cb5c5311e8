"""`/cpd-log list`: the member's entries a page at a time, each with a Delete button that works on their own only."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.core.runtime import Runtime
from bot.core.text import escape
from bot.cpd.entries import delete_entry, entries_page
from handlers.commands.context import CommandContext
from handlers.cpd.blocks import DELETE_ENTRY, list_message
from handlers.cpd.list_position import LIST_PAGE, ListPosition
from handlers.tenant import team_of

NOT_YOURS = "I couldn't find that entry in your CPD log; it may already be deleted."


async def _page(runtime: Runtime, team_id: str, user_id: str, position: ListPosition,
                note: str | None = None) -> dict[str, Any]:
    found = await entries_page(runtime, team_id, user_id, position.page,
                               needing_reflection=position.needing_reflection)
    return list_message(found, position, note=note)


async def show_list(ctx: CommandContext) -> None:
    message = await _page(ctx.runtime, ctx.team_id, ctx.user_id, ListPosition())
    await ctx.reply(message["text"], message["blocks"])


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(DELETE_ENTRY)
    async def delete_clicked(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                             respond: AsyncRespond) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        position, wanted = ListPosition.from_value(action.get("value"))
        # Deleted before the ack: once Slack shows the click as taken, a crash cannot undo it.
        deleted = await delete_entry(runtime, team_id, user_id, wanted) if wanted is not None else None
        await ack()
        note = f"Deleted “{escape(deleted.title)}”." if deleted else NOT_YOURS
        message = await _page(runtime, team_id, user_id, position, note=note)
        await respond(text=message["text"], blocks=message["blocks"], replace_original=True,
                      response_type="ephemeral")

    @app.action(LIST_PAGE)
    async def page_clicked(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                           respond: AsyncRespond) -> None:
        """Newer / Older redraw the list in place; the summary's "Show all" link answers beside the summary."""
        await ack()
        position, _ = ListPosition.from_value(action.get("value"))
        message = await _page(runtime, team_of(context), body["user"]["id"], position)
        from_list = (action.get("block_id") or "") == "cpd_list_pages"
        await respond(text=message["text"], blocks=message["blocks"], replace_original=from_list,
                      response_type="ephemeral")
