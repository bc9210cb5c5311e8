"""`/qi-commons [subcommand]`: a small router; each subcommand lives in its own module."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Runtime
from bot.text import escape
from handlers.admin import admin_command
from handlers.commands.context import CommandContext, Subcommand, split_subcommand
from handlers.commands.help import show_help
from handlers.learn.commands import learn
from handlers.mentoring.profile import mentor_subcommand
from handlers.privacy.commands import export_my_data, forget_me, show_privacy
from handlers.scheduled.preview import digest_command
from handlers.settings.commands import open_settings

SUBCOMMANDS: dict[str, Subcommand] = {
    "": show_help,
    "help": show_help,
    "admin": admin_command,
    "digest": digest_command,
    "learn": learn,
    "mentor": mentor_subcommand,
    "settings": open_settings,
    "privacy": show_privacy,
    "export-my-data": export_my_data,
    "forget-me": forget_me,
}


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.command("/qi-commons")
    async def qi_commons(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient,
                         respond: AsyncRespond) -> None:
        await ack()
        word, rest = split_subcommand(command.get("text", ""))
        handler = SUBCOMMANDS.get(word)
        ctx = CommandContext.from_command(runtime, command, client, respond, rest)
        if handler is None:
            await ctx.reply(f"I don't know `{escape(word)}`. Try `/qi-commons help` to see everything you can do.")
            return
        await handler(ctx)
