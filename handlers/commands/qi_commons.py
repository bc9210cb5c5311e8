"""`/qi-commons [subcommand]`: a small router; each subcommand lives in its own module."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.core.text import escape
from handlers.admin.command import admin_route
from handlers.charts.commands import chart_command
from handlers.commands.context import (
    Answer,
    Answering,
    CommandContext,
    Handler,
    Routing,
    message,
    split_subcommand,
    subcommand_listener,
)
from handlers.commands.help import help_answer
from handlers.learn.commands import learn
from handlers.member_settings.commands import open_settings
from handlers.mentoring.profile import mentor_subcommand
from handlers.privacy.commands import export_my_data, forget_me, show_privacy
from handlers.search.commands import search_command
from handlers.weekly.preview import digest_command

SUBCOMMANDS: dict[str, Handler | Routing] = {
    "": Answering(help_answer),
    "help": Answering(help_answer),
    "admin": Routing(admin_route),
    "chart": chart_command,
    "digest": digest_command,
    "learn": learn,
    "mentor": mentor_subcommand,
    "settings": open_settings,
    "privacy": show_privacy,
    "search": search_command,
    "export-my-data": export_my_data,
    "forget-me": forget_me,
}


async def unknown_subcommand(ctx: CommandContext) -> Answer:
    word = split_subcommand(ctx.text)[0]
    return message(f"I don't know `{escape(word)}`. Try `/qi-commons help` to see everything you can do.")


def register(app: AsyncApp, runtime: Runtime) -> None:
    app.command("/qi-commons")(subcommand_listener(runtime, SUBCOMMANDS, Answering(unknown_subcommand)))
