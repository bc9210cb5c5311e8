"""Each Slack event is taken once: Slack retries deliveries, and Bolt does not de-duplicate them.

The event id is written under a unique key before any listener runs. If handling then fails, the
row is forgotten so that Slack's retry, the only other delivery, is processed.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.core.runtime import Runtime
from storage.models import ProcessedEvent


async def first_delivery(runtime: Runtime, *, event_id: str, team_id: str, event_type: str) -> bool:
    """True the first time `event_id` arrives (and it is now taken); False for a redelivery."""
    try:
        async with runtime.db.session() as session, session.begin():
            session.add(ProcessedEvent(event_id=event_id, team_id=team_id, event_type=event_type[:40],
                                       received_at=runtime.clock.now()))
    except IntegrityError:
        return False
    return True


async def forget_event(runtime: Runtime, event_id: str) -> None:
    async with runtime.db.session() as session, session.begin():
        await session.execute(delete(ProcessedEvent).where(ProcessedEvent.event_id == event_id))
