"""`/cpd-log list`: the member's recent entries, each with a Delete button that works on their own only."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.core.runtime import Runtime
from bot.core.text import escape
from bot.cpd.entries import delete_entry, recent_entries
from handlers.commands.context import CommandContext
from handlers.cpd.blocks import DELETE_ENTRY, list_message
from handlers.ids import row_id

NOT_YOURS = "I couldn't find that entry in your CPD log; it may already be deleted."
async def show_list(ctx: CommandContext) -> None:
    message = list_message(await recent_entries(ctx.runtime, ctx.team_id, ctx.user_id))
    await ctx.reply(message["text"], message["blocks"])


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(DELETE_ENTRY)
    async def delete_clicked(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                             respond: AsyncRespond) -> None:
        await ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        wanted = row_id(action.get("value"))
        deleted = await delete_entry(runtime, team_id, user_id, wanted) if wanted is not None else None
        note = f"Deleted “{escape(deleted.title)}”." if deleted else NOT_YOURS
        message = list_message(await recent_entries(runtime, team_id, user_id), note=note)
        await respond(text=message["text"], blocks=message["blocks"], replace_original=True,
                      response_type="ephemeral")
