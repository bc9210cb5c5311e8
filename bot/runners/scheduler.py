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

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.core import nudges
from bot.core.clock import Clock
from bot.core.config import HOW_TO_FIX, Settings
from bot.core.runtime import Runtime
from bot.runners.app import build_app, build_runtime
from bot.weekly.schedules import JOB_IDS, JOB_TITLES, JOBS, latest_run, upcoming_runs, weekly_trigger
from bot.workspace.lifecycle import lost_installations
from handlers.weekly.jobs import already_ran, run_weekly_job
from storage.migrate import upgrade
from storage.models import ScheduledPost

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sweep"
SWEEP_EVERY = timedelta(minutes=1)
# The outbox drains more often than the sweep runs: after a Slack outage the queue must be empty
# within half a minute of Slack answering again (its backoff is capped at 30 s).
DRAIN_JOB_ID = "outbox-drain"
DRAIN_EVERY = timedelta(seconds=5)


def _in_flight(runtime: Runtime) -> None:
    # A job still running at SIGTERM is waited for like a request, instead of being cancelled mid-step.
    if (task := asyncio.current_task()) is not None:
        runtime.inflight.track(task)


async def drain(runtime: Runtime) -> None:
    """Every few seconds: the Slack calls that are owed and due, oldest first."""
    _in_flight(runtime)
    try:
        if sent := await runtime.outbox.drain():
            log.info("Delivered %d pending Slack call(s)", sent)
    except Exception:  # noqa: BLE001 - the pending rows stay pending; the next drain retries them
        log.exception("The outbox drain failed; it runs again in a few seconds")


async def _shut_out(runtime: Runtime) -> bool:
    """Slack uninstalled the app or revoked its token: post nothing new until a reinstall."""
    async with runtime.db.session() as session:
        return bool(await lost_installations(session))


async def sweep(runtime: Runtime) -> None:
    """Every minute: forget old outbox rows and retry what is owed, post a weekly run whose tick failed,
    send nudges.

    Each step is caught and logged on its own, so one failing (say, the outbox) never stops the others.
    """
    _in_flight(runtime)
    try:
        if sent := await runtime.outbox.sweep():
            log.info("Sweep delivered %d pending Slack call(s)", sent)
    except Exception:  # noqa: BLE001 - the pending rows stay pending; the next sweep retries them
        log.exception("The outbox sweep failed; it runs again next minute")
    if await _shut_out(runtime):
        return
    if runtime.settings.community_channel_id is not None:
        await catch_up(runtime, at_start=False)  # catches and logs each job's failure itself
    try:
        await nudges.sweep(runtime)
    except Exception:  # noqa: BLE001 - due nudges stay due; the next sweep sends them
        log.exception("The nudge sweep failed; it runs again next minute")


async def weekly_job(runtime: Runtime, job: str) -> None:
    """The weekly prompt or digest tick; the claim in the database decides whether it posts."""
    _in_flight(runtime)
    if await _shut_out(runtime):
        log.info("Not posting the %s: the app is not installed", JOB_TITLES[job].lower())
        return
    try:
        await run_weekly_job(runtime, job)
    except Exception:  # noqa: BLE001 - logged here with the job's name; the next sweep tries again
        log.exception("The %s job failed; the every-minute sweep will try again", JOB_TITLES[job].lower())


