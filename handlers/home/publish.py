"""Publish a member's Home. Best effort: a failure is logged and never breaks what triggered it."""

from __future__ import annotations

import logging
from typing import Any

from bot.home import load_home
from bot.runtime import Runtime
from handlers.home.blocks import home_view

log = logging.getLogger(__name__)


async def publish_view(runtime: Runtime, user_id: str, view: dict[str, Any]) -> bool:
    try:
        await runtime.client.views_publish(user_id=user_id, view=view)
    except Exception:  # noqa: BLE001 - the Home is a picture of saved data; the next change republishes it
        log.exception("Could not publish the App Home of %s", user_id)
        return False
    return True


async def publish_home(runtime: Runtime, team_id: str, user_id: str, *, first_visit: bool = False) -> bool:
    # Changes come in bursts (a share touches the project and the update): one publish at a time per
    # member, each reading the data afresh, so an older picture can never land after a newer one.
    async with runtime.lock(f"home:{team_id}:{user_id}"):
        try:
            data = await load_home(runtime, team_id, user_id, first_visit=first_visit)
        except Exception:  # noqa: BLE001 - same as above: never fail the command that changed something
            log.exception("Could not build the App Home of %s", user_id)
            return False
        # Nobody to show (never used the app, or forgotten at their request): leave their Home alone.
        return data is not None and await publish_view(runtime, user_id, home_view(data))

