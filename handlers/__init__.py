"""Slack listeners: one small listener per file, registered folder by folder."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.runtime import Runtime
from handlers import commands, errors, events, middleware


def register(app: AsyncApp, runtime: Runtime) -> None:
    middleware.register(app, runtime)
    errors.register(app, runtime)
    commands.register(app, runtime)
    events.register(app, runtime)
