"""Posting shared updates: the payloads bot/sharing/publishing.py needs, and the one Slack read it cannot do.

`RENDER` hands the Block Kit builders to the domain; the wrappers below are what listeners call.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.core.outbox import Delivery
from bot.core.runtime import Runtime
from bot.core.text import escape
from bot.sharing import publishing
from handlers.sharing.blocks import parent_message, update_message

log = logging.getLogger(__name__)


def admin_notice(channel: str, error: str) -> str:
    advice = {
        "is_archived": "The channel is archived: unarchive it, or set COMMUNITY_CHANNEL_ID to the new channel "
                       "and restart QI Commons.",
    }.get(error, (
        "If the channel is private, invite me: open the channel and type `/invite @QI Commons` (I can join "
        "public channels myself, but a member must invite me to private ones). If the channel was deleted, "
        "set COMMUNITY_CHANNEL_ID to the right channel and restart QI Commons."))
    return (f":warning: I could not post a shared QI update to <#{channel}> (Slack said `{escape(error)}`). "
            f"The member's update is saved in QI Commons but was not posted. {advice} Then the member can share it "
            "again.")


RENDER = publishing.Renderers(update=update_message, parent=parent_message, admin_notice=admin_notice)


async def publish(runtime: Runtime, *, team_id: str, update_id: int,
                  queued: publishing.Queued | None = None) -> Delivery | None:
    return await publishing.publish(runtime, RENDER, team_id=team_id, update_id=update_id, queued=queued)


async def refresh_message(runtime: Runtime, *, team_id: str, update_id: int) -> None:
    await publishing.refresh_message(runtime, RENDER, team_id=team_id, update_id=update_id)


async def refresh_parent(runtime: Runtime, *, team_id: str, project_id: int) -> None:
    await publishing.refresh_parent(runtime, RENDER, team_id=team_id, project_id=project_id)


async def note_permalink(runtime: Runtime, *, update_id: int, delivery: Delivery) -> str | None:
    """Fetch and keep the permalink of an update just posted (`delivery` says where), with no transaction
    open during the Slack call; None when Slack gives none or the update was deleted meanwhile.

    Updates posted later by the sweep keep none; readers fall back to Slack's archive link.
    """
    data = delivery.data or {}
    permalink = await _permalink(runtime, data.get("channel"), data.get("ts"))
    if permalink and await publishing.keep_permalink(runtime, update_id=update_id, permalink=permalink):
        return permalink
    return None


async def _permalink(runtime: Runtime, channel: str | None, ts: str | None) -> str | None:
    try:
        response = await runtime.client.chat_getPermalink(channel=channel, message_ts=ts)
        return response.get("permalink")
    except (SlackApiError, OSError, TimeoutError):
        log.warning("No permalink for %s/%s; the post itself is fine", channel, ts)
        return None
