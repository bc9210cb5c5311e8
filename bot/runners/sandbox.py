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
import logging
import os
import secrets
import signal
import socket
import sys
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web

from bot.core.clock import OffsetClock
from bot.core.config import Settings, load_settings
from bot.runners.app import build_app, build_runtime
from bot.runners.manifest import build_manifest
from bot.runners.sandbox_demo import ADMIN, CLINICIAN, MENTOR, add_people, seed_demo
from bot.runners.scheduler import sweep
from bot.runners.server import build_web_app
from bot.weekly.schedules import DIGEST, JOB_TITLES, PROMPT
from handlers.weekly.jobs import run_weekly_job
from sandbox.server import COMMUNITY_CHANNEL_ID
from sandbox.workspace import SandboxWorkspace
from storage.migrate import upgrade

log = logging.getLogger(__name__)

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


def sandbox_settings(api_url: str, bot_port: int) -> Settings:
    # `_env_file=None`: nothing from .env (no real token, no real database) leaks into the sandbox.
    return load_settings(
        _env_file=None, slack_bot_token=SANDBOX_TOKEN, slack_signing_secret=secrets.token_hex(16),
        slack_app_token=None, slack_api_url=api_url, database_url=SANDBOX_DATABASE,
        community_channel_id=COMMUNITY_CHANNEL_ID, admin_user_ids=ADMIN.id, staff_email_domains="sandbox.example",
        host="127.0.0.1", port=bot_port, log_level=os.environ.get("LOG_LEVEL", "WARNING"),
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run_sandbox(*, host: str, port: int, demo: bool) -> int:
    refuse_real_slack(dict(os.environ))
    commands = build_manifest()["features"]["slash_commands"]
    workspace = SandboxWorkspace(signing_secret="", bot_token=SANDBOX_TOKEN, host=host, port=port,
                                 commands=commands)
    try:
        await workspace.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"Port {port} is already in use: stop what uses it, or choose another with --port.",
                  file=sys.stderr)
            return 1
        raise
    bot_port = _free_port()
    settings = sandbox_settings(workspace.api_url.replace("0.0.0.0", "127.0.0.1"), bot_port)
    await asyncio.to_thread(upgrade, settings.database_url)
    clock = OffsetClock()
    runtime = build_runtime(settings, clock=clock)
    app = build_app(runtime)
    assert settings.slack_signing_secret is not None
    workspace._signing_secret = settings.slack_signing_secret.get_secret_value()
    workspace.bot_url = f"http://127.0.0.1:{bot_port}/slack/events"
    workspace.now = clock.timestamp
    add_people(workspace)

    async def post(job: str) -> str:
        result = await run_weekly_job(runtime, job, manual=True)
        title = f"{JOB_TITLES[job]} for {result.period}"
        return {"posted": f"Posted the {title}.", "already-claimed": f"The {title} was already posted."}.get(
            result.outcome, f"The {title}: {result.outcome} {result.note or ''}".strip())

    async def travel(days: int) -> str:
        clock.advance(timedelta(days=days))
        await sweep(runtime)  # what the every-minute sweep would do at the new time: nudges, hand-offs, posts
        return f"The sandbox clock is now {clock.now():%a %d %b %Y %H:%M} UTC."

    async def demo_control() -> str:
        return await seed_demo(workspace, runtime)

    workspace.controls.update({
        "post-prompt": lambda: post(PROMPT), "post-digest": lambda: post(DIGEST),
        "advance-day": lambda: travel(1), "advance-week": lambda: travel(7), "demo": demo_control,
    })

    runner = web.AppRunner(build_web_app(app, runtime), handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", bot_port).start()
    runtime.scheduler_running = True
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        if demo:
            await seed_demo(workspace, runtime)
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        print(f"QI Commons sandbox: open http://{shown_host}:{workspace.url.rsplit(':', 1)[1]} "
              f"(you are {CLINICIAN.name}; switch to {MENTOR.name} or {ADMIN.name} on the page)", flush=True)
        await stop.wait()
    finally:
        await runtime.inflight.wait(5)
        await runner.cleanup()
        await workspace.stop()
        await runtime.db.dispose()
    return 0
