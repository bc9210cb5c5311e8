"""The admin console and admin subcommands (QI and CPD leads): every request checked on the server."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.admin import console


def register(app: AsyncApp, runtime: Runtime) -> None:
    console.register(app, runtime)
