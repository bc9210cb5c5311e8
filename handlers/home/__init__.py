"""App Home: each member's projects, mentoring and CPD standing, refreshed whenever they change."""

from __future__ import annotations

from functools import partial

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.home import actions, events
from handlers.home.publish import refresh_home


def register(app: AsyncApp, runtime: Runtime) -> None:
    events.register(app, runtime)
    actions.register(app, runtime)
    runtime.on_member_changed(partial(refresh_home, runtime))
