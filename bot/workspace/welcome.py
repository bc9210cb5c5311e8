"""A welcome DM, once per member, when someone joins the community channel."""

from __future__ import annotations

from bot.core import nudges
from bot.core.runtime import Runtime

WELCOME_NUDGE = "welcome"


async def welcome_once(runtime: Runtime, *, team_id: str, user_id: str) -> bool:
    """Owe `user_id` one welcome (sent in their working hours by the nudge sweep); False if already owed."""
    async with runtime.db.session() as session, session.begin():
        return await nudges.schedule_once(session, team_id=team_id, user_id=user_id, kind=WELCOME_NUDGE,
                                          subject_key="community", due_at=runtime.clock.now())
