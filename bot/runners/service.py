"""Running the bot: migrate, start the scheduler in the loop, serve, and shut down cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.core.config import RunMode, Settings
from bot.runners.app import build_app, build_runtime
from bot.runners.scheduler import build_scheduler, catch_up
from bot.runners.server import build_web_app
from storage.migrate import upgrade

log = logging.getLogger(__name__)

DRAIN_SECONDS = 25  # under the usual 30 s a process manager waits after SIGTERM


async def run_bot(settings: Settings, mode: RunMode) -> None:
    await asyncio.to_thread(upgrade, settings.database_url)
    runtime = build_runtime(settings)
    app = build_app(runtime)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    scheduler = build_scheduler(runtime)
    scheduler.start()  # AsyncIOScheduler binds to the loop that is running now
    runtime.scheduler_running = True
    runtime.inflight.spawn(catch_up(runtime))  # posts a weekly run missed while down, once

    runner: web.AppRunner | None = None
    socket_handler: AsyncSocketModeHandler | None = None
    if mode == "http":
        runner = web.AppRunner(build_web_app(app, runtime), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        log.info("QI Commons is listening on http://%s:%s/slack/events (HTTP mode)", settings.host, settings.port)
    else:
        assert settings.slack_app_token is not None
        socket_handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
        await socket_handler.connect_async()
        log.info("QI Commons is connected to Slack (Socket Mode)")

    await stop.wait()
    log.info("Shutting down: no new requests; finishing %d request(s) in flight", len(runtime.inflight))
    if socket_handler is not None:
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
    await runtime.db.dispose()
    log.info("QI Commons stopped")
