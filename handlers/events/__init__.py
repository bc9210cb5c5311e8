from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.runtime import Runtime


def register(app: AsyncApp, runtime: Runtime) -> None:
    """Event listeners register here as features add them."""
