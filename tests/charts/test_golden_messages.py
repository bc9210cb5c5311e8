"""A golden fixture for every run-chart message and view (the import's are in test_import.py): what the member
reads, checked against Slack's limits."""

from __future__ import annotations

from datetime import timedelta

from tests.charts.helpers import WAIT_AFTER, WAIT_BASELINE
from tests.charts.test_chart_in_slack import _announcements, _open_details, _project
from tests.conftest import MEMBER_ID
from tests.golden import assert_golden
from tests.sharing_helpers import posts

VIEW_KEYS = ("type", "title", "submit", "close", "blocks")


def _message(m):
    return {k: m[k] for k in ("text", "blocks") if k in m}


async def test_the_chart_reply_and_the_measure_forms(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER)
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    assert_golden("charts_chart_reply_owner", _message(env.slack.responses()[-1]))
    await _open_details(env)
    assert_golden("charts_measure_details_modal", {k: env.slack.opened_views[-1]["view"][k] for k in VIEW_KEYS})

    [card] = [m for m in posts(env) if "QI project:" in m["text"] and m.get("thread_ts") in (None, m["ts"])]
    await env.driver.action("charts_add_data", value=slug, message=card)
    await env.settle()
    assert_golden("charts_add_data_modal", {k: env.slack.opened_views[-1]["view"][k] for k in VIEW_KEYS})


async def test_the_question_about_a_date_that_has_a_value(env):
    slug = await _project(env, [])
    await env.driver.command("/qi-share", f"#{slug} data wait=12 2026-11-20")
    asked = (await env.driver.command("/qi-share", f"#{slug} data wait=11 triage=3 2026-11-20")).json()
    assert_golden("charts_data_duplicate_question", _message(asked))


async def test_the_signal_announcements_and_the_digest_line(env):
    from handlers.weekly.jobs import run_weekly_job

    await _project(env, WAIT_BASELINE + WAIT_AFTER)
    [better] = await _announcements(env, "C0COMMUNITY")
    assert_golden("charts_signal_improvement", _message(better))
    env.clock.advance(timedelta(days=3))
    assert (await run_weekly_job(env.runtime, "digest")).outcome == "posted"
    digest = env.slack.messages("C0COMMUNITY")[-1]
    [signals] = [b for b in digest["blocks"] if "Signals of improvement" in b.get("text", {}).get("text", "")]
    assert_golden("charts_digest_signals", {"blocks": [signals]})


async def test_the_signal_of_deterioration_to_the_owner(env):
    await _project(env, WAIT_BASELINE + WAIT_AFTER, direction="up")
    [worse, *_] = await _announcements(env, env.slack.dm_channel(MEMBER_ID))
    assert_golden("charts_signal_deterioration", _message(worse))
