"""The scheduler: wiring, exactly-once posts across replicas and restarts, catch-up, DST, retries, CLI."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import select

from bot.runners.app import build_app, build_runtime
from bot.runners.scheduler import build_scheduler, catch_up, run_job_command, sweep, weekly_job
from bot.weekly.schedules import period_of
from handlers.weekly.jobs import run_weekly_job
from sandbox.server import COMMUNITY_CHANNEL_ID
from storage.db import Database
from storage.models import ScheduledPost
from tests.conftest import ADMIN_ID

TORONTO = ZoneInfo("America/Toronto")


async def _claims(env) -> list[ScheduledPost]:
    async with env.runtime.db.session() as session:
        return list((await session.scalars(select(ScheduledPost).order_by(ScheduledPost.id))).all())


def test_period_keys_are_iso_weeks_of_the_local_run():
    assert period_of(datetime(2026, 11, 27, 15, tzinfo=TORONTO)) == "2026-W48"
    assert period_of(datetime(2027, 1, 1, 15, tzinfo=TORONTO)) == "2026-W53"  # ISO year, not calendar year


async def test_jobs_are_rebuilt_with_explicit_ids_and_the_community_timezone(env):
    scheduler = build_scheduler(env.runtime)

    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"sweep", "outbox-drain", "weekly-prompt", "weekly-digest"}
    assert jobs["outbox-drain"].trigger.interval.total_seconds() == 5
    for job in jobs.values():
        assert job.trigger.timezone == TORONTO
    assert jobs["weekly-digest"].args == (env.runtime, "digest")
    assert jobs["weekly-prompt"].args == (env.runtime, "prompt")
    assert str(jobs["weekly-digest"].trigger) == "cron[day_of_week='fri', hour='15', minute='0']"
    assert str(jobs["weekly-prompt"].trigger) == "cron[day_of_week='mon', hour='9', minute='0']"


async def _fire_times(env, job_id: str, start: datetime, count: int) -> list[datetime]:
    """The next fire times of the real trigger the scheduler uses."""
    trigger = build_scheduler(env.runtime).get_job(job_id).trigger
    fires, previous = [], None
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, previous or start)
        fires.append(previous)
    return fires


async def test_digest_stays_at_15_local_across_the_autumn_dst_change(env):
    fires = await _fire_times(env, "weekly-digest", datetime(2026, 10, 26, tzinfo=TORONTO), 2)

    # Toronto leaves daylight time on Sun 1 Nov 2026: 15:00 is 19:00 UTC before, 20:00 UTC after.
    assert [f.astimezone(UTC) for f in fires] == [datetime(2026, 10, 30, 19, tzinfo=UTC),
                                                   datetime(2026, 11, 6, 20, tzinfo=UTC)]
    assert all((f.hour, f.minute) == (15, 0) for f in fires)

    env.clock.set(fires[1])
    await weekly_job(env.runtime, "digest")
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "Fri 6 Nov" in message["blocks"][0]["text"]["text"]
    [claim] = await _claims(env)
    assert (claim.period, claim.status, claim.ts) == ("2026-W45", "posted", message["ts"])


async def test_digest_stays_at_15_local_across_the_spring_dst_change(env):
    fires = await _fire_times(env, "weekly-digest", datetime(2027, 3, 8, tzinfo=TORONTO), 2)

    # Daylight time starts Sun 14 Mar 2027: 15:00 is 20:00 UTC before, 19:00 UTC after.
    assert [f.astimezone(UTC) for f in fires] == [datetime(2027, 3, 12, 20, tzinfo=UTC),
                                                   datetime(2027, 3, 19, 19, tzinfo=UTC)]
    env.clock.set(fires[1] + timedelta(seconds=1))
    await weekly_job(env.runtime, "digest")
    assert len(env.slack.messages(COMMUNITY_CHANNEL_ID)) == 1
    assert [c.period for c in await _claims(env)] == ["2027-W11"]


async def test_a_run_set_in_the_hour_that_repeats_when_dst_ends_posts_once(env):
    env.runtime.settings = env.runtime.settings.model_copy(update={"weekly_digest_at": "sun 01:30"})
    fires = await _fire_times(env, "weekly-digest", datetime(2026, 10, 26, tzinfo=TORONTO), 2)

    # 01:30 happens twice on Sun 1 Nov 2026 (EDT, then EST), and the trigger fires at both.
    assert [f.astimezone(UTC) for f in fires] == [datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
                                                   datetime(2026, 11, 1, 6, 30, tzinfo=UTC)]
    for fire in fires:
        env.clock.set(fire)
        await weekly_job(env.runtime, "digest")
    assert len(env.slack.messages(COMMUNITY_CHANNEL_ID)) == 1
    assert [(c.period, c.status) for c in await _claims(env)] == [("2026-W44", "posted")]


async def test_two_replicas_firing_the_same_digest_post_it_once(env, database_url):
    """Two schedulers, two runtimes, two connection pools on one database: both fire, one post."""
    replica = build_runtime(env.runtime.settings, clock=env.clock, db=Database(database_url))
    build_app(replica)
    schedulers = [build_scheduler(env.runtime), build_scheduler(replica)]
    finished: list[object] = []
    both_done = asyncio.Event()

    def done(event) -> None:
        if event.job_id == "weekly-digest":
            finished.append(event)
            if len(finished) == 2:
                both_done.set()

    for scheduler in schedulers:
        scheduler.add_listener(done, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        scheduler.start(paused=True)
    now = datetime.now(TORONTO)
    for scheduler in schedulers:
        scheduler.get_job("weekly-digest").modify(next_run_time=now)
        scheduler.resume()
    try:
        await asyncio.wait_for(both_done.wait(), 30)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=False)
        await replica.db.dispose()

    assert all(event.code == EVENT_JOB_EXECUTED for event in finished)
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    [claim] = await _claims(env)
    assert (claim.kind, claim.status, claim.ts) == ("digest", "posted", message["ts"])


async def test_overlapping_runs_post_once(env):
    # The first run's post is slow, so the second starts while it is still posting.
    env.slack.delay("chat.postMessage", 0.3)
    first, second = await asyncio.gather(run_weekly_job(env.runtime, "prompt"), run_weekly_job(env.runtime, "prompt"))

    assert sorted([first.outcome, second.outcome]) == ["already-claimed", "posted"]
    assert len(env.slack.messages(COMMUNITY_CHANNEL_ID)) == 1


async def _posted_last_month(env) -> None:
    """This is a restart: the bot posted both weekly jobs before it went down."""
    async with env.runtime.db.session() as session, session.begin():
        for kind in ("prompt", "digest"):
            session.add(ScheduledPost(team_id="T0001", channel_id=COMMUNITY_CHANNEL_ID, kind=kind, period="2026-W44",
                                      status="posted", claimed_at=datetime(2026, 10, 30, tzinfo=UTC)))


async def test_restart_inside_the_grace_window_posts_the_missed_digest_once(env, caplog):
    await _posted_last_month(env)
    # Down over Friday 15:00; back at 15:30 the same day.
    env.clock.set(datetime(2026, 11, 27, 15, 30, tzinfo=TORONTO))
    caplog.set_level(logging.INFO, logger="bot.runners.scheduler")
    await catch_up(env.runtime)
    await catch_up(env.runtime)  # a second restart, or a second replica starting

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "Fri 27 Nov" in message["blocks"][0]["text"]["text"]
    claim = (await _claims(env))[-1]
    assert (claim.kind, claim.period, claim.status) == ("digest", "2026-W48", "posted")
    # Monday's prompt is four days old: far outside 24 h, so it is skipped and said so.
    assert any("Skipped the weekly prompt due 2026-11-23T09:00:00-05:00" in r.message for r in caplog.records)


async def test_restart_outside_the_grace_window_skips_and_logs(env, caplog):
    await _posted_last_month(env)
    env.clock.set(datetime(2026, 11, 28, 15, 1, tzinfo=TORONTO))  # 24 h and a minute after the digest was due
    caplog.set_level(logging.INFO, logger="bot.runners.scheduler")
    await catch_up(env.runtime)

    assert env.slack.messages(COMMUNITY_CHANNEL_ID) == []
    assert len(await _claims(env)) == 2  # only last month's
    assert any("Skipped the weekly digest due 2026-11-27T15:00:00-05:00" in r.message
               and "SCHEDULE_GRACE_HOURS (24h)" in r.message for r in caplog.records)


async def test_a_first_ever_start_says_when_the_first_posts_come_not_that_they_were_missed(env, caplog):
    env.clock.set(datetime(2026, 11, 28, 15, 1, tzinfo=TORONTO))  # a Saturday: both weekly runs are past
    caplog.set_level(logging.INFO, logger="bot.runners.scheduler")
    await catch_up(env.runtime)

    messages = [r.message for r in caplog.records]
    assert not any("missed" in m for m in messages), messages
    assert "The first weekly prompt will be posted Mon 30 Nov 09:00 EST" in messages
    assert "The first weekly digest will be posted Fri 04 Dec 15:00 EST" in messages


async def test_a_digest_that_did_post_is_not_reported_as_missed(env, caplog):
    env.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=TORONTO))
    await weekly_job(env.runtime, "digest")
    env.clock.set(datetime(2026, 11, 28, 18, 0, tzinfo=TORONTO))
    caplog.set_level(logging.INFO, logger="bot.runners.scheduler")
    await catch_up(env.runtime)

    assert len(env.slack.messages(COMMUNITY_CHANNEL_ID)) == 1
    assert not any("weekly digest" in r.message for r in caplog.records)


async def test_a_failed_post_is_retried_by_the_sweep_and_never_duplicated(env, capsys):
    env.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=TORONTO))
    env.slack.fail("chat.postMessage", status=500)
    await weekly_job(env.runtime, "prompt")

    assert env.slack.messages(COMMUNITY_CHANNEL_ID) == []
    [claim] = await _claims(env)
    assert claim.status == "claimed" and claim.ts is None
    await weekly_job(env.runtime, "prompt")  # the next tick, or a replica: the week is taken
    assert await run_job_command(env.runtime.settings, "weekly-prompt", dry_run=False, clock=env.clock) == 0
    assert capsys.readouterr().out == ("Nothing to do: the weekly prompt for 2026-W49 is already being posted; the "
                                       "running bot retries it every minute.\n")
    env.clock.advance(timedelta(minutes=2))
    await sweep(env.runtime)
    await sweep(env.runtime)

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    [claim] = await _claims(env)
    assert (claim.status, claim.ts) == ("posted", message["ts"])
    assert message["text"].startswith("This week's question:")


async def test_a_refused_post_is_marked_failed_admins_are_told_and_a_manual_run_posts_it(env):
    env.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=TORONTO))
    env.slack.fail("chat.postMessage", error="channel_not_found")
    await weekly_job(env.runtime, "digest")

    [claim] = await _claims(env)
    assert claim.status == "failed" and "channel_not_found" in claim.detail["note"]
    env.clock.advance(timedelta(minutes=3))
    await sweep(env.runtime)
    [notice] = env.slack.messages(env.slack.dm_channel(ADMIN_ID))
    assert "could not post the weekly digest" in notice["text"] and "qi-commons jobs run weekly-digest" in notice["text"]

    result = await run_weekly_job(env.runtime, "digest", manual=True)
    assert result.outcome == "posted"
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    [claim] = await _claims(env)
    assert (claim.status, claim.ts) == ("posted", message["ts"])


async def test_a_tick_that_cannot_reach_slack_is_posted_by_the_next_sweep_once(env):
    env.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=TORONTO))
    env.slack.fail("auth.test", status=503, times=None)  # Slack is down as Friday's digest fires
    await weekly_job(env.runtime, "digest")
    assert env.slack.messages(COMMUNITY_CHANNEL_ID) == [] and await _claims(env) == []

    env.slack.clear_failures()
    env.clock.advance(timedelta(seconds=30))
    await sweep(env.runtime)  # the first minute after a run is the tick's own
    assert env.slack.messages(COMMUNITY_CHANNEL_ID) == []
    env.clock.advance(timedelta(seconds=40))
    await sweep(env.runtime)
    assert len(env.slack.messages(COMMUNITY_CHANNEL_ID)) == 1
    env.clock.advance(timedelta(minutes=1))
    await sweep(env.runtime)
    await weekly_job(env.runtime, "digest")  # a replica's late tick

    # Only the digest, once: Monday's prompt is days old, and the sweep never posts a run outside the grace window.
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "Fri 27 Nov" in message["blocks"][0]["text"]["text"]
    [claim] = await _claims(env)
    assert (claim.kind, claim.period, claim.status, claim.ts) == ("digest", "2026-W48", "posted", message["ts"])


async def test_a_start_up_catch_up_that_cannot_reach_slack_is_finished_by_the_sweep(env):
    env.clock.set(datetime(2026, 11, 27, 15, 30, tzinfo=TORONTO))
    env.slack.fail("auth.test", status=503, times=None)
    await catch_up(env.runtime)
    env.slack.clear_failures()
    env.clock.advance(timedelta(minutes=1))
    await sweep(env.runtime)
    await sweep(env.runtime)

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "Fri 27 Nov" in message["blocks"][0]["text"]["text"]


async def test_the_workspace_is_asked_once_so_a_later_slack_outage_does_not_lose_the_week(env):
    env.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=TORONTO))
    await weekly_job(env.runtime, "digest")
    env.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=TORONTO))
    env.slack.fail("auth.test", status=503, times=None)
    env.slack.fail("chat.postMessage", status=503)  # and the post itself fails once
    await weekly_job(env.runtime, "prompt")

    [claim] = [c for c in await _claims(env) if c.kind == "prompt"]
    assert (claim.period, claim.status) == ("2026-W49", "claimed")  # stored, owed, retried by the sweep
    env.clock.advance(timedelta(minutes=2))
    await sweep(env.runtime)
    digest, prompt = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert prompt["text"].startswith("This week's question:")
    assert len(env.slack.calls_to("auth.test")) == 1


async def test_a_failed_digest_run_by_hand_after_the_weekend_does_not_take_next_weeks_digest(env, capsys):
    env.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=TORONTO))
    env.slack.fail("chat.postMessage", error="channel_not_found")
    await weekly_job(env.runtime, "digest")
    env.clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=TORONTO))  # the operator fixes it on Monday

    assert await run_job_command(env.runtime.settings, "weekly-digest", dry_run=False, clock=env.clock) == 0
    env.clock.set(datetime(2026, 12, 4, 15, 0, tzinfo=TORONTO))
    await weekly_job(env.runtime, "digest")

    assert capsys.readouterr().out.splitlines() == ["Posted the weekly digest for 2026-W48 to C0COMMUNITY."]
    assert len(env.slack.messages(COMMUNITY_CHANNEL_ID)) == 2
    assert [(c.period, c.status) for c in await _claims(env)] == [("2026-W48", "posted"), ("2026-W49", "posted")]


async def test_jobs_run_command_posts_once_a_week(env, capsys):
    assert await run_job_command(env.runtime.settings, "weekly-prompt", dry_run=False, clock=env.clock) == 0
    assert await run_job_command(env.runtime.settings, "weekly-prompt", dry_run=False, clock=env.clock) == 0

    out = capsys.readouterr().out.splitlines()
    assert out == ["Posted the weekly prompt for 2026-W48 to C0COMMUNITY.",
                   "Nothing to do: the weekly prompt for 2026-W48 was already posted."]
    assert len(env.slack.messages(COMMUNITY_CHANNEL_ID)) == 1


async def test_jobs_run_dry_run_prints_block_kit_and_posts_nothing(env, database_url):
    """The real `qi-commons` command, as an operator runs it."""
    settings = env.runtime.settings
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.runners.cli", "jobs", "run", "weekly-digest", "--dry-run",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": settings.slack_api_url,
             "DATABASE_URL": database_url, "COMMUNITY_CHANNEL_ID": COMMUNITY_CHANNEL_ID, "ADMIN_USER_IDS": ADMIN_ID})
    out, err = await process.communicate()

    assert process.returncode == 0, err.decode()
    printed = json.loads(out)
    assert printed["blocks"][-1]["elements"][0]["action_id"] == "scheduled_share_update"
    assert "quiet week" in printed["text"]
    assert env.slack.calls_to("chat.postMessage") == [] and env.slack.messages(COMMUNITY_CHANNEL_ID) == []
    assert await _claims(env) == []


async def test_a_failing_outbox_sweep_does_not_stop_the_other_steps(env, monkeypatch, caplog):
    ran = []

    async def broken_outbox_sweep(limit=50):
        raise RuntimeError("database unreachable")

    async def nudge_sweep(runtime):
        ran.append("nudges")

    monkeypatch.setattr(env.runtime.outbox, "sweep", broken_outbox_sweep)
    monkeypatch.setattr("bot.runners.scheduler.nudges.sweep", nudge_sweep)
    with caplog.at_level(logging.ERROR):
        await sweep(env.runtime)
    assert ran == ["nudges"]
    assert "The outbox sweep failed" in caplog.text
