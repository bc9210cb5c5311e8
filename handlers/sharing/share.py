"""One share after its service stored it: post it, tell the member how it went, offer CPD."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.runtime import Runtime
from bot.sharing.services import Shared
from handlers import response_url as response_urls
from handlers.cpd.offers import offer_cpd_for_update
from handlers.sharing.posting import note_permalink, publish, refresh_parent

log = logging.getLogger(__name__)

NO_CHANNEL = ("Sharing is not set up yet: no community channel is configured. Please ask your QI Commons admin "
              "to set COMMUNITY_CHANNEL_ID; nothing you typed was kept.")


async def tell(client: AsyncWebClient, *, user_id: str, channel_id: str | None, response_url: str | None,
               text: str, blocks: list[dict[str, Any]] | None = None) -> None:
    """An ephemeral note to one member: through the response_url if we have one, else in the channel, else DM.

    Best effort, never raises: it follows saved work, and a failure here must neither skip what comes
    after it nor trigger the error handler's "nothing you typed was shared" apology.
    """
    if response_url:
        try:
            if await response_urls.delivered(client, response_url, text=text, blocks=blocks,
                                             response_type="ephemeral", replace_original=False):
                return
            log.warning("response_url did not take it; telling %s another way", user_id)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("response_url failed (%s); telling %s another way", exc, user_id)
    try:
        if channel_id:
            await client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.info("No ephemeral in %s (%s); sending a DM", channel_id, exc)
    try:
        await client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except (SlackApiError, aiohttp.ClientError, TimeoutError):
        log.exception("Could not tell %s: %s", user_id, text)


async def deliver_share(runtime: Runtime, client: AsyncWebClient, *, team_id: str, user_id: str, shared: Shared,
                        channel_id: str, response_url: str | None) -> None:
    """Post a stored update, tell its author where it is (or that it will appear shortly), offer CPD."""
    update_id, project_id = shared.update_id, shared.project_id
    delivery = await publish(runtime, team_id=team_id, update_id=update_id, queued=shared.queued)
    permalink = (await note_permalink(runtime, update_id=update_id, delivery=delivery)
                 if delivery is not None and delivery.sent else None)
    community = runtime.settings.community_channel_id
    if delivery is not None and delivery.sent:
        where = f"<{permalink}|See your update>" if permalink else "Your update is posted"
        text = f":white_check_mark: Shared! {where} in <#{community}>."
    elif delivery is not None and delivery.status == "dead":
        text = (f":warning: Your update is saved, but I could not post it to <#{community}>. I have told the QI "
                "Commons admins how to fix this.")
    else:
        text = (f":hourglass_flowing_sand: Saved. Slack is busy right now, so your update will appear in "
                f"<#{community}> shortly. Nothing is lost.")
    await tell(client, user_id=user_id, channel_id=channel_id, response_url=response_url, text=text)
    if project_id is not None and shared.had_thread:
        # The project's card shows its stage and progress: keep it current.
        await refresh_parent(runtime, team_id=team_id, project_id=project_id)
    if delivery is None or delivery.status != "dead":
        await offer_cpd_for_update(runtime, client, team_id=team_id, user_id=user_id, channel_id=channel_id,
                                   update_id=update_id, response_url=response_url)
