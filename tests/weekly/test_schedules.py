"""Pauses, skip dates and Ontario holidays: what admins set, what they see, and what then posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.weekly.schedules import Control, change_schedule, ontario_holiday, schedule_overview
from handlers.weekly.jobs import run_weekly_job
from sandbox.server import COMMUNITY_CHANNEL_ID
from storage.models import AuditLog, ScheduleControl, ScheduledPost
from tests.conftest import ADMIN_ID, MEMBER_ID
from tests.golden import assert_golden, validate_blocks

TORONTO = ZoneInfo("America/Toronto")
TEAM = "T0001"


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


async def _admin(env, text: str, user_id: str = ADMIN_ID) -> dict:
    await env.driver.command("/qi-commons", f"admin {text}", user_id=user_id)
    await env.settle()
    return env.slack.responses()[-1]


async def _run(env, job: str, at: datetime):
    env.clock.set(at)
    return await run_weekly_job(env.runtime, job)


async def _claims(env) -> list[tuple[str, str, str, str | None]]:
    async with env.runtime.db.session() as session:
        rows = (await session.scalars(select(ScheduledPost).order_by(ScheduledPost.id))).all()
    return [(row.kind, row.period, row.status, row.detail.get("note")) for row in rows]


def test_ontario_statutory_holidays_come_from_the_holidays_library_for_any_year():
    assert ontario_holiday(date(2027, 3, 26)) == "Good Friday"
    assert ontario_holiday(date(2026, 12, 25)) == "Christmas Day"
    assert ontario_holiday(date(2031, 2, 17)) == "Family Day"
    assert ontario_holiday(date(2026, 8, 3)) is None  # the Civic Holiday is not a statutory holiday in Ontario
    assert Control().skip_reason(date(2027, 3, 26)) == "Ontario holiday: Good Friday"
    assert Control(skip_holidays=False).skip_reason(date(2027, 3, 26)) is None


async def test_holidays_are_skipped_and_the_next_digest_covers_the_skipped_weeks(env):
    assert (await _run(env, "digest", _at(2026, 12, 18, 15))).outcome == "posted"
    assert (await _run(env, "digest", _at(2026, 12, 25, 15))).outcome == "skipped"  # Christmas Day
    assert (await _run(env, "digest", _at(2027, 1, 1, 15))).outcome == "skipped"  # New Year's Day
    assert (await _run(env, "digest", _at(2027, 1, 8, 15))).outcome == "posted"
    assert (await _run(env, "digest", _at(2027, 3, 26, 15))).outcome == "skipped"  # Good Friday

    assert len(env.slack.messages(COMMUNITY_CHANNEL_ID)) == 2
    assert await _claims(env) == [
        ("digest", "2026-W51", "posted", None),
        ("digest", "2026-W52", "skipped", "Ontario holiday: Christmas Day"),
        ("digest", "2026-W53", "skipped", "Ontario holiday: New Year's Day"),
        ("digest", "2027-W01", "posted", None),
        ("digest", "2027-W12", "skipped", "Ontario holiday: Good Friday"),
    ]
    january = env.slack.messages(COMMUNITY_CHANNEL_ID)[1]
    assert "Fri 18 Dec to Fri 8 Jan" in str(january["blocks"])


async def test_admin_can_post_on_holidays_too(env):
    reply = await _admin(env, "holidays digest off")
    assert reply["text"] == "The weekly digest will post on Ontario's statutory holidays too."

    assert (await _run(env, "digest", _at(2026, 12, 25, 15))).outcome == "posted"


async def test_pause_until_a_date_then_the_first_run_on_that_date_posts(env):
    reply = await _admin(env, "pause prompt until 2026-12-07")
    assert reply["text"] == ("Paused the weekly prompt until Mon 7 Dec 2026: the first run on or after that date "
                             "posts again.")

    assert (await _run(env, "prompt", _at(2026, 11, 30, 9))).outcome == "skipped"
    assert (await _run(env, "digest", _at(2026, 12, 4, 15))).outcome == "posted"  # only the prompt was paused
    assert (await _run(env, "prompt", _at(2026, 12, 7, 9))).outcome == "posted"
    assert [c[:3] for c in await _claims(env)] == [("prompt", "2026-W49", "skipped"), ("digest", "2026-W49", "posted"),
                                                   ("prompt", "2026-W50", "posted")]
    async with env.runtime.db.session() as session:
        audit = (await session.scalars(select(AuditLog).where(AuditLog.action == "schedule.pause"))).one()
    assert (audit.actor_id, audit.subject, audit.detail) == (ADMIN_ID, "prompt", {"date": "2026-12-07"})


async def test_resume_ends_a_pause(env):
    await _admin(env, "pause all until 2027-01-04")
    reply = await _admin(env, "resume digest")
    assert reply["text"] == "Resumed the weekly digest."

    assert (await _run(env, "digest", _at(2026, 11, 27, 15))).outcome == "posted"
    assert (await _run(env, "prompt", _at(2026, 11, 30, 9))).outcome == "skipped"


async def test_skip_dates_skip_one_run(env):
    reply = await _admin(env, "skip all 2026-11-30")
    # Only the prompt runs on Mondays, so only the prompt is skipped.
    assert reply["text"] == "The weekly prompt will not post on Mon 30 Nov 2026."

    assert (await _run(env, "prompt", _at(2026, 11, 30, 9))).outcome == "skipped"
    assert (await _run(env, "prompt", _at(2026, 12, 7, 9))).outcome == "posted"
    assert (await _claims(env))[0] == ("prompt", "2026-W49", "skipped", "an admin's skip date")

    await _admin(env, "unskip prompt 2026-11-30")
    async with env.runtime.db.session() as session:
        control = await session.scalar(select(ScheduleControl).where(ScheduleControl.job == "prompt"))
    assert control.skip_dates == []


async def test_bad_schedule_commands_explain_what_to_type(env):
    assert "nothing to skip" in (await _admin(env, "skip digest 2026-11-30"))["text"]  # a Monday: no digest
    assert "YYYY-MM-DD" in (await _admin(env, "pause digest until next week"))["text"]
    assert "not in the future" in (await _admin(env, "pause digest until 2026-11-01"))["text"]
    assert "`/qi-commons admin resume prompt`, `digest` or `all`" in (await _admin(env, "resume everything"))["text"]
    assert "holidays all on" in (await _admin(env, "holidays digest maybe"))["text"]
    async with env.runtime.db.session() as session:
        assert (await session.scalars(select(ScheduleControl))).all() == []


async def test_members_cannot_see_or_change_the_schedule(env):
    for text in ("schedule", "pause digest until 2027-01-04", "skip prompt 2026-11-30", "resume all",
                 "holidays all off"):
        reply = await _admin(env, text, user_id=MEMBER_ID)
        assert reply["text"].startswith("Only QI Commons admins can do that.")
    async with env.runtime.db.session() as session:
        assert (await session.scalars(select(ScheduleControl))).all() == []
        refused = (await session.scalars(select(AuditLog.subject).where(AuditLog.action == "admin.refused"))).all()
    assert refused == ["admin schedule", "admin pause", "admin skip", "admin resume", "admin holidays"]


async def test_admin_schedule_shows_next_runs_in_the_community_timezone(env):
    await _admin(env, "pause digest until 2026-12-05")
    await _admin(env, "skip prompt 2026-12-14")
    env.clock.set(_at(2026, 11, 30, 9, 0))
    await run_weekly_job(env.runtime, "prompt")

    reply = await _admin(env, "schedule")

    assert_golden("schedule_overview", {"text": reply["text"], "blocks": reply["blocks"]})
    prompt, digest = reply["blocks"][1]["text"]["text"], reply["blocks"][2]["text"]["text"]
    assert "Next run: Mon 7 Dec 2026, 09:00 EST" in prompt
    assert "Last run: 2026-W49, posted Mon 30 Nov 2026, 09:00 EST" in prompt
    assert "Next run: Fri 4 Dec 2026, 15:00 EST (skipped: paused until Sat 5 Dec 2026)" in digest
    assert "Next post: Fri 11 Dec 2026, 15:00 EST" in digest
    assert "Fri 25 Dec 2026 (Christmas Day)" in digest


async def test_schedule_overview_is_plain_data_in_the_community_timezone_across_dst(env):
    env.clock.set(datetime(2026, 10, 31, 12, tzinfo=UTC))  # the day before Toronto leaves daylight time
    prompt, digest = await schedule_overview(env.runtime, TEAM)

    assert (prompt.job, digest.job) == ("prompt", "digest")
    assert prompt.next_run == _at(2026, 11, 2, 9) and prompt.next_run.utcoffset() == timedelta(hours=-5)
    assert digest.next_run == _at(2026, 11, 6, 15) and digest.next_run.tzinfo == TORONTO
    assert digest.when == "Fridays at 15:00 (America/Toronto)"
    assert (digest.next_run_skipped, digest.next_post, digest.paused_until, digest.skip_dates) == (
        None, digest.next_run, None, ())
    assert digest.holiday_skips[:3] == ((date(2026, 12, 25), "Christmas Day"), (date(2027, 1, 1), "New Year's Day"),
                                        (date(2027, 3, 26), "Good Friday"))
    assert prompt.holiday_skips[0] == (date(2026, 12, 28), "Boxing Day (observed)")
    assert digest.last_post is None


async def test_a_long_list_of_skip_dates_still_fits_in_one_slack_section(env):
    fridays = [date(2026, 12, 4) + timedelta(weeks=n) for n in range(250)]
    for friday in fridays:
        await change_schedule(env.runtime, team_id=TEAM, actor_id=ADMIN_ID, jobs=("digest",), action="skip", day=friday)

    reply = await _admin(env, "schedule")

    validate_blocks(reply["blocks"])
    digest = reply["blocks"][2]["text"]["text"]
    assert "Skip dates: Fri 4 Dec 2026, Fri 11 Dec 2026," in digest and " and 230 more" in digest


async def test_a_schedule_change_is_stored_before_the_ack_which_says_so(env, monkeypatch):
    from handlers.admin import schedule
    from tests.ack_order import slow_store

    slow_store(monkeypatch, schedule, "change_schedule")
    response = await env.driver.command("/qi-commons", "admin pause digest until 2027-01-04", user_id=ADMIN_ID)
    async with env.runtime.db.session() as session:
        paused = (await session.scalars(select(ScheduleControl.paused_until))).all()
    assert response.status == 200 and paused == [date(2027, 1, 4)]
    assert response.json()["text"].startswith("Paused the weekly digest until")  # the answer is the ack
    for text in ("resume digest", "skip prompt 2026-12-28", "unskip prompt 2026-12-28", "holidays all off"):
        assert (await env.driver.command("/qi-commons", f"admin {text}", user_id=ADMIN_ID)).json()["text"]
    async with env.runtime.db.session() as session:
        controls = (await session.scalars(select(ScheduleControl))).all()
    assert {c.paused_until for c in controls} == {None} and not any(c.skip_holidays for c in controls)
    # A member is still refused on the server, in the ack, and the refusal audited; nothing changes.
    refused = await env.driver.command("/qi-commons", "admin pause all until 2027-01-04", user_id=MEMBER_ID)
    assert "Only QI Commons admins" in refused.json()["text"]
    async with env.runtime.db.session() as session:
        assert await session.scalar(select(AuditLog.subject).where(AuditLog.action == "admin.refused")) == "admin pause"
        assert {c.paused_until for c in (await session.scalars(select(ScheduleControl))).all()} == {None}
