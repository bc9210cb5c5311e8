"""Privacy and data rights: `/qi-commons privacy`, `export-my-data` and `forget-me`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.privacy import actions


def register(app: AsyncApp, runtime: Runtime) -> None:
    actions.register(app, runtime)
