"""`/cpd-log [subcommand]`: the form, a quick entry, or one of the subcommands below."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Runtime
from handlers.commands.context import CommandContext, Subcommand, split_subcommand
from handlers.cpd.entries_list import show_list
from handlers.cpd.entry_form import open_entry_form
from handlers.cpd.export import export_entries
from handlers.cpd.prefill import EntryPrefill
from handlers.cpd.quick_entry import quick_entry
from handlers.cpd.settings import open_settings
from handlers.cpd.summary import show_summary
from handlers.cpd.undo import offer_undo


async def open_form(ctx: CommandContext) -> None:
    await open_entry_form(ctx.runtime, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id,
                          trigger_id=ctx.trigger_id, prefill=EntryPrefill())


# Quick entries start with a time or a count, so none of these words can begin one.
SUBCOMMANDS: dict[str, Subcommand] = {
    "": open_form,
    "settings": open_settings,
    "summary": show_summary,
    "list": show_list,
    "undo": offer_undo,
    "export": export_entries,
}


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.command("/cpd-log")
    async def cpd_log(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient,
                      respond: AsyncRespond) -> None:
        await ack()
        text = command.get("text", "")
        word, rest = split_subcommand(text)
        handler = SUBCOMMANDS.get(word)
        ctx = CommandContext.from_command(runtime, command, client, respond, rest if handler else text)
        await (handler or quick_entry)(ctx)
