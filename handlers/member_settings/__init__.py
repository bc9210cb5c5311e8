"""Member settings: `/qi-commons settings` and the Home's Settings button open one modal."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.member_settings import actions, views


def register(app: AsyncApp, runtime: Runtime) -> None:
    actions.register(app, runtime)
    views.register(app, runtime)
