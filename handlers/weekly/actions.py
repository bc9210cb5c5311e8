"""The buttons on the weekly prompt and digest: they open the sharing and mentoring features' own forms.

"Learn more" on the prompt is the learn feature's own topic button, answered by handlers/learn.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.runtime import Runtime
from handlers.commands.context import CommandContext
from handlers.mentoring.find import open_find_mentor
from handlers.sharing.commands import open_share_form
from handlers.tenant import team_of
from handlers.weekly.blocks import FIND_MENTOR, PROMPT_BLOCK, SHARE_UPDATE


def _context(runtime: Runtime, body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient,
             respond: AsyncRespond) -> CommandContext:
    """The click as if the person had typed the command in that channel."""
    return CommandContext(runtime=runtime, client=client, respond=respond, team_id=team_of(context),
                          user_id=body["user"]["id"], channel_id=(body.get("channel") or {}).get("id", ""),
                          trigger_id=body["trigger_id"], text="")


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(SHARE_UPDATE)
    async def share_update(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                           client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        # The prompt's buttons sit in block `weekly_prompt:ID`: a share from there answers that prompt.
        block, _, prompt_id = (action.get("block_id") or "").partition(":")
        await open_share_form(_context(runtime, body, context, client, respond), body.get("response_url"),
                              prompt_id=prompt_id if block == PROMPT_BLOCK and prompt_id else None)

    @app.action(FIND_MENTOR)
    async def find_mentor(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_find_mentor(client, trigger_id=body["trigger_id"])
