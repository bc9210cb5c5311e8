from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.runtime import Runtime
from handlers.commands import qi_commons


def register(app: AsyncApp, runtime: Runtime) -> None:
    qi_commons.register(app, runtime)
