"""Which dates a measurement (or a note on the chart) may carry: today where the member is, at the latest,
and no more than ten years back (a slip of the year, most often)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.measure_charts import ChartUnavailable
from bot.core.members import get_member, member_today
from bot.core.runtime import Runtime

OLDEST = timedelta(days=3653)  # ten years back


async def members_today(runtime: Runtime, session: AsyncSession, team_id: str, user_id: str) -> date:
    member = await get_member(session, team_id, user_id)
    return member_today(runtime, member) if member else runtime.clock.now().astimezone(runtime.settings.tz).date()


def date_problem(on: date, today: date) -> str | None:
    """Why `on` cannot be a measurement's date, in words; None when it can."""
    if on > today:
        return f"{on:%d %b %Y} is in the future: give the date the value was measured."
    if on < today - OLDEST:
        return f"{on:%d %b %Y} is more than ten years ago: check the year."
    return None


def check_date(on: date, today: date) -> None:
    if problem := date_problem(on, today):
        raise ChartUnavailable(problem)
