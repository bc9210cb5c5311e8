"""`app_home_opened`: show the member their Home, with a welcome the first time."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.home.standing import record_visit
from handlers.home.publish import publish_home
from handlers.tenant import team_of


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab needs nothing from us
        team_id = team_of(context)
        first_visit = await record_visit(runtime, team_id, event["user"])
        await publish_home(runtime, team_id, event["user"], first_visit=first_visit)
