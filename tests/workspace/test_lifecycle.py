"""Uninstalls and revoked tokens stop everything at once; a reinstall resumes; new members get one welcome.

Driven by the payloads Slack's SDK teams recorded (tests/real_payloads.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.runners.scheduler import sweep, weekly_job
from bot.runners.service import _check_bot_token
from storage.models import AuditLog, OutboxMessage, Workspace
from tests.conftest import MEMBER_ID
from tests.real_payloads import sample


async def _outbox(env) -> list[OutboxMessage]:
    async with env.runtime.db.session() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def _post(env, text: str):
    return await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                         args={"channel": "C0COMMUNITY", "text": text})


@pytest.mark.parametrize("key", ["app_uninstalled", "tokens_revoked"])
async def test_slack_shutting_us_out_holds_every_call_and_stops_the_weekly_posts(env, key):
    env.slack.fail("chat.postMessage", status=503)
    assert (await _post(env, "queued before the uninstall")).status == "pending"

    response = await env.driver.envelope(sample(key))  # org-level: no team_id, no authorizations
    assert response.status == 200
    await env.settle()
    async with env.runtime.db.session() as session:
        [workspace] = (await session.scalars(select(Workspace))).all()
        audit = await session.scalar(select(AuditLog).where(AuditLog.action.like("workspace.%")))
    assert (workspace.team_id, workspace.status) == ("E111", {"app_uninstalled": "uninstalled"}.get(key, key))
    assert audit.action == f"workspace.{workspace.status}"

    env.slack.reset_calls()
    env.clock.advance(timedelta(minutes=5))
    assert await env.runtime.outbox.drain() == 0
    assert (await _post(env, "written after the uninstall")).status == "held"
    await sweep(env.runtime)
    await weekly_job(env.runtime, "digest")
    assert env.slack.calls == []  # nothing tried against a dead token
    assert [row.status for row in await _outbox(env)] == ["held", "held"]  # kept, not dropped


async def test_a_start_with_a_working_token_after_a_reinstall_resumes_what_was_held(env):
    await env.driver.envelope(sample("app_uninstalled"))
    await env.settle()
    await _post(env, "held while uninstalled")
    await _check_bot_token(env.runtime)  # what `qi-commons run` does first: auth.test succeeds again
    assert await env.runtime.outbox.drain() == 1
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["held while uninstalled"]
    async with env.runtime.db.session() as session:
        assert [w.status for w in (await session.scalars(select(Workspace))).all()] == ["active"]


async def test_revoking_only_user_tokens_changes_nothing(env):
    payload = sample("tokens_revoked")
    payload["event"]["tokens"]["bot"] = []
    await env.driver.envelope(payload)
    await env.settle()
    assert (await _post(env, "still installed")).sent


async def test_healthz_and_check_say_the_app_was_uninstalled(env, make_settings):
    from aiohttp.test_utils import TestClient, TestServer

    from bot.runners.checks import run_checks
    from bot.runners.server import build_web_app

    await env.driver.envelope(sample("app_uninstalled"))
    await env.settle()
    env.runtime.scheduler_running = True
    async with TestClient(TestServer(build_web_app(env.app, env.runtime))) as client:
        body = await (await client.get("/healthz")).json()
    assert body["status"] == "degraded" and "uninstalled" in body["slack"]
    checks = await run_checks(make_settings(slack_api_url=env.slack.api_url))
    [line] = [check for check in checks if check.name == "installation"]
    assert not line.ok and "the app was uninstalled from E111" in line.detail and "Reinstall" in line.detail


async def test_joining_the_community_channel_gets_one_welcome_in_working_hours(env):
    payload = sample("member_joined_channel")
    payload["event"].update(channel="C0COMMUNITY", user=MEMBER_ID)
    payload["team_id"] = payload["event"]["team"] = "T0001"
    for event_id in ("Ev1", "Ev2"):  # joined, left and joined again
        payload["event_id"] = event_id
        assert (await env.driver.envelope(payload)).status == 200
    await env.settle()
    await sweep(env.runtime)
    await env.settle()
    dm = env.slack.dm_channel(MEMBER_ID)
    [welcome] = env.slack.messages(dm)
    assert "Welcome to the QI Commons community channel" in welcome["text"] and "/qi-commons help" in welcome["text"]
    env.clock.advance(timedelta(days=2))
    await sweep(env.runtime)
    assert len(env.slack.messages(dm)) == 1


async def test_joining_another_channel_sends_nothing(env):
    payload = sample("member_joined_channel")
    payload["event"].update(channel="C0ELSEWHERE", user=MEMBER_ID)
    payload["team_id"] = "T0001"
    await env.driver.envelope(payload)
    await env.settle()
    await sweep(env.runtime)
    assert env.slack.messages(env.slack.dm_channel(MEMBER_ID)) == []
