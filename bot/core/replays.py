"""Each signed request is taken once: a byte-for-byte replay within Slack's window does nothing.

The signatures live in the database, not in memory, so replicas behind a load balancer share them.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from bot.core.runtime import Runtime
from storage.models import SeenRequest

# A timestamp is accepted up to 5 minutes either side of our clock, so a request first seen now can
# still pass verification for up to 10 minutes: remember it that long.
REMEMBER_FOR = timedelta(minutes=10)
# On the table, built once: an ORM insert's values() costs more CPU than the INSERT itself.
_RECORD = insert(SeenRequest.__table__)


async def first_sight(runtime: Runtime, signature: str) -> bool:
    """Record the signature; False when it was already recorded (the request is a replay)."""
    try:
        # Every request pays for this, so it is one statement: its primary key refuses a replay.
        async with runtime.db.autocommit() as session:
            await session.execute(_RECORD, {"signature": signature, "seen_at": runtime.clock.now()})
    except IntegrityError:
        return False
    return True


async def forget_old_signatures(runtime: Runtime) -> None:
    """Drop signatures too old to verify again: a sweep step."""
    async with runtime.db.session() as session, session.begin():
        await session.execute(delete(SeenRequest).where(SeenRequest.seen_at < runtime.clock.now() - REMEMBER_FOR))
