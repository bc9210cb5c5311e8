"""Members: the people who have used QI Commons, created on first use with the community's defaults."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.runtime import Runtime
from storage.db import upsert
from storage.models import Member


def member_today(runtime: Runtime, member: Member) -> date:
    """Today where the member is (their Slack timezone, else the community's)."""
    zone = runtime.settings.tz
    if member.timezone:
        try:
            zone = ZoneInfo(member.timezone)
        except (ValueError, KeyError):
            pass  # a stale zone name: the community's zone is the sensible fallback
    return runtime.clock.now().astimezone(zone).date()


async def get_member(session: AsyncSession, team_id: str, user_id: str) -> Member | None:
    return await session.scalar(select(Member).where(Member.team_id == team_id, Member.slack_user_id == user_id))


async def ensure_member(runtime: Runtime, session: AsyncSession, team_id: str, user_id: str) -> Member:
    """The member row for this person, created with defaults the first time (safe under races)."""
    member = await get_member(session, team_id, user_id)
    if member is not None:
        return member
    created = await session.scalar(
        upsert(session, Member).values(team_id=team_id, slack_user_id=user_id,
                                       cpd_framework=runtime.settings.cpd_default_framework,
                                       created_at=runtime.clock.now())
        .on_conflict_do_nothing(index_elements=["team_id", "slack_user_id"]).returning(Member))
    # None: another request created it first (two clicks at once); use theirs.
    member = created or await get_member(session, team_id, user_id)
    assert member is not None
    return member
