"""/qi-share: QI projects, guided and quick sharing to the community channel, threads and kudos."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.sharing import publishing
from bot.sharing.updates import PARENT_POST, UPDATE_POST
from handlers.sharing import actions, commands, views
from handlers.sharing.posting import RENDER


def register(app: AsyncApp, runtime: Runtime) -> None:
    register_outbox_hooks(runtime)
    commands.register(app, runtime)
    actions.register(app, runtime)
    views.register(app, runtime)


def register_outbox_hooks(runtime: Runtime) -> None:
    """A sent post stores where it went (a parent's also releases the updates waiting for its thread);
    a dead one marks its updates failed and tells the admins."""
    runtime.outbox.on_sent(UPDATE_POST, lambda session, row, data: publishing.update_posted(runtime, session, row,
                                                                                            data))
    runtime.outbox.on_sent(PARENT_POST, lambda session, row, data: publishing.parent_posted(runtime, RENDER, session,
                                                                                            row, data))
    runtime.outbox.on_dead(UPDATE_POST, lambda session, row: publishing.update_failed(runtime, RENDER, session, row))
    runtime.outbox.on_dead(PARENT_POST, lambda session, row: publishing.parent_failed(runtime, RENDER, session, row))
