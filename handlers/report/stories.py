"""The monthly DM's "Tell us" button opens the story form; saving it stores the story through its one service."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import phi
from bot.core.runtime import Runtime
from bot.report import stories
from handlers.report.blocks import STORY_ASK, STORY_MODAL, VALUE, story_modal, story_saved_view
from handlers.tenant import team_of


def _value(values: dict[str, Any], block_id: str) -> str:
    element = values.get(block_id, {}).get(VALUE) or {}
    chosen = element.get("selected_option") or {}
    return str(element.get("value") or chosen.get("value") or "")


def read_story(values: dict[str, Any]) -> stories.StoryFields:
    return stories.StoryFields(what_happened=_value(values, "what_happened"), difference=_value(values, "difference"),
                               cycle=_value(values, "cycle"), consent=_value(values, "consent"))


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(STORY_ASK)
    async def open_story(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=story_modal())

    @app.view(STORY_MODAL)
    async def save_story(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any]) -> None:
        fields = read_story(view["state"]["values"])
        try:
            await stories.share_story(runtime, team_id=team_of(context), user_id=body["user"]["id"], fields=fields)
        except stories.InvalidStory as invalid:
            errors = phi.errors_alongside(runtime.settings.staff_email_domains, invalid.errors,
                                          what_happened=fields.what_happened, difference=fields.difference)
            await ack(response_action="errors", errors=errors)
            return
        except phi.ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        await ack(response_action="update", view=story_saved_view(fields.consent))
