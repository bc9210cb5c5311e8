"""The composition root: settings in, a wired `AsyncApp` out."""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)

import handlers
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.runtime import InFlight, Runtime
from bot.core.slack.payloads import GatedWebClient
from bot.runners.ack_runner import PromptAckRunner
from bot.runners.metrics import Metrics
from bot.runners.verification import SignatureCheck
from storage.db import Database

log = logging.getLogger(__name__)


def build_client(settings: Settings) -> GatedWebClient:
    # AsyncWebClient retries no 429 by default; these honour Retry-After and reconnect after resets.
    return GatedWebClient(
        token=settings.bot_token or None,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2),
                        AsyncConnectionErrorRetryHandler(max_retry_count=2)],
    )


class _TrackInFlight(AsyncListenerStartHandler):
    """Runs inside the task Bolt starts for each listener, so that task can be awaited later."""

    def __init__(self, inflight: InFlight) -> None:
        self.inflight = inflight

    async def handle(self, request, response) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.inflight.track(task)


def build_runtime(settings: Settings, *, clock: Clock | None = None, db: Database | None = None) -> Runtime:
    return Runtime(settings=settings, db=db or Database(settings.database_url), client=build_client(settings),
                   clock=clock or Clock())


def build_app(runtime: Runtime, metrics: Metrics | None = None) -> AsyncApp:
    settings = runtime.settings
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    app = AsyncApp(
        client=runtime.client,  # carries the bot token
        signing_secret=signing_secret,
        # Our own verification runs instead, as the very first step (before_authorize), before even
        # auth.test; without a signing secret it refuses every HTTP request.
        request_verification_enabled=False,
        before_authorize=SignatureCheck(signing_secret, runtime.clock),
        # An unknown action or callback id reaches our error handler (one log line, 404) instead of
        # Bolt's multi-line listener suggestion.
        raise_error_for_unhandled_request=True,
    )
    # Bolt has no public hook for either: our runner waits for each ack without polling
    # (bot/runners/ack_runner.py), and its start handler is the one place that runs inside each listener's task.
    app._async_listener_runner = PromptAckRunner.replacing(app._async_listener_runner)
    app._async_listener_runner.listener_start_handler = _TrackInFlight(runtime.inflight)
    app.middleware((metrics or Metrics()).middleware)  # first, so it times everything up to the ack
    handlers.register(app, runtime)
    return app
