"""One share, start to finish: store it, post it, tell the member how it went, offer CPD."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.audit import record
from bot.core.members import ensure_member
from bot.core.runtime import Runtime
from bot.sharing.projects import ProjectFields, create_project, get_project
from bot.sharing.updates import DataPoint, UpdateFields, get_update, store_update
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


async def store_share(runtime: Runtime, *, team_id: str, user_id: str, project_id: int | None,
                      new_project: ProjectFields | None, fields: UpdateFields, data_point: DataPoint | None) -> int:
    """Store the update (and a new project) before anything is sent to Slack; returns the update id."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        await ensure_member(runtime, session, team_id, user_id)
        if new_project is not None:
            project = await create_project(session, team_id=team_id, owner_id=user_id, fields=new_project, now=now)
            record(session, team_id=team_id, actor_id=user_id, action="qi_project.created",
                   subject=f"qi_project:{project.id}", at=now)
        else:
            project = await get_project(session, team_id, project_id)
        update = await store_update(session, team_id=team_id, author_id=user_id, project=project, fields=fields,
                                    data_point=data_point, now=now)
        record(session, team_id=team_id, actor_id=user_id, action="qi_update.shared",
               subject=f"qi_update:{update.id}", at=now)
        members = [user_id, *(m.slack_user_id for m in project.members)] if project else [user_id]
    for member in members:
        runtime.member_changed(team_id, member)
    return update.id


async def deliver_share(runtime: Runtime, client: AsyncWebClient, *, team_id: str, user_id: str, update_id: int,
                        channel_id: str, response_url: str | None, note: str = "") -> None:
    """Post a stored update, tell its author where it is (or that it will appear shortly), offer CPD."""
    async with runtime.db.session() as session:
        update = await get_update(session, team_id, update_id)
        project = await get_project(session, team_id, update.project_id if update else None)
        had_thread = project is not None and project.thread_ts is not None
    delivery = await publish(runtime, team_id=team_id, update_id=update_id)
    permalink = (await note_permalink(runtime, team_id=team_id, update_id=update_id)
                 if delivery is not None and delivery.sent else None)
    async with runtime.db.session() as session:
        update = await get_update(session, team_id, update_id)
        assert update is not None
        project_id = update.project_id
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
    await tell(client, user_id=user_id, channel_id=channel_id, response_url=response_url, text=text + note)
    if project_id is not None and had_thread:
        # The project's card shows its stage and progress: keep it current.
        await refresh_parent(runtime, team_id=team_id, project_id=project_id)
    if delivery is None or delivery.status != "dead":
        await offer_cpd_for_update(runtime, client, team_id=team_id, user_id=user_id, channel_id=channel_id,
                                   update_id=update_id)
