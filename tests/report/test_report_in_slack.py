"""The value report as admins get it in Slack: asked for, previewed, refused, and sent monthly exactly once."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.runners.app import build_runtime
from handlers.admin.guard import REFUSAL
from handlers.report.jobs import send_monthly_report
from handlers.weekly.blocks import failure_notice
from storage.models import AuditLog, ScheduledPost
from tests.conftest import ADMIN_ID, MEMBER_ID
from tests.golden import assert_golden, validate_blocks
from tests.report.seed import seed_department

SECOND_ADMIN = "U0ADMIN2"


async def _seed(env) -> None:
    async with env.runtime.db.session() as session, session.begin():
        await seed_department(session)


async def _audit(env, action: str) -> list[tuple[str | None, str | None]]:
    async with env.runtime.db.session() as session:
        rows = await session.execute(select(AuditLog.actor_id, AuditLog.subject).where(AuditLog.action == action))
        return [tuple(row) for row in rows]


def _last_reply(env) -> dict:
    return env.slack.responses()[-1]


async def test_an_admin_gets_the_report_in_their_dm_with_the_chart_and_the_csv(env):
    await _seed(env)
    await env.driver.command("/qi-commons", "admin report 2026-10", user_id=ADMIN_ID)
    await env.settle()

    [summary] = env.slack.messages(env.slack.dm_channel(ADMIN_ID))[:1]
    assert_golden("report_summary", {"text": summary["text"], "blocks": summary["blocks"]})
    text = json.dumps(summary["blocks"])
    assert "Active members: *13* (Sep: fewer than 5)" in text
    assert "Social work: *fewer than 5* (Sep: fewer than 5)" in text and "Nursing: *6* (Sep: fewer than 5)" in text
    assert "<@U0NURSE1> (may be shared)" in text  # a named story; the admins-only one is listed too
    png, table = sorted(env.slack.files, key=lambda f: f.filename)
    assert (png.filename, table.filename) == ("qi-commons-participation-2026-10.png", "qi-commons-value-2026-10.csv")
    assert png.content.startswith(b"\x89PNG") and png.channel == env.slack.dm_channel(ADMIN_ID)
    assert "Oct 2026: 13 active, 8 shared" in png.alt_txt
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows[1][:4] == ["Immediate value", "Active members", "13", "fewer than 5"]
    assert _last_reply(env)["text"] == ("Sent the value report for October 2026 to our direct messages, with the "
                                        "participation chart and the CSV.")
    assert await _audit(env, "report.viewed") == [(ADMIN_ID, "period:2026-10")]
    # Nothing anywhere else: no channel post, no other DM.
    assert env.slack.messages("C0COMMUNITY") == []


async def test_a_member_who_is_not_an_admin_is_refused_on_the_server_and_audited(env):
    await _seed(env)
    await env.driver.command("/qi-commons", "admin report quarter", user_id=MEMBER_ID)
    await env.settle()
    assert _last_reply(env)["text"] == REFUSAL
    assert (MEMBER_ID, "admin report") in await _audit(env, "admin.refused")
    assert env.slack.files == [] and env.slack.calls_to("chat.postMessage") == []


async def test_a_bad_period_is_told_with_an_example(env):
    await _seed(env)
    for text, words in (("admin report next week", "I couldn't read `next week` as a period. Try "),
                        ("admin report 2027-02", "February 2027 has not happened yet"),
                        ("admin report 2024-01..2024-03", "January to March 2024 is before QI Commons's first data")):
        await env.driver.command("/qi-commons", text, user_id=ADMIN_ID)
        await env.settle()
        assert _last_reply(env)["text"].startswith(words), text
        assert "`/qi-commons admin report" in _last_reply(env)["text"]
    assert env.slack.files == [] and env.slack.calls_to("chat.postMessage") == []


async def test_the_preview_shows_last_months_report_to_the_admin_alone(env):
    await _seed(env)
    await env.driver.command("/qi-commons", "admin report preview", user_id=ADMIN_ID)
    await env.settle()
    reply = _last_reply(env)
    assert reply["response_type"] == "ephemeral"
    assert_golden("report_preview", {"text": reply["text"], "blocks": reply["blocks"]})
    assert reply["blocks"][0]["elements"][0]["text"].startswith(
        ":eyes: *Preview*, only you can see this. On Tue 1 Dec 2026 at 09:00 EST the report")
    assert env.slack.files == [] and env.slack.calls_to("chat.postMessage") == []
    assert await _audit(env, "report.previewed") == [(ADMIN_ID, "period:2026-10")]


async def test_the_monthly_report_goes_to_every_admin_once_across_sweeps_restarts_and_replicas(env, make_settings):
    await _seed(env)
    env.runtime.settings = make_settings(slack_api_url=env.slack.api_url, admin_user_ids=f"{ADMIN_ID},{SECOND_ADMIN}")
    env.slack.add_user(SECOND_ADMIN, name="cpd.lead", real_name="Dr. Cam Lead")
    # 08:59 in Toronto on Tue 1 Dec: not yet.
    env.clock.set(datetime(2026, 12, 1, 13, 59, tzinfo=UTC))
    assert await send_monthly_report(env.runtime) == 0
    env.clock.advance(timedelta(minutes=2))
    assert await send_monthly_report(env.runtime) == 2
    await env.settle()
    # The next sweep, and a second replica on the same database, find the claims and send nothing.
    assert await send_monthly_report(env.runtime) == 0
    replica = build_runtime(env.runtime.settings, clock=env.clock, db=env.runtime.db)
    assert await send_monthly_report(replica) == 0

    for admin in (ADMIN_ID, SECOND_ADMIN):
        [summary] = env.slack.messages(env.slack.dm_channel(admin))[:1]
        assert summary["text"].startswith("QI Commons value report for November 2026:")
    assert len(env.slack.calls_to("chat.postMessage")) == 2
    assert len(env.slack.files) == 4  # a chart and a CSV each
    async with env.runtime.db.session() as session:
        claims = (await session.scalars(select(ScheduledPost).where(ScheduledPost.kind == "value_report"))).all()
    assert sorted((c.channel_id, c.period, c.status) for c in claims) == [
        (ADMIN_ID, "2026-11", "posted"), (SECOND_ADMIN, "2026-11", "posted")]

    # A month missed for longer than SCHEDULE_GRACE_HOURS (the bot was down) is not sent late.
    env.clock.set(datetime(2027, 1, 6, 15, 0, tzinfo=UTC))
    assert await send_monthly_report(env.runtime) == 0


async def test_the_latest_report_is_on_the_admins_home(env):
    await _seed(env)
    await env.driver.event({"type": "app_home_opened", "user": ADMIN_ID, "tab": "home", "channel": "D0HOME"})
    await env.settle()
    before = env.slack.home_view(ADMIN_ID)
    assert "The first monthly value report comes on Tue 1 Dec 2026 at 09:00 EST" in json.dumps(before)

    env.clock.set(datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
    await send_monthly_report(env.runtime)
    await env.settle()
    home = env.slack.home_view(ADMIN_ID)
    section = [b for b in home["blocks"][:4]]
    assert_golden("home_admin_value_report", {"type": "home", "blocks": section})
    assert "*November 2026*, beside the month before" in json.dumps(section)
    # A member's Home has no report.
    await env.driver.event({"type": "app_home_opened", "user": MEMBER_ID, "tab": "home", "channel": "D0HOME"})
    await env.settle()
    assert "Value report" not in json.dumps(env.slack.home_view(MEMBER_ID))


def test_a_refused_monthly_dm_is_told_to_the_admins_in_words_about_the_report():
    text = failure_notice("value_report", ADMIN_ID, "cannot_dm_bot")
    assert text.startswith(":warning: I could not send the monthly value report to <@U0ADMIN> (Slack said "
                           "`cannot_dm_bot`).")
    assert "weekly" not in text


def test_the_summary_stays_inside_slacks_limits_with_long_stories():
    from datetime import date

    from bot.report.build import MonthActivity, ValueReport
    from bot.report.periods import Period
    from bot.report.stories import Story
    from bot.report.suppression import people
    from handlers.report.blocks import report_blocks

    long = "x" * 1500
    story = Story(1, "U1", long, long, "applied", "named", datetime(2026, 10, 1, tzinfo=UTC))
    report = ValueReport(Period(date(2026, 10, 1), 1), Period(date(2026, 9, 1), 1), (), (), (),
                         (MonthActivity(date(2026, 10, 1), people(3), 1),), (story,) * 8, 20)
    validate_blocks(report_blocks(report))
