"""Request middleware that every listener relies on."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.core.runtime import Runtime
from storage.models import ProcessedEvent

log = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.middleware
    async def deduplicate_events(body: dict, req: AsyncBoltRequest, resp: BoltResponse,
                                 next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Take each Slack event once: Slack retries deliveries and Bolt does not de-duplicate.

        The event id is written under a unique key before any listener runs. A retry of an event we
        already took is acknowledged and dropped; if handling fails, `forget_event` removes the row so
        Slack's retry, the only other delivery, is processed.
        """
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return await next()
        try:
            async with runtime.db.session() as session, session.begin():
                session.add(ProcessedEvent(event_id=event_id, team_id=body.get("team_id", ""),
                                           event_type=body.get("event", {}).get("type", "")[:40],
                                           received_at=runtime.clock.now()))
        except IntegrityError:
            log.info("Skipping duplicate delivery of event %s (retry %s)", event_id,
                     req.headers.get("x-slack-retry-num", ["?"])[0])
            return BoltResponse(status=200, body="")
        return await next()


async def forget_event(runtime: Runtime, event_id: str) -> None:
    async with runtime.db.session() as session, session.begin():
        await session.execute(delete(ProcessedEvent).where(ProcessedEvent.event_id == event_id))
