"""The clock that drives scheduled work. The database is the source of truth; this only ticks.

Jobs are rebuilt from settings at every start in a memory job store, with explicit ids, and are
`async def` functions that receive ids and the runtime, never a Slack client of their own.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.runtime import Runtime

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sweep"


async def sweep(runtime: Runtime) -> None:
    """Every minute: retry Slack calls that are owed."""
    sent = await runtime.outbox.sweep()
    if sent:
        log.info("Sweep delivered %d pending Slack call(s)", sent)


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """Create the scheduler; call `.start()` from inside the running event loop."""
    tz = runtime.settings.tz
    scheduler = AsyncIOScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(sweep, IntervalTrigger(minutes=1, timezone=tz), args=[runtime], id=SWEEP_JOB_ID,
                      name="Outbox and nudge sweep", replace_existing=True, misfire_grace_time=30)
    return scheduler