async def catch_up(runtime: Runtime, *, at_start: bool = True) -> None:
    """Post each weekly job's latest run once if nothing claimed it and it is inside the grace window.

    At start-up this is the run that fell while the bot was down (a memory job store forgets it).
    The every-minute sweep calls it too (`at_start=False`), so a run whose tick failed (Slack or
    the database unreachable at that moment) posts once they are back instead of being lost; it
    leaves the first minute after a run to the tick itself. The claim makes all of this a no-op
    for a run that did post. A missed run older than SCHEDULE_GRACE_HOURS is skipped and, at
    start-up, logged, because a Monday prompt on Thursday helps nobody.
    """
    settings = runtime.settings
    now = runtime.clock.now()
    grace = timedelta(hours=settings.schedule_grace_hours)
    for job in JOBS:
        due = latest_run(settings, job, now)
        try:
            if now - due <= grace and (at_start or now - due >= SWEEP_EVERY):
                result = await run_weekly_job(runtime, job, due=due)
                if result.outcome != "already-claimed":
                    log.info("Caught up the %s due %s: %s", JOB_TITLES[job].lower(), due.isoformat(), result.outcome)
            elif at_start and now - due > grace and not await already_ran(runtime, job, due):
                if await _ever_posted(runtime, job):
                    log.warning("Skipped the %s due %s: it was missed while QI Commons was down and is older "
                                "than SCHEDULE_GRACE_HOURS (%sh)", JOB_TITLES[job].lower(), due.isoformat(),
                                settings.schedule_grace_hours)
                else:  # a first start: nothing was missed, the first one is simply still to come
                    log.info("The first %s will be posted %s", JOB_TITLES[job].lower(),
                             next(upcoming_runs(settings, job, now)).strftime("%a %d %b %H:%M %Z"))
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            # Slack down or unreachable: the every-minute sweep tries again; one line, not a traceback.
            log.warning("Could not catch up the %s (Slack: %s); trying again next minute",
                        JOB_TITLES[job].lower(), type(exc).__name__)
        except Exception:  # noqa: BLE001 - one job's failure must not stop the other's catch-up
            log.exception("Catching up the %s failed", JOB_TITLES[job].lower())


async def _ever_posted(runtime: Runtime, job: str) -> bool:
    async with runtime.db.session() as session:
        return await session.scalar(select(ScheduledPost.id).where(ScheduledPost.kind == job).limit(1)) is not None


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """Create the scheduler; call `.start()` from inside the running event loop."""
    tz = runtime.settings.tz
    scheduler = AsyncIOScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(sweep, IntervalTrigger(seconds=int(SWEEP_EVERY.total_seconds()), timezone=tz), args=[runtime],
                      id=SWEEP_JOB_ID, name="Outbox, nudge and missed-post sweep", replace_existing=True, misfire_grace_time=30)
    scheduler.add_job(drain, IntervalTrigger(seconds=int(DRAIN_EVERY.total_seconds()), timezone=tz), args=[runtime],
                      id=DRAIN_JOB_ID, name="Outbox drain", replace_existing=True, misfire_grace_time=5)
    grace = runtime.settings.schedule_grace_hours * 3600
    for job in JOBS:
        scheduler.add_job(weekly_job, weekly_trigger(runtime.settings, job), args=[runtime, job], id=JOB_IDS[job],
                          name=JOB_TITLES[job], replace_existing=True, misfire_grace_time=max(grace, 1))
    return scheduler


async def run_job_command(settings: Settings, job_id: str, *, dry_run: bool, clock: Clock | None = None) -> int:
    """`qi-commons jobs run weekly-digest|weekly-prompt [--dry-run]`: post the latest scheduled run now.

    Its claim still applies, so running it after the scheduled post (or twice) posts nothing; a run
    that failed or was skipped is taken over.
    A dry run prints the Block Kit JSON it would post and claims and posts nothing.
    """
    if not settings.bot_token:
        print(f"Configuration error: SLACK_BOT_TOKEN is not set. To fix it: {HOW_TO_FIX['SLACK_BOT_TOKEN']}.",
              file=sys.stderr)
        return 2
    job = next(job for job, scheduler_id in JOB_IDS.items() if scheduler_id == job_id)
    await asyncio.to_thread(upgrade, settings.database_url)
    runtime = build_runtime(settings, clock=clock)
    build_app(runtime)  # registers the outbox hooks that mark the claim posted
    try:
        result = await run_weekly_job(runtime, job, manual=True, dry_run=dry_run)
    finally:
        await runtime.close()
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
        "already-claimed": f"Nothing to do: {title} was already posted." if result.note == "posted" else
                           f"Nothing to do: {title} is already being posted; the running bot retries it every minute.",
        "no-channel": f"Nothing posted: COMMUNITY_CHANNEL_ID is not set. To fix it: "
                      f"{HOW_TO_FIX['COMMUNITY_CHANNEL_ID']}.",
    }[result.outcome])
    return 0 if result.outcome in ("posted", "queued", "already-claimed") else 1
