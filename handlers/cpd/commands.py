"""`/cpd-log [subcommand]`: the form, a quick entry, or one of the subcommands below."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.commands.context import Answering, CommandContext, Subcommand, subcommand_listener
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
    app.command("/cpd-log")(subcommand_listener(runtime, SUBCOMMANDS, Answering(quick_entry)))
