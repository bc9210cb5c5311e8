"""`qi-commons sandbox`: the real bot behind a local, browser-based Slack, no Slack app or internet needed.

The bot runs in HTTP mode on a private 127.0.0.1 port against its own SQLite file; the stand-in
(sandbox.workspace) serves the Web API it calls and the page a person uses. The page's clicks reach
the bot only as signed requests, exactly as Slack's would. The sandbox never reads the real Slack
configuration: its token and signing secret are made up here, and a SLACK_API_URL pointing anywhere
but this machine is refused.
"""

from __future__ import annotations

import asyncio
import errno
import os
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web

from bot.core.clock import OffsetClock
from bot.core.config import Settings, load_settings
from bot.core.runtime import Runtime
from bot.runners.app import build_app, build_runtime
from bot.runners.manifest import build_manifest
from bot.runners.sandbox_demo import ADMIN, CLINICIAN, MENTOR, add_people, seed_demo
from bot.runners.scheduler import build_scheduler, sweep
from bot.runners.server import build_web_app
from bot.weekly.schedules import DIGEST, JOB_TITLES, PROMPT
from handlers.weekly.jobs import run_weekly_job
from sandbox.server import COMMUNITY_CHANNEL_ID
from sandbox.workspace import Control, SandboxWorkspace
from storage.migrate import upgrade
from storage.models import Base

SANDBOX_DATABASE = "sqlite+aiosqlite:///sandbox.db"
SANDBOX_TOKEN = "xoxb-sandbox-not-a-real-token"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class SandboxRefused(Exception):
    """The sandbox will not start this way; the message says why and what to do."""


def refuse_real_slack(environ: dict[str, str]) -> None:
    url = environ.get("SLACK_API_URL", "").strip()
    if url and urlsplit(url).hostname not in _LOOPBACK:
        raise SandboxRefused(f"The sandbox never talks to a real Slack, but SLACK_API_URL is {url}: unset it to "
                             "use the sandbox, or set SLACK_BOT_TOKEN and run `qi-commons run` for real Slack.")


def sandbox_settings(api_url: str, bot_port: int, signing_secret: str, database_url: str) -> Settings:
    # `_env_file=None`: nothing from .env (no real token, no real database) leaks into the sandbox.
    return load_settings(
        _env_file=None, slack_bot_token=SANDBOX_TOKEN, slack_signing_secret=signing_secret,
        slack_app_token=None, slack_api_url=api_url, database_url=database_url,
        community_channel_id=COMMUNITY_CHANNEL_ID, admin_user_ids=ADMIN.id, staff_email_domains="sandbox.example",
        host="127.0.0.1", port=bot_port, log_level=os.environ.get("LOG_LEVEL", "WARNING"),
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Sandbox:
    workspace: SandboxWorkspace
    runtime: Runtime
    clock: OffsetClock

    @property
    def url(self) -> str:
        return self.workspace.url.replace("0.0.0.0", "127.0.0.1")


@asynccontextmanager
async def sandbox_running(*, host: str = "127.0.0.1", port: int = 0, database_url: str = SANDBOX_DATABASE,
                          scheduled: bool = False) -> AsyncIterator[Sandbox]:
    """The page and stand-in on host:port, the bot on a private port behind it; stopped on exit.

    `scheduled` also runs the bot's scheduler (the every-minute sweep, the weekly posts) as
    `qi-commons run` does; tests leave it off so nothing posts on its own in the middle of one.
    """
    commands = build_manifest()["features"]["slash_commands"]
    signing_secret = secrets.token_hex(16)
    workspace = SandboxWorkspace(signing_secret=signing_secret, bot_token=SANDBOX_TOKEN, host=host, port=port,
                                 commands=commands)
    await workspace.start()
    bot_port = _free_port()
    settings = sandbox_settings(workspace.api_url.replace("0.0.0.0", "127.0.0.1"), bot_port, signing_secret,
                                database_url)
    clock = OffsetClock()
    runner: web.AppRunner | None = None
    runtime: Runtime | None = None
    scheduler = None
    try:
        await asyncio.to_thread(upgrade, settings.database_url)
        runtime = build_runtime(settings, clock=clock)
        runner = web.AppRunner(build_web_app(build_app(runtime), runtime), handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", bot_port).start()
        if scheduled:
            scheduler = build_scheduler(runtime)
            scheduler.start()
        runtime.scheduler_running = True
        workspace.bot_url = f"http://127.0.0.1:{bot_port}/slack/events"
        workspace.now = clock.timestamp
        add_people(workspace)
        sandbox = Sandbox(workspace, runtime, clock)
        workspace.controls.update(_controls(sandbox))
        yield sandbox
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if runtime is not None:
            await runtime.inflight.wait(5)
        if runner is not None:
            await runner.cleanup()
        await workspace.stop()
        if runtime is not None:
            await runtime.close()


def _controls(sandbox: Sandbox) -> dict[str, Control]:
    runtime, clock = sandbox.runtime, sandbox.clock

    async def post(job: str) -> str:
        # The scheduler's own claim: a second press finds this week's post already claimed.
        result = await run_weekly_job(runtime, job, manual=True)
        title = f"{JOB_TITLES[job].lower()} for {result.period}"
        return {"posted": f"Posted the {title}.", "already-claimed": f"The {title} was already posted."}.get(
            result.outcome, f"The {title}: {result.outcome} {result.note or ''}".strip())

    async def travel(days: int) -> str:
        clock.advance(timedelta(days=days))
        await sweep(runtime)  # what the every-minute sweep does at the new time: nudges, hand-offs, posts
        return f"The sandbox clock is now {clock.now():%a %d %b %Y %H:%M} UTC."

    async def demo() -> str:
        return await seed_demo(sandbox.workspace, runtime)

    async def reset() -> str:
        # Everything the bot stored, and everything the workspace shows, gone: the sandbox as first opened.
        await runtime.inflight.wait(10)
        async with runtime.db.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
        sandbox.workspace.clear()
        return "The sandbox is empty again: no posts, no CPD, no mentors."

    return {"post-prompt": lambda: post(PROMPT), "post-digest": lambda: post(DIGEST),
            "advance-day": lambda: travel(1), "advance-week": lambda: travel(7), "demo": demo,
            "reset": reset}


async def run_sandbox(*, host: str, port: int, demo: bool) -> int:
    refuse_real_slack(dict(os.environ))
    try:
        async with sandbox_running(host=host, port=port, scheduled=True) as sandbox:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            if demo:
                print(await seed_demo(sandbox.workspace, sandbox.runtime), flush=True)
            print(f"QI Commons sandbox: open {sandbox.url} (you are {CLINICIAN.name}; switch to "
                  f"{MENTOR.name} or {ADMIN.name} on the page)", flush=True)
            await stop.wait()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"Port {port} is already in use: stop what uses it, or choose another with --port.", file=sys.stderr)
        return 1
    return 0
