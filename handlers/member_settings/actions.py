"""The Home's Settings button."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.runtime import Runtime
from bot.member_settings import settings as member_settings
from handlers.home.blocks import OPEN_SETTINGS
from handlers.member_settings.blocks import settings_modal
from handlers.tenant import team_of


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(OPEN_SETTINGS)
    async def open_from_home(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any],
                             client: AsyncWebClient) -> None:
        await ack()
        settings = await member_settings.load(runtime, team_of(context), body["user"]["id"])
        await client.views_open(trigger_id=body["trigger_id"], view=settings_modal(settings))
