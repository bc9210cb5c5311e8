"""`/cpd-log undo`: remove the last entry, after a confirmation."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.core.runtime import Runtime
from bot.cpd.entries import delete_entry, last_entry
from handlers.commands.context import CommandContext
from handlers.cpd.blocks import UNDO_CANCEL, UNDO_CONFIRM, removed_message, undo_message
from handlers.cpd.entries_list import NOT_YOURS
from handlers.ids import row_id
from handlers.tenant import team_of


async def offer_undo(ctx: CommandContext) -> None:
    entry = await last_entry(ctx.runtime, ctx.team_id, ctx.user_id)
    if entry is None:
        await ctx.reply("There is nothing to undo: your CPD log is empty.")
        return
    message = undo_message(entry)
    await ctx.reply(message["text"], message["blocks"])


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(UNDO_CONFIRM)
    async def confirmed(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                        respond: AsyncRespond) -> None:
        wanted = row_id(action.get("value"))
        # Removed before the ack: once Slack shows the click as taken, a crash cannot undo it.
        deleted = (await delete_entry(runtime, team_of(context), body["user"]["id"], wanted)
                   if wanted is not None else None)
        await ack()
        if deleted is None:
            await respond(text=NOT_YOURS, replace_original=True, response_type="ephemeral")
            return
        message = removed_message(deleted)
        await respond(text=message["text"], blocks=message["blocks"], replace_original=True,
                      response_type="ephemeral")

    @app.action(UNDO_CANCEL)
    async def cancelled(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="Kept: nothing was removed from your CPD log.", replace_original=True,
                      response_type="ephemeral")
