"""/qi-share: QI projects, guided and quick sharing to the community channel, threads and kudos."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.sharing import actions, commands, posting, views


def register(app: AsyncApp, runtime: Runtime) -> None:
    posting.register_hooks(runtime)
    commands.register(app, runtime)
    actions.register(app, runtime)
    views.register(app, runtime)
