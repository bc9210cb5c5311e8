"""Publish a member's Home. Best effort: a failure is logged and never breaks what triggered it."""

from __future__ import annotations

import logging
from typing import Any

from bot.core.runtime import Runtime
from bot.home.standing import load_home
from bot.report import monthly
from handlers.home.blocks import forgotten_view, home_view
from handlers.report.blocks import home_section

log = logging.getLogger(__name__)


async def publish_view(runtime: Runtime, user_id: str, view: dict[str, Any]) -> bool:
    try:
        await runtime.client.views_publish(user_id=user_id, view=view)
    except Exception:  # noqa: BLE001 - the Home is a picture of saved data; the next change republishes it
        log.exception("Could not publish the App Home of %s", user_id)
        return False
    return True


def _home_lock(runtime: Runtime, team_id: str, user_id: str) -> Any:
    return runtime.lock(f"home:{team_id}:{user_id}")


async def publish_home(runtime: Runtime, team_id: str, user_id: str, *, first_visit: bool = False) -> bool:
    """When the member opens their Home."""
    return await _publish(runtime, team_id, user_id, first_visit=first_visit, if_opened=False)


async def refresh_home(runtime: Runtime, team_id: str, user_id: str) -> bool:
    """After a change: only for members who have opened their Home (most of a burst's sharers never do)."""
    return await _publish(runtime, team_id, user_id, first_visit=False, if_opened=True)


async def _publish(runtime: Runtime, team_id: str, user_id: str, *, first_visit: bool, if_opened: bool) -> bool:
    # Changes come in bursts (a share touches the project and the update): one publish at a time per
    # member, each reading the data afresh, so an older picture can never land after a newer one.
    async with _home_lock(runtime, team_id, user_id):
        try:
            data = await load_home(runtime, team_id, user_id, first_visit=first_visit, if_opened=if_opened)
        except Exception:  # noqa: BLE001 - same as above: never fail the command that changed something
            log.exception("Could not build the App Home of %s", user_id)
            return False
        # Nobody to show (never used the app, or forgotten at their request): leave their Home alone.
        if data is None:
            return False
        return await publish_view(runtime, user_id, home_view(data, await _admin_blocks(runtime, team_id, user_id)))


async def _admin_blocks(runtime: Runtime, team_id: str, user_id: str) -> list[dict[str, Any]]:
    if not runtime.settings.is_admin(user_id):
        return []
    return home_section(await monthly.latest_sent(runtime, team_id),
                        monthly.next_due(runtime.clock.now(), runtime.settings.tz))



async def publish_forgotten(runtime: Runtime, team_id: str, user_id: str) -> bool:
    """After forget-me. Under the same lock, so a refresh that read their data just before the deletion
    (forget-me itself triggers some) cannot land after this; a later one finds nobody and does nothing."""
    async with _home_lock(runtime, team_id, user_id):
        return await publish_view(runtime, user_id, forgotten_view())
