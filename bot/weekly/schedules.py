"""When the weekly jobs run, and when they stay quiet: admins' pauses and skip dates, Ontario holidays.

The weekly prompt and the weekly digest fire on APScheduler cron triggers in the community's
timezone. Whether a given run posts is decided here, from the database (`ScheduleControl`), so
every replica agrees. Ontario's statutory holidays come from the `holidays` package for any year;
nobody keeps a hand-typed list up to date.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from itertools import chain
from zoneinfo import ZoneInfo

import holidays
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.audit import record
from bot.core.config import Settings, WeeklyTime
from bot.core.runtime import Runtime
from storage.models import ScheduleControl, ScheduledPost

PROMPT = "prompt"
DIGEST = "digest"
JOBS = (PROMPT, DIGEST)
# The scheduler's job ids, which are also the names `qi-commons jobs run` takes.
JOB_IDS = {PROMPT: "weekly-prompt", DIGEST: "weekly-digest"}
JOB_TITLES = {PROMPT: "Weekly prompt", DIGEST: "Weekly digest"}
DAY_NAMES = {"mon": "Mondays", "tue": "Tuesdays", "wed": "Wednesdays", "thu": "Thursdays", "fri": "Fridays",
             "sat": "Saturdays", "sun": "Sundays"}
# The community is an Ontario hospital department: its statutory holidays are the default quiet days.
HOLIDAY_COUNTRY, HOLIDAY_SUBDIVISION, HOLIDAY_LANGUAGE = "CA", "ON", "en_CA"  # "Labour Day", not "Labor Day"
HOLIDAY_LOOKAHEAD = timedelta(days=365)


def weekly_time(settings: Settings, job: str) -> WeeklyTime:
    return settings.prompt_time if job == PROMPT else settings.digest_time


def weekly_trigger(settings: Settings, job: str) -> CronTrigger:
    """The job's trigger, always in the community's timezone (15:00 stays 15:00 across DST changes)."""
    at = weekly_time(settings, job)
    return CronTrigger(day_of_week=at.day, hour=at.at.hour, minute=at.at.minute, timezone=settings.tz)


def upcoming_runs(settings: Settings, job: str, after: datetime) -> Iterator[datetime]:
    """Fire times strictly after `after`, from the real trigger, in the community's timezone."""
    trigger = weekly_trigger(settings, job)
    fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    while fire is not None:
        yield fire
        fire = trigger.get_next_fire_time(fire, fire)


def latest_run(settings: Settings, job: str, now: datetime) -> datetime:
    """The most recent fire time at or before `now`: the run a job or a catch-up is doing now."""
    latest = None
    for fire in upcoming_runs(settings, job, now - timedelta(days=8)):
        if fire > now:
            break
        latest = fire
    assert latest is not None  # a weekly trigger fires at least once in any 8 days
    return latest


def day_label(day: date) -> str:
    """`Fri 25 Dec 2026`, the way every schedule message writes a date."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def period_of(run: datetime) -> str:
    """The claim key of a weekly run: its ISO week in local time, e.g. `2026-W48`."""
    year, week, _ = run.isocalendar()
    return f"{year}-W{week:02d}"


@cache
def _ontario_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(HOLIDAY_COUNTRY, subdiv=HOLIDAY_SUBDIVISION, years=year,
                                     language=HOLIDAY_LANGUAGE)


def ontario_holiday(day: date) -> str | None:
    """The name of the Ontario statutory holiday on `day` (observed days included), or None."""
    return _ontario_holidays(day.year).get(day)


@dataclass(frozen=True)
class Control:
    """One job's pause and skip settings (the defaults when an admin has changed nothing)."""

    paused_until: date | None = None
    skip_dates: tuple[date, ...] = ()
    skip_holidays: bool = True

    @classmethod
    def of(cls, row: ScheduleControl | None) -> Control:
        if row is None:
            return cls()
        return cls(row.paused_until, tuple(sorted(date.fromisoformat(d) for d in row.skip_dates)),
                   row.skip_holidays)

    def skip_reason(self, day: date) -> str | None:
        """Why a run on `day` (local date) posts nothing, or None when it posts.

        A pause "until 4 Jan" means the first run on or after 4 Jan posts again.
        """
        if self.paused_until is not None and day < self.paused_until:
            return f"paused until {day_label(self.paused_until)}"
        if day in self.skip_dates:
            return "an admin's skip date"
        if self.skip_holidays and (holiday := ontario_holiday(day)):
            return f"Ontario holiday: {holiday}"
        return None


async def load_controls(session: AsyncSession, team_id: str) -> dict[str, Control]:
    rows = (await session.scalars(select(ScheduleControl).where(ScheduleControl.team_id == team_id))).all()
    found = {row.job: Control.of(row) for row in rows}
    return {job: found.get(job, Control()) for job in JOBS}


# --- admins' changes (each audited in the same transaction) ------------------------------------------


async def skip_reason(runtime: Runtime, team_id: str, job: str, day: date) -> str | None:
    """Why `job` posts nothing on `day` (a pause, a skip date, a holiday), or None when it posts."""
    async with runtime.db.session() as session:
        return (await load_controls(session, team_id))[job].skip_reason(day)


