"""`qi-commons run --http` as a real process: it answers Slack, reports health and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.runners.app import build_runtime
from bot.runners.server import build_web_app
from sandbox import SlackDriver, SlackStandIn
from storage.db import Database
from tests.conftest import SIGNING_SECRET

# These processes run on the real clock: on a Friday afternoon or a Monday morning the start-up
# catch-up would post the weekly digest or prompt (and still be running when SIGTERM arrives).
# No grace window keeps every start the same whatever the day.
QUIET_START = {"SCHEDULE_GRACE_HOURS": "0"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _wait_healthy(url: str, process) -> dict:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if process.returncode is not None:
                raise AssertionError(f"the bot exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return await response.json()
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the bot never became healthy")


async def _start_http_bot(slack: SlackStandIn, database_url: str, cwd: Path, port: int):
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": slack.api_url, "DATABASE_URL": database_url, "PORT": str(port),
           "HOST": "127.0.0.1", "COMMUNITY_CHANNEL_ID": "C0COMMUNITY", "LOG_LEVEL": "INFO", **QUIET_START}
    env.pop("SLACK_APP_TOKEN", None)
    bot = Path(sys.executable).parent / "qi-commons"
    return await asyncio.create_subprocess_exec(str(bot), "run", "--http", cwd=cwd, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def _stop(process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    return (await asyncio.wait_for(process.communicate(), 30))[0].decode()


async def test_real_process_answers_help_reports_health_and_stops_on_sigterm(database_url, tmp_path):
    port = _free_port()
    async with SlackStandIn() as slack:
        process = await _start_http_bot(slack, database_url, tmp_path, port)
        try:
            health = await _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            assert health == {"status": "ok", "database": "ok", "scheduler": "running", "slack": "ok"}

            driver = SlackDriver.over_http(f"http://127.0.0.1:{port}/slack/events", signing_secret=SIGNING_SECRET,
                                           standin=slack)
            response_url = slack.response_url()
            response = await driver.command("/qi-commons", "help", response_url=response_url)
            assert response.status == 200
            [reply] = await slack.wait_for_response(response_url)
            assert reply["response_type"] == "ephemeral" and "/find-mentor" in str(reply["blocks"])

            forged = await driver.raw("command=%2Fqi-commons&text=help", {"X-Slack-Signature": "v0=00",
                                                                           "X-Slack-Request-Timestamp": "1"})
            assert forged.status == 401
        finally:
            output = await _stop(process)
        assert process.returncode == 0, output
        assert "QI Commons stopped" in output
        assert "xoxb-test" not in output and SIGNING_SECRET not in output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_sigterm_lets_work_in_flight_finish(database_url, tmp_path):
    port = _free_port()
    async with SlackStandIn() as slack:
        process = await _start_http_bot(slack, database_url, tmp_path, port)
        try:
            await _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            driver = SlackDriver.over_http(f"http://127.0.0.1:{port}/slack/events", signing_secret=SIGNING_SECRET,
                                           standin=slack)
            slack.delay("response_url", 1.5)  # the answer is still on its way when SIGTERM arrives
            response_url = slack.response_url()
            # `privacy` answers after its ack, through the response_url
            assert (await driver.command("/qi-commons", "privacy", response_url=response_url)).status == 200
        finally:
            output = await _stop(process)
        assert process.returncode == 0, output
        # The answer was held back 1.5 s at the stand-in, so it went out after SIGTERM and before the exit.
        in_flight = re.search(r"finishing (\d+) request\(s\) in flight", output)
        assert in_flight and int(in_flight[1]) >= 1, output
        [reply] = slack.responses(response_url)
        assert "forget-me" in str(reply)
        assert slack.calls_to("chat.postMessage") == []  # the start-up catch-up posted nothing


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_healthz_is_503_when_the_database_is_unreachable(make_settings):
    settings = make_settings()
    runtime = build_runtime(settings, db=Database("postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    runtime.scheduler_running = True
    async with TestClient(TestServer(build_web_app(None, runtime))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "degraded", "database": "unreachable", "scheduler": "running",
                                         "slack": "ok"}
    await runtime.db.dispose()


async def test_socket_mode_process_answers_without_a_public_url(tmp_path):
    async with SlackStandIn() as slack:
        env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": slack.app_token,
               "SLACK_API_URL": slack.api_url, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/socket.db",
               "COMMUNITY_CHANNEL_ID": "C0COMMUNITY", "LOG_LEVEL": "INFO", **QUIET_START}
        env.pop("SLACK_SIGNING_SECRET", None)
        bot = Path(sys.executable).parent / "qi-commons"
        process = await asyncio.create_subprocess_exec(str(bot), "run", cwd=tmp_path, env=env,
                                                       stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.STDOUT)
        try:
            await slack.wait_for_socket(timeout=30)
            response_url = slack.response_url()
            await SlackDriver.over_socket(slack).command("/qi-commons", "help", response_url=response_url)
            [reply] = await slack.wait_for_response(response_url)
            assert "/cpd-log" in str(reply["blocks"])
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            output = (await asyncio.wait_for(process.communicate(), 30))[0].decode()
        assert process.returncode == 0, output
        assert "Socket Mode" in output and "QI Commons stopped" in output
        assert slack.calls_to("apps.connections.open")
