"""`/qi-commons privacy`, `export-my-data` and `forget-me`."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.privacy import rights as privacy
from handlers.commands.context import CommandContext, Storing
from handlers.privacy.blocks import forget_confirmation, privacy_message

log = logging.getLogger(__name__)


async def show_privacy(ctx: CommandContext) -> None:
    await ctx.reply(*privacy_message(await privacy.what_we_hold(ctx.runtime, ctx.team_id, ctx.user_id)))


EXPORT_FAILED = ("Sorry, I could not put your data together just now. Please try `/qi-commons export-my-data` "
                 "again in a minute; if it keeps happening, tell your QI Commons admin.")


async def _collect(ctx: CommandContext) -> dict[str, Any]:
    """The copy, and the audit row that they took it, stored before the ack; the upload needs Slack, so it
    (and the row naming the uploaded file, which forget-me deletes) comes after."""
    return await privacy.export(ctx.runtime, ctx.team_id, ctx.user_id)


async def _send(ctx: CommandContext, data: dict[str, Any]) -> None:
    now = ctx.runtime.clock.now()
    try:
        dm = await ctx.client.conversations_open(users=ctx.user_id)
        uploaded = await ctx.client.files_upload_v2(
            channel=dm["channel"]["id"], filename=f"qi-commons-my-data-{now:%Y-%m-%d}.json",
            title="Your QI Commons data", content=json.dumps(data, indent=2, ensure_ascii=False),
            initial_comment="Here is everything QI Commons holds about you, as you asked.")
    except SlackApiError as exc:
        log.warning("Could not send %s their data export: %s", ctx.user_id, exc.response.get("error"))
        await ctx.reply("Sorry, I could not send your file just now. Please try `/qi-commons export-my-data` "
                        "again in a minute.")
        return
    # The file is a copy of their data in Slack: forget-me deletes it too.
    await privacy.export_sent(ctx.runtime, ctx.team_id, ctx.user_id,
                              [f["id"] for f in uploaded.get("files") or [] if isinstance(f, dict) and f.get("id")])
    await ctx.reply("I sent you a JSON file with all your QI Commons data in our direct messages.")


export_my_data = Storing(_collect, _send, failed=EXPORT_FAILED)


async def forget_me(ctx: CommandContext) -> None:
    await ctx.reply(*forget_confirmation(await privacy.what_we_hold(ctx.runtime, ctx.team_id, ctx.user_id)))
