"""When the monthly report is due: the first working day of the month, 09:00 in TIMEZONE.

A working day is a weekday that is not an Ontario statutory holiday (the weekly posts' calendar,
bot.weekly.schedules). The report covers the month before. Each admin's DM is claimed in
scheduled_posts under (team, admin, `value_report`, `2026-11`) before it is queued, the weekly
posts' exactly-once rule (bot.weekly.claims): the every-minute sweep, a restart and a second
replica all find the claim and send nothing more. A due report missed for longer than
SCHEDULE_GRACE_HOURS (the bot was down) is not sent late; an admin can still ask for it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.runtime import Runtime
from bot.report.periods import Period, add_months, month_of
from bot.weekly.claims import latest_detail
from bot.weekly.schedules import ontario_holiday

KIND = "value_report"
AT = time(9, 0)


def first_working_day(month: date) -> date:
    day = month_of(month)
    while day.weekday() >= 5 or ontario_holiday(day):
        day += timedelta(days=1)
    return day


def due_at(month: date, tz: ZoneInfo) -> datetime:
    """When the report for the month before `month` is sent."""
    return datetime.combine(first_working_day(month), AT, tz)


def due_now(now: datetime, tz: ZoneInfo, grace: timedelta) -> tuple[Period, datetime] | None:
    """The period whose report is due at `now` (last month, once its send time has come and is inside
    the grace window), with its send time; None otherwise."""
    this_month = month_of(now.astimezone(tz).date())
    due = due_at(this_month, tz)
    if not due <= now <= due + grace:
        return None
    return Period(add_months(this_month, -1), 1), due


def next_due(now: datetime, tz: ZoneInfo) -> datetime:
    """The next monthly send time after `now` (for the preview's words)."""
    this_month = month_of(now.astimezone(tz).date())
    due = due_at(this_month, tz)
    return due if due > now else due_at(add_months(this_month, 1), tz)


async def latest_sent(runtime: Runtime, team_id: str) -> dict[str, Any] | None:
    """The headline the latest monthly report was sent with (bot.report.build.headline), or None."""
    async with runtime.db.session() as session:
        return await latest_detail(session, team_id, KIND)
