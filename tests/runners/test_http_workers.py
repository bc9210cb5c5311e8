"""HTTP_WORKERS: `qi-commons run --http` as several real processes on one port (bot/runners/workers.py)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from sandbox import SlackDriver, SlackStandIn
from tests.conftest import SIGNING_SECRET
from tests.runners.test_http_runner import QUIET_START, _free_port, _stop, _wait_healthy

SHARES = 30


async def _start(slack: SlackStandIn, database_url: str, cwd: Path, port: int, workers: int):
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": slack.api_url, "DATABASE_URL": database_url, "PORT": str(port),
           "HOST": "127.0.0.1", "COMMUNITY_CHANNEL_ID": "C0COMMUNITY", "LOG_LEVEL": "INFO",
           "HTTP_WORKERS": str(workers), **QUIET_START}
    env.pop("SLACK_APP_TOKEN", None)
    bot = Path(sys.executable).parent / "qi-commons"
    return await asyncio.create_subprocess_exec(str(bot), "run", "--http", cwd=cwd, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


async def _gone(pid: int, timeout: float = 30.0) -> bool:
    for _ in range(int(timeout * 10)):
        if not _alive(pid):
            return True
        await asyncio.sleep(0.1)
    return False


async def _listening(process, count: int) -> list[str]:
    """Read the output until `count` processes say they listen (each worker binds the port itself)."""
    lines: list[str] = []
    while sum("is listening on" in line for line in lines) < count:
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert line, "the bot stopped before its workers listened:\n" + "".join(lines)
        lines.append(line.decode())
    return lines


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_two_workers_share_the_port_post_each_share_once_and_stop_together(database_url, tmp_path):
    port = _free_port()
    async with SlackStandIn() as slack:
        process = await _start(slack, database_url, tmp_path, port, workers=2)
        try:
            await _listening(process, 2)
            await _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            [worker] = _children(process.pid)
            driver = SlackDriver.over_http(f"http://127.0.0.1:{port}/slack/events", signing_secret=SIGNING_SECRET,
                                           standin=slack)
            users = [f"U0WORK{i:03d}" for i in range(SHARES)]
            for user in users:
                slack.add_user(user, name=user.lower(), email=f"{user.lower()}@hospital.example")
            answers = await asyncio.gather(*(driver.command("/qi-share", f"Worker share {i:03d}: a huddle", user_id=user)
                                             for i, user in enumerate(users)))
            assert [a.status for a in answers] == [200] * SHARES

            def posts(i: int) -> int:
                return sum(f"Worker share {i:03d}:" in json.dumps(args)
                           for args in slack.calls_to("chat.postMessage"))

            # Two schedulers and two outbox drains, one channel post per share: the outbox leases each row.
            assert await slack.until(lambda: all(posts(i) >= 1 for i in range(SHARES)), 30)
            await asyncio.sleep(6)  # a drain tick of each worker passes; nothing is posted again
            assert [posts(i) for i in range(SHARES)] == [1] * SHARES
        finally:
            output = await _stop(process)
        assert process.returncode == 0, output
        assert await _gone(worker), "the worker outlived the first process"
        assert output.count("QI Commons stopped") == 2, output


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_worker_stops_when_the_first_process_is_killed(database_url, tmp_path):
    port = _free_port()
    async with SlackStandIn() as slack:
        process = await _start(slack, database_url, tmp_path, port, workers=2)
        try:
            await _listening(process, 2)
            [worker] = _children(process.pid)
            process.send_signal(signal.SIGKILL)  # no chance to pass SIGTERM on: the kernel tells the worker
            await process.wait()
            assert await _gone(worker), "a worker was left holding the port"
        finally:
            if process.returncode is None:
                process.kill()
            await process.wait()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_several_workers_on_sqlite_are_refused_with_what_to_do(database_url, tmp_path):
    async with SlackStandIn() as slack:
        process = await _start(slack, database_url, tmp_path, _free_port(), workers=2)
        output = (await asyncio.wait_for(process.communicate(), 30))[0].decode()
    assert process.returncode == 2
    assert output.strip() == ("Configuration error: HTTP_WORKERS is 2, but SQLite serves one process. To fix it: "
                              "use 1, or up to one process per CPU core (at most 32) with a PostgreSQL DATABASE_URL.")
