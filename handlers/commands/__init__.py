from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.commands import qi_commons


def register(app: AsyncApp, runtime: Runtime) -> None:
    qi_commons.register(app, runtime)
