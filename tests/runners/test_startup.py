"""What an operator sees when `qi-commons run` starts with a wrong token, no channel or no Slack."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from sandbox import SlackStandIn
from tests.conftest import SIGNING_SECRET
from tests.runners.test_http_runner import QUIET_START, _free_port, _wait_healthy

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
BOT = Path(sys.executable).parent / "qi-commons"


async def _start(tmp_path: Path, env: dict[str, str], *args: str):
    base = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "LOG_LEVEL": "INFO",
            "HOST": "127.0.0.1", **QUIET_START}
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "COMMUNITY_CHANNEL_ID"):
        base.pop(name, None)
    return await asyncio.create_subprocess_exec(str(BOT), "run", *args, cwd=tmp_path, env={**base, **env},
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def _output(process, timeout: float = 30) -> str:
    return (await asyncio.wait_for(process.communicate(), timeout))[0].decode()


async def _lines_until(process, needle: str, count: int = 1, timeout: float = 30) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while sum(needle in line for line in lines) < count:
        line = await asyncio.wait_for(process.stdout.readline(), max(0.1, deadline - time.monotonic()))
        if not line:
            raise AssertionError("the bot exited early:\n" + "".join(lines))
        lines.append(line.decode())
    return lines


async def test_a_refused_app_token_is_one_clear_line_and_exit(tmp_path, database_url):
    async with SlackStandIn() as slack:
        process = await _start(tmp_path, {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-revoked",
                                          "SLACK_API_URL": slack.api_url, "COMMUNITY_CHANNEL_ID": "C0COMMUNITY"})
        output = await _output(process, timeout=20)
    assert process.returncode == 2, output
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in output and "App-Level Tokens" in output
    assert "Traceback" not in output and "xapp-revoked" not in output


async def test_a_refused_bot_token_stops_the_start(tmp_path, database_url):
    async with SlackStandIn(bot_token="xoxb-real") as slack:
        process = await _start(tmp_path, {"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                          "SLACK_API_URL": slack.api_url, "PORT": str(_free_port())}, "--http")
        output = await _output(process, timeout=20)
    assert process.returncode == 2, output
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in output
    assert "Traceback" not in output and "xoxb-wrong" not in output


async def test_socket_mode_retries_an_unreachable_slack_quietly_and_stops_on_sigterm(tmp_path, database_url):
    closed = f"http://127.0.0.1:{_free_port()}/api/"  # nothing listens here
    process = await _start(tmp_path, {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test",
                                      "SLACK_API_URL": closed, "COMMUNITY_CHANNEL_ID": "C0COMMUNITY"})
    try:
        lines = await _lines_until(process, "Cannot reach Slack for Socket Mode", count=2, timeout=40)
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        rest = await _output(process, timeout=15)
    output = "".join(lines) + rest
    assert time.monotonic() - started < 10, output
    assert process.returncode == 0, output
    assert "attempt 1" in output and "attempt 2" in output
    assert "Traceback" not in output and "QI Commons stopped" in output


async def test_start_up_warns_about_a_missing_channel_and_an_unconfirmed_token_once(tmp_path, database_url):
    port = _free_port()
    async with SlackStandIn() as slack:
        slack.fail("auth.test", status=503)
        process = await _start(tmp_path, {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                          "SLACK_API_URL": slack.api_url, "PORT": str(port)}, "--http")
        try:
            health = await _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        finally:
            process.send_signal(signal.SIGTERM)
            output = await _output(process)
    assert health["status"] == "degraded" and health["slack"].startswith("auth.test failed"), health
    assert "COMMUNITY_CHANNEL_ID is not set" in output
    assert "will be unused" not in output, output
    assert process.returncode == 0, output


async def test_healthz_stays_ok_when_slack_confirmed_the_token(tmp_path, database_url):
    port = _free_port()
    async with SlackStandIn() as slack:
        process = await _start(tmp_path, {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                          "SLACK_API_URL": slack.api_url, "PORT": str(port),
                                          "COMMUNITY_CHANNEL_ID": "C0COMMUNITY"}, "--http")
        try:
            async with aiohttp.ClientSession() as session:
                await _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    body = await response.json()
        finally:
            process.send_signal(signal.SIGTERM)
            output = await _output(process)
    assert body == {"status": "ok", "database": "ok", "scheduler": "running", "slack": "ok"}
    assert "COMMUNITY_CHANNEL_ID is not set" not in output and "will be unused" not in output
