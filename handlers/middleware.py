"""Request middleware that every listener relies on."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.core.events import first_delivery
from bot.core.replays import first_sight, forget_old_signatures
from bot.core.runtime import Runtime
from handlers.response_url import CheckedRespond

log = logging.getLogger(__name__)

_VERIFIED = "qi_signature_verified"


def mark_verified(context: MutableMapping[str, Any]) -> None:
    """Set by signature verification (bot/runners/verification.py) on a request that passed it."""
    context[_VERIFIED] = True


def is_verified(context: MutableMapping[str, Any]) -> bool:
    return context.get(_VERIFIED) is True


def register(app: AsyncApp, runtime: Runtime) -> None:
    runtime.each_sweep("forget-old-signatures", forget_old_signatures)

    @app.middleware
    async def refuse_replays(body: dict, req: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]
                             ) -> BoltResponse:
        """A signed request sent again byte for byte is answered 200 and does nothing.

        Events are left to `deduplicate_events` below: it knows an event by its id, which is what lets
        Slack's retry of a failed event through.
        """
        signature = req.headers.get("x-slack-signature", [""])[0]
        if req.mode == "socket_mode" or _event_id(body) or await first_sight(runtime, signature):
            return await next()
        log.warning("Ignored a replayed request (%s)", body.get("type") or body.get("command") or "unknown")
        return BoltResponse(status=200, body="")

    @app.middleware
    async def answer_only_slack(req: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Every listener's `respond` posts only to Slack's own response_url hosts (handlers/response_url.py)."""
        req.context["respond"] = CheckedRespond(runtime.client, req.context.response_url)
        return await next()

    @app.middleware
    async def deduplicate_events(body: dict, req: AsyncBoltRequest, resp: BoltResponse,
                                 next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Take each Slack event once (bot/core/events.py): a redelivery is acknowledged and dropped."""
        event_id = _event_id(body)
        if event_id and not await first_delivery(runtime, event_id=event_id, team_id=body.get("team_id", ""),
                                                 event_type=body.get("event", {}).get("type", "")):
            log.info("Skipping duplicate delivery of event %s (retry %s)", event_id,
                     req.headers.get("x-slack-retry-num", ["?"])[0])
            return BoltResponse(status=200, body="")
        return await next()


def _event_id(body: dict) -> str | None:
    return body.get("event_id") if body.get("type") == "event_callback" else None
