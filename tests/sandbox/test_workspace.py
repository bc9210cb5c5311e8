"""The sandbox runner and workspace without a browser: what the page's requests do, limits, refusals."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp
import aiohttp.web
import pytest
from aiohttp.test_utils import TestServer
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.clock import OffsetClock
from bot.runners.cli import main
from bot.runners.sandbox import SANDBOX_TOKEN, SandboxRefused, refuse_real_slack, sandbox_running
from bot.runners.sandbox_demo import CLINICIAN
from sandbox import SlackStandIn
from sandbox.limits import block_problems, view_problems


@pytest.fixture
async def sandbox(database_url, db):  # `db` empties the PostgreSQL tables first
    async with sandbox_running(database_url=database_url) as running:
        yield running


async def post(sandbox, path: str, body: dict) -> dict:
    async with aiohttp.ClientSession() as session, session.post(sandbox.url + path.lstrip("/"), json=body) as res:
        return await res.json()


async def test_a_typed_command_reaches_the_bot_signed_and_its_post_shows_in_the_channel(sandbox):
    answer = await post(sandbox, "/ui/command", {"user": CLINICIAN.id, "command": "/qi-share",
                                                 "text": "Tried a new handover checklist"})
    assert answer == {"status": 200, "ok": True}
    await sandbox.runtime.inflight.wait(10)
    [share] = [m for m in sandbox.workspace.state(CLINICIAN.id)["messages"]["C0COMMUNITY"]
               if "handover checklist" in m["text"]]
    assert share["user"] == "UBOTQI"
    # The page itself reached nothing but the bot's /slack/events: the bot called the Web API.
    assert sandbox.workspace.calls_to("chat.postMessage")


async def test_a_bot_that_is_gone_is_said_so(sandbox):
    sandbox.workspace.bot_url = "http://127.0.0.1:9/slack/events"
    answer = await post(sandbox, "/ui/command", {"user": CLINICIAN.id, "command": "/cpd-log", "text": "summary"})
    assert answer["ok"] is False and answer["error"] == "bot_unreachable"


async def test_the_weekly_prompt_control_posts_once(sandbox):
    first = await post(sandbox, "/ui/control/post-prompt", {})
    second = await post(sandbox, "/ui/control/post-prompt", {})
    assert first["said"].startswith("Posted the weekly prompt")
    assert "already posted" in second["said"]
    assert len(sandbox.workspace.messages("C0COMMUNITY")) == 1


async def test_moving_the_clock_moves_the_bots_clock(sandbox):
    before = sandbox.clock.now()
    said = (await post(sandbox, "/ui/control/advance-week", {}))["said"]
    assert sandbox.clock.now() - before >= timedelta(days=7)
    assert said.startswith("The sandbox clock is now")


async def test_reset_empties_the_workspace(sandbox):
    await post(sandbox, "/ui/command", {"user": CLINICIAN.id, "command": "/qi-share", "text": "Something to reset"})
    await sandbox.runtime.inflight.wait(10)
    assert sandbox.workspace.messages("C0COMMUNITY")
    await post(sandbox, "/ui/control/reset", {})
    assert sandbox.workspace.messages("C0COMMUNITY") == []


def test_offset_clock_only_moves_forward():
    clock = OffsetClock()
    start = clock.now()
    clock.advance(timedelta(days=1))
    assert clock.now() - start >= timedelta(days=1)
    with pytest.raises(ValueError):
        clock.advance(timedelta(days=-1))


def test_the_sandbox_refuses_a_real_slack_api_url():
    with pytest.raises(SandboxRefused, match="never talks to a real Slack"):
        refuse_real_slack({"SLACK_API_URL": "https://slack.com/api/"})
    refuse_real_slack({"SLACK_API_URL": "http://127.0.0.1:8700/api/"})
    refuse_real_slack({})


def test_a_taken_port_is_one_clear_line(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sandbox", "--port", str(port)]) == 1
    assert capsys.readouterr().err == (f"Port {port} is already in use: stop what uses it, or choose another "
                                       "with --port.\n")


async def test_the_stand_in_refuses_what_slack_would():
    async with SlackStandIn() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        long_value = {"type": "actions", "elements": [
            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Go"}, "value": "x" * 2001}]}
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C0COMMUNITY", text="t", blocks=[long_value])
        assert refused.value.response["error"] == "invalid_blocks"
        too_many = {"type": "section", "text": {"type": "mrkdwn", "text": "pick"}, "accessory": {
            "type": "static_select", "action_id": "s", "options": [
                {"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(101)]}}
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C0COMMUNITY", text="t", blocks=[too_many])
        assert refused.value.response["error"] == "invalid_blocks"
        with pytest.raises(SlackApiError) as refused:
            await client.views_open(trigger_id="t1", view={"type": "modal", "title": {
                "type": "plain_text", "text": "A modal title over 24 chars"}, "blocks": []})
        assert refused.value.response["error"] == "invalid_arguments"
        assert slack.messages("C0COMMUNITY") == []


def test_the_stand_ins_limits_take_every_golden_fixture():
    # The limits refuse what Slack would, never what the bot really sends (and Slack takes).
    for path in sorted((Path(__file__).parents[1] / "golden").glob("*.json")):
        payload = json.loads(path.read_text())
        is_view = payload.get("type") in ("modal", "home")
        problems = view_problems(payload) if is_view else block_problems(payload.get("blocks") or [])
        assert problems == [], path.name


REAL_PAYLOADS = Path(__file__).parents[2] / ".." / "shared" / "slack" / "real-payloads" / "slack_samples.json"


@pytest.mark.skipif(not REAL_PAYLOADS.exists(), reason="the shared real Slack payload samples are not here")
async def test_what_the_page_sends_has_the_fields_slack_sends(sandbox):
    real = {key: entry["payload"] for key, entry in json.loads(REAL_PAYLOADS.read_text()).items()}
    received: list[dict] = []

    async def capture(request: aiohttp.web.Request) -> aiohttp.web.Response:
        form = dict(parse_qsl(await request.text()))
        received.append(json.loads(form["payload"]) if "payload" in form else form)
        return aiohttp.web.Response(text="")

    app = aiohttp.web.Application()
    app.router.add_post("/slack/events", capture)
    async with TestServer(app) as server:
        sandbox.workspace.bot_url = str(server.make_url("/slack/events"))
        await post(sandbox, "/ui/command", {"user": CLINICIAN.id, "command": "/cpd-log", "text": "summary"})
        ts = (await AsyncWebClient(token=SANDBOX_TOKEN, base_url=sandbox.workspace.api_url)
              .chat_postMessage(channel="C0COMMUNITY", text="t", blocks=[{"type": "actions", "block_id": "b1",
                                "elements": [{"type": "button", "action_id": "go", "value": "1",
                                              "text": {"type": "plain_text", "text": "Go"}}]}]))["ts"]
        await post(sandbox, "/ui/action", {"user": CLINICIAN.id, "source": {"kind": "message", "channel": "C0COMMUNITY",
                                                                            "ts": ts},
                                           "action": {"action_id": "go", "block_id": "b1", "type": "button",
                                                      "value": "1"}})
    command, action = received
    enterprise_only = {"enterprise_id", "enterprise_name"}
    assert set(real["slash_command_enterprise"]) - enterprise_only <= set(command)
    assert set(real["block_actions_message"]) <= set(action)
    assert action["message"]["ts"] == ts and action["container"]["message_ts"] == ts


async def test_the_demo_department_has_a_project_with_a_weekly_series_in_its_thread(sandbox):
    from sqlalchemy import func, select

    from storage.models import MeasureDataPoint, QiProject

    answer = await post(sandbox, "/ui/control/demo", {})
    assert "a QI project with 14 weekly data points" in answer["said"]
    await sandbox.runtime.inflight.wait(30)
    await sandbox.runtime.outbox.drain()
    async with sandbox.runtime.db.session() as session:
        project = await session.scalar(select(QiProject).where(QiProject.owner_id == CLINICIAN.id))
        points = await session.scalar(select(func.count()).select_from(MeasureDataPoint))
    assert project.title == "Discharge summaries within 48 hours" and project.thread_ts and points == 14
    weekly = [m["text"] for m in sandbox.workspace.messages("C0COMMUNITY") if m.get("thread_ts") == project.thread_ts
              and m["ts"] != project.thread_ts and "of summaries sent within 48 hours" in m["text"]]
    assert len(weekly) == 14 and "Week 1: 52%" in weekly[0] and "Week 14: 84%" in weekly[-1]  # in order, once each
