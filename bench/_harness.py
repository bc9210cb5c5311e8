"""What the process benchmarks share: a free loopback port, a real `qi-commons run --http` process
against the stand-in (restartable, killable), and a fresh PostgreSQL database per run.

Not a benchmark itself: `make bench` runs bench/[!_]*.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from sandbox import SlackStandIn

BOT = Path(sys.executable).parent / "qi-commons"
CHANNEL = "C0COMMUNITY"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its live children (HTTP_WORKERS) have used so far (Linux
    /proc): the work they did, whatever else ran."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(int(c)) for c in children)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_healthy(port: int, process: asyncio.subprocess.Process, log: Path | None = None) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            if process.returncode is not None:
                raise RuntimeError(f"the process exited with {process.returncode}" + (f"; see {log}" if log else ""))
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the process never became healthy")


class BotProcess:
    """One `qi-commons run --http` process, restartable on the same port and database."""

    def __init__(self, slack: SlackStandIn, database_url: str, workdir: Path, *, signing_secret: str,
                 **settings: str) -> None:
        self.port = free_port()
        self.env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": signing_secret,
                    "SLACK_API_URL": slack.api_url, "DATABASE_URL": database_url, "PORT": str(self.port),
                    "HOST": "127.0.0.1", "COMMUNITY_CHANNEL_ID": CHANNEL, "LOG_LEVEL": "WARNING", **settings}
        self.env.pop("SLACK_APP_TOKEN", None)
        self.workdir = workdir
        self.process: asyncio.subprocess.Process | None = None
        self.log = workdir / "bot.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(str(BOT), "run", "--http", cwd=self.workdir,
                                                                env=self.env, stdout=log, stderr=log)
        await wait_healthy(self.port, self.process, self.log)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                await self.kill()


async def fresh_postgres(url: str, prefix: str) -> str:
    """A new, empty database on the server of `url` (dropped first if a previous run left it)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"{prefix}_{os.getpid()}"
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)
