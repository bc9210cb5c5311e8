"""Running the bot: migrate, start the scheduler in the loop, serve, and shut down cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.config import HOW_TO_FIX, ConfigError, RunMode, Settings
from bot.core.runtime import Runtime
from bot.runners.app import build_app, build_runtime
from bot.runners.metrics import Metrics
from bot.runners.scheduler import build_scheduler, catch_up
from bot.runners.server import build_web_app
from bot.runners.workers import Workers, is_worker
from bot.workspace.lifecycle import mark_active
from storage.migrate import upgrade

log = logging.getLogger(__name__)

DRAIN_SECONDS = 25  # under the usual 30 s a process manager waits after SIGTERM
# Slack answers these when a token is wrong or revoked: retrying cannot help, the operator must act.
REFUSED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                 "not_allowed_token_type", "missing_scope"}
RECONNECT_BACKOFF = (1, 2, 5, 10, 30, 60)


class _QuietTokenWarning(logging.Filter):
    # Bolt reads SLACK_BOT_TOKEN from the environment even when given our client (which carries that
    # same token), then warns on every start that the token "will be unused": true, and noise.
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


async def run_bot(settings: Settings, mode: RunMode) -> int:
    """Run until SIGTERM/SIGINT; raises ConfigError (one line for the operator) when Slack refuses a token.

    The exit status: 0, or 1 when an HTTP worker (bot/runners/workers.py) exited by itself.
    """
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_QuietTokenWarning())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    worker = is_worker()
    if not worker:  # the first process migrates, once, before any worker starts
        await asyncio.to_thread(upgrade, settings.database_url)
    runtime = build_runtime(settings)
    try:
        await _check_bot_token(runtime)
    except ConfigError:
        await runtime.close()
        raise
    if settings.community_channel_id is None:
        log.warning("COMMUNITY_CHANNEL_ID is not set: shares, weekly prompts and digests have nowhere to go. "
                    "To fix it: %s", HOW_TO_FIX["COMMUNITY_CHANNEL_ID"])
    metrics = Metrics()
    app = build_app(runtime, metrics)

    scheduler = build_scheduler(runtime)
    scheduler.start()  # AsyncIOScheduler binds to the loop that is running now
    runtime.scheduler_running = True
    runtime.inflight.spawn(catch_up(runtime))  # posts a weekly run missed while down, once

    runner: web.AppRunner | None = None
    socket_handler: AsyncSocketModeHandler | None = None
    connected = False
    workers = Workers(0 if worker or mode != "http" else settings.http_workers - 1)
    worker_exited = asyncio.Event()
    if mode == "http":
        runner = web.AppRunner(build_web_app(app, runtime, metrics), handle_signals=False)
        await runner.setup()
        # Several processes on one port share it only if each asks to (SO_REUSEPORT).
        site = web.TCPSite(runner, settings.host, settings.port, reuse_port=settings.http_workers > 1 or None)
        await site.start()
        log.info("QI Commons is listening on http://%s:%s/slack/events (HTTP mode)", settings.host, settings.port)
        if workers.count:
            await workers.start(on_exit=worker_exited)
    else:
        assert settings.slack_app_token is not None
        socket_handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
        connecting = asyncio.ensure_future(_connect_socket(socket_handler, settings, stop))
        stopping = asyncio.ensure_future(stop.wait())
        # SIGTERM must stop us while Slack is still unreachable, not only once connected.
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not connecting.done():
            connecting.cancel()
        elif connecting.exception() is not None:
            await _shut_down(runtime, scheduler, socket_handler, None, connected=False)
            raise connecting.exception()
        connected = connecting.done() and connecting.result()

    await asyncio.wait({asyncio.ensure_future(stop.wait()), asyncio.ensure_future(worker_exited.wait())},
                       return_when=asyncio.FIRST_COMPLETED)
    if workers.count:
        await workers.stop(DRAIN_SECONDS)
    await _shut_down(runtime, scheduler, socket_handler, runner, connected=mode == "socket" and connected)
    return 1 if worker_exited.is_set() else 0


async def _shut_down(runtime: Runtime, scheduler, socket_handler: AsyncSocketModeHandler | None,
                     runner: web.AppRunner | None, *, connected: bool) -> None:
    scheduler.pause()  # no new job starts; one already running finishes with the requests below
    log.info("Shutting down: no new requests; finishing %d request(s) in flight", len(runtime.inflight))
    if connected:
        assert socket_handler is not None
        await socket_handler.disconnect_async()
    if runner is not None:
        for site in list(runner.sites):
            await site.stop()
    if not await runtime.inflight.wait(DRAIN_SECONDS):
        log.warning("Some requests were still running after %ss; stopping anyway", DRAIN_SECONDS)
    scheduler.shutdown(wait=False)
    runtime.scheduler_running = False
    if socket_handler is not None:
        await socket_handler.close_async()
    if runner is not None:
        await runner.cleanup()
    await runtime.close()
    log.info("QI Commons stopped")


# Every row is scoped by one workspace (handlers/tenant.py); an org-level token has none to give.
ORG_WIDE_INSTALL = ("SLACK_BOT_TOKEN belongs to an organisation-wide install (Enterprise Grid), which QI Commons "
                    "does not serve. To fix it: install the app in one workspace of the organisation (the manifest "
                    "keeps org_deploy_enabled: false) and use that workspace's bot token.")


async def _check_bot_token(runtime: Runtime) -> None:
    """auth.test before serving: a refused token stops the start; an unreachable Slack only degrades it."""
    runtime.slack_problem = None
    try:
        auth = await runtime.client.auth_test()
    except SlackApiError as exc:
        error = exc.response.data.get("error") if isinstance(exc.response.data, dict) else None
        if error in REFUSED_TOKEN:
            raise ConfigError(f"Slack refused SLACK_BOT_TOKEN ({error}). To fix it: "
                              f"{HOW_TO_FIX['SLACK_BOT_TOKEN']}, and reinstall the app if asked.") from exc
        runtime.slack_problem = f"auth.test failed ({error or exc.response.status_code})"
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        runtime.slack_problem = f"Slack unreachable at start ({type(exc).__name__})"
    if runtime.slack_problem:
        log.warning("Could not confirm the bot token with Slack: %s; serving anyway and retrying calls",
                    runtime.slack_problem)
        return
    if auth.get("is_enterprise_install"):
        raise ConfigError(ORG_WIDE_INSTALL)
    # The token works: if Slack had shut us out of this workspace, this is a reinstall.
    team_id = auth.get("team_id")
    if team_id and await mark_active(runtime, team_id=team_id):
        log.info("QI Commons is installed again in %s: resuming what was held", team_id)


async def _connect_socket(handler: AsyncSocketModeHandler, settings: Settings, stop: asyncio.Event) -> bool:
    """Open the Socket Mode connection, retrying an unreachable Slack with a capped backoff.

    True once connected, False when told to stop first. A refused app token is one clear
    ConfigError, never an endless loop of tracebacks.
    """
    assert settings.slack_app_token is not None
    probe = AsyncWebClient(base_url=settings.slack_api_url, timeout=10)
    for attempt in range(1, 10**9):
        try:
            # Ask for a connection URL ourselves first: the SDK's own loop would retry a bad token forever.
            await probe.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
            await handler.connect_async()
            log.info("QI Commons is connected to Slack (Socket Mode)")
            return True
        except SlackApiError as exc:
            error = exc.response.data.get("error") if isinstance(exc.response.data, dict) else None
            if error in REFUSED_TOKEN:
                raise ConfigError(f"Slack refused SLACK_APP_TOKEN ({error}). To fix it: "
                                  f"{HOW_TO_FIX['SLACK_APP_TOKEN']}.") from exc
            problem = error or f"HTTP {exc.response.status_code}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            problem = type(exc).__name__
        wait = RECONNECT_BACKOFF[min(attempt, len(RECONNECT_BACKOFF)) - 1]
        log.warning("Cannot reach Slack for Socket Mode (%s, attempt %d); trying again in %ds", problem, attempt, wait)
        try:
            await asyncio.wait_for(stop.wait(), wait)
            return False
        except TimeoutError:
            pass
    return False
