"""The clock that drives scheduled work. The database is the source of truth; this only ticks.

Jobs are rebuilt from settings at every start in a memory job store, with explicit ids, and are
`async def` functions that receive ids and the runtime, never a Slack client of their own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import nudges
from bot.app import build_app, build_runtime
from bot.config import HOW_TO_FIX, Settings
from bot.runtime import Runtime
from bot.schedules import JOB_IDS, JOB_TITLES, JOBS, latest_run, weekly_trigger
from handlers.scheduled.jobs import already_ran, run_weekly_job
from storage.migrate import upgrade

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sweep"


async def sweep(runtime: Runtime) -> None:
    """Every minute: retry Slack calls that are owed."""
    sent = await runtime.outbox.sweep()
    if sent:
        log.info("Sweep delivered %d pending Slack call(s)", sent)
    await nudges.sweep(runtime)


async def weekly_job(runtime: Runtime, job: str) -> None:
    """The weekly prompt or digest tick; the claim in the database decides whether it posts."""
    try:
        await run_weekly_job(runtime, job)
    except Exception:  # noqa: BLE001 - logged here with the job's name; the next start-up catches up
        log.exception("The %s job failed", JOB_TITLES[job].lower())


async def catch_up(runtime: Runtime) -> None:
    """At start-up: post each weekly job's latest run once if it was missed inside the grace window.

    A memory job store forgets runs that fell while the bot was down. A missed run younger than
    SCHEDULE_GRACE_HOURS is run now (its claim makes this a no-op if it did post); an older one is
    skipped and logged, because a Monday prompt on Thursday helps nobody.
    """
    settings = runtime.settings
    now = runtime.clock.now()
    grace = timedelta(hours=settings.schedule_grace_hours)
    for job in JOBS:
        due = latest_run(settings, job, now)
        try:
            if now - due <= grace:
                result = await run_weekly_job(runtime, job, due=due)
                if result.outcome != "already-claimed":
                    log.info("Caught up the %s due %s: %s", JOB_TITLES[job].lower(), due.isoformat(), result.outcome)
            elif not await already_ran(runtime, job, due):
                log.warning("Skipped the %s due %s: it was missed while QI Commons was down and is older than "
                            "SCHEDULE_GRACE_HOURS (%sh)", JOB_TITLES[job].lower(), due.isoformat(),
                            settings.schedule_grace_hours)
        except Exception:  # noqa: BLE001 - one job's failure must not stop the other's catch-up
            log.exception("Catching up the %s failed", JOB_TITLES[job].lower())


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """Create the scheduler; call `.start()` from inside the running event loop."""
    tz = runtime.settings.tz
    scheduler = AsyncIOScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(sweep, IntervalTrigger(minutes=1, timezone=tz), args=[runtime], id=SWEEP_JOB_ID,
                      name="Outbox and nudge sweep", replace_existing=True, misfire_grace_time=30)
    grace = runtime.settings.schedule_grace_hours * 3600
    for job in JOBS:
        scheduler.add_job(weekly_job, weekly_trigger(runtime.settings, job), args=[runtime, job], id=JOB_IDS[job],
                          name=JOB_TITLES[job], replace_existing=True, misfire_grace_time=max(grace, 1))
    return scheduler


async def run_job_command(settings: Settings, job_id: str, *, dry_run: bool) -> int:
    """`qi-commons jobs run weekly-digest|weekly-prompt [--dry-run]`: run a weekly job now.

    The week's claim still applies, so running it after the scheduled post (or twice) posts nothing.
    A dry run prints the Block Kit JSON it would post and claims and posts nothing.
    """
    if not settings.bot_token:
        print(f"Configuration error: SLACK_BOT_TOKEN is not set. To fix it: {HOW_TO_FIX['SLACK_BOT_TOKEN']}.",
              file=sys.stderr)
        return 2
    job = next(job for job, scheduler_id in JOB_IDS.items() if scheduler_id == job_id)
    await asyncio.to_thread(upgrade, settings.database_url)
    runtime = build_runtime(settings)
    build_app(runtime)  # registers the outbox hooks that mark the claim posted
    try:
        result = await run_weekly_job(runtime, job, manual=True, dry_run=dry_run)
    finally:
        await runtime.db.dispose()
    title = f"the {JOB_TITLES[job].lower()} for {result.period}"
    if result.outcome == "dry-run":
        print(json.dumps(result.message, indent=2, ensure_ascii=False))
        return 0
    print({
        "posted": f"Posted {title} to {settings.community_channel_id}.",
        "queued": f"Slack did not take {title} yet ({result.note}). It is saved: the running bot retries it every "
                  "minute, or run this command again.",
        "failed": f"Slack refused {title} ({result.note}). Fix the cause (is the bot in the channel?), then run "
                  "this command again.",
        "already-claimed": f"Nothing to do: {title} was already {result.note}.",
        "no-channel": f"Nothing posted: COMMUNITY_CHANNEL_ID is not set. To fix it: "
                      f"{HOW_TO_FIX['COMMUNITY_CHANNEL_ID']}.",
    }[result.outcome])
    return 0 if result.outcome in ("posted", "queued", "already-claimed") else 1