async def _control_row(session: AsyncSession, team_id: str, job: str) -> ScheduleControl:
    query = select(ScheduleControl).where(ScheduleControl.team_id == team_id, ScheduleControl.job == job)
    row = await session.scalar(query)
    if row is not None:
        return row
    row = ScheduleControl(team_id=team_id, job=job, skip_dates=[], skip_holidays=True)
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Two admins changed this job at once; use the row the other one created.
        row = await session.scalar(query)
        assert row is not None
    return row


async def change_schedule(runtime: Runtime, *, team_id: str, actor_id: str, jobs: tuple[str, ...], action: str,
                          day: date | None = None) -> None:
    """Apply one admin change to each of `jobs`.

    `action` is `pause` (until `day`), `resume`, `skip` / `unskip` (`day`), `holidays-on` or
    `holidays-off`. The handler has already checked the input; this stores it and the audit row.
    """
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        for job in jobs:
            row = await _control_row(session, team_id, job)
            if action == "pause":
                row.paused_until = day
            elif action == "resume":
                row.paused_until = None
            elif action in ("skip", "unskip"):
                assert day is not None
                dates = set(row.skip_dates) - {day.isoformat()}
                row.skip_dates = sorted(dates | {day.isoformat()} if action == "skip" else dates)
            elif action in ("holidays-on", "holidays-off"):
                row.skip_holidays = action == "holidays-on"
            else:
                raise ValueError(f"unknown schedule action {action!r}")
            row.updated_by, row.updated_at = actor_id, now
            record(session, team_id=team_id, actor_id=actor_id, action=f"schedule.{action}", subject=job, at=now,
                   detail={"date": day.isoformat()} if day else None)


# --- the overview the admin console and `/qi-commons admin schedule` show ------------------------------


@dataclass(frozen=True)
class LastPost:
    period: str  # e.g. 2026-W47
    status: str  # claimed (posting or waiting for a retry) | posted | failed | skipped
    at: datetime  # when it was claimed, in the community's timezone
    note: str | None  # why it was skipped or failed


@dataclass(frozen=True)
class JobSchedule:
    """One weekly job as an admin sees it. Plain data: render it however you like.

    job               "prompt" or "digest" (the word admin commands take)
    title             "Weekly prompt" / "Weekly digest"
    when              "Mondays at 09:00 (America/Toronto)"
    next_run          the trigger's next fire time, aware, in the community's timezone
    next_run_skipped  why that run will post nothing (pause, skip date, holiday), or None if it posts
    next_post         the first upcoming run that will post (None if none in the next year)
    paused_until      runs before this local date post nothing
    skip_dates        upcoming skip dates, sorted
    skip_holidays     whether Ontario's statutory holidays are skipped
    holiday_skips     upcoming (date, holiday name) on which a run falls and will be skipped, next 12 months
    last_post         the most recent claim for this job, or None if it has never run
    """

    job: str
    title: str
    when: str
    next_run: datetime
    next_run_skipped: str | None
    next_post: datetime | None
    paused_until: date | None
    skip_dates: tuple[date, ...]
    skip_holidays: bool
    holiday_skips: tuple[tuple[date, str], ...]
    last_post: LastPost | None


async def schedule_overview(runtime: Runtime, team_id: str) -> list[JobSchedule]:
    """Each weekly job's next runs in the community's timezone, with its pause and skip state.

    Returns one `JobSchedule` per job in `JOBS` order (prompt, then digest). Two SQL statements.
    The every-minute sweep is not listed: it cannot be paused and always runs.
    """
    settings = runtime.settings
    now = runtime.clock.now().astimezone(settings.tz)
    async with runtime.db.session() as session:
        controls = await load_controls(session, team_id)
        last = await _last_posts(session, team_id, settings.tz)
    overview = []
    for job in JOBS:
        control = controls[job]
        runs = upcoming_runs(settings, job, now)
        next_run = next(runs)
        next_post, holiday_skips = None, []
        for run in chain([next_run], runs):
            if run - now > HOLIDAY_LOOKAHEAD:
                break
            reason = control.skip_reason(run.date())
            if reason is None and next_post is None:
                next_post = run
            if control.skip_holidays and (holiday := ontario_holiday(run.date())):
                holiday_skips.append((run.date(), holiday))
        at = weekly_time(settings, job)
        overview.append(JobSchedule(
            job=job, title=JOB_TITLES[job], when=f"{DAY_NAMES[at.day]} at {at.at:%H:%M} ({settings.timezone})",
            next_run=next_run, next_run_skipped=control.skip_reason(next_run.date()), next_post=next_post,
            paused_until=control.paused_until if control.paused_until and control.paused_until > now.date() else None,
            skip_dates=tuple(d for d in control.skip_dates if d >= now.date()), skip_holidays=control.skip_holidays,
            holiday_skips=tuple(holiday_skips), last_post=last.get(job)))
    return overview


async def _last_posts(session: AsyncSession, team_id: str, tz: ZoneInfo) -> dict[str, LastPost]:
    """The latest claim of each job, in one statement (ids grow, so the highest id is the latest)."""
    newest = (select(ScheduledPost.kind, func.max(ScheduledPost.id).label("id"))
              .where(ScheduledPost.team_id == team_id).group_by(ScheduledPost.kind).subquery())
    rows = (await session.scalars(select(ScheduledPost).join(newest, ScheduledPost.id == newest.c.id))).all()
    return {row.kind: LastPost(row.period, row.status, row.claimed_at.astimezone(tz), row.detail.get("note"))
            for row in rows}
