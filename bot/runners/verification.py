"""Slack's signature, checked before anything reads a request: a refusal is a plain 401.

Written out rather than left to slack_sdk's verifier, which runs `int(timestamp)` on whatever the
header holds: a non-numeric timestamp raised, and Bolt then handed the unverified body to the error
handler. Here every malformed header is just a reason to refuse, and the body is checked as bytes,
so one that is not UTF-8 is refused too instead of failing to decode.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.core.clock import Clock
from handlers.middleware import mark_verified

log = logging.getLogger(__name__)

WINDOW_SECONDS = 300  # Slack: reject timestamps more than five minutes off
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds; also keeps int() away from huge inputs
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def signature_problem(signing_secret: str | None, now: float, body: bytes, timestamp: str | None,
                      signature: str | None) -> str | None:
    """Why this is not a request Slack signed just now, or None when it is."""
    if not signing_secret:
        return "no signing secret is configured"
    if not timestamp:
        return "no timestamp"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "malformed timestamp"
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        return "stale timestamp"
    if not signature:
        return "no signature"
    if not _SIGNATURE.fullmatch(signature):
        return "malformed signature"
    expected = "v0=" + hmac.new(signing_secret.encode(), b"v0:" + timestamp.encode() + b":" + body,
                                hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, signature) else "wrong signature"


def refusal(problem: str) -> BoltResponse:
    log.warning("Refused an unverified request (%s)", problem)
    return BoltResponse(status=401, body={"error": "invalid request"})


class SignatureCheck(AsyncMiddleware):
    """Bolt's first middleware: only a verified request goes on, marked as such for the error handler.

    The HTTP server has already checked before parsing; this covers every other way into
    `async_dispatch` (the in-process driver). Socket Mode requests come down the WebSocket the app
    itself opened with its app-level token, so they carry no signature and need none.
    """

    def __init__(self, signing_secret: str | None, clock: Clock) -> None:
        self._secret = signing_secret
        self._clock = clock

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        if req.mode != "socket_mode":
            problem = signature_problem(self._secret, self._clock.timestamp(), req.raw_body.encode(),
                                        _first(req.headers.get("x-slack-request-timestamp")),
                                        _first(req.headers.get("x-slack-signature")))
            if problem:
                return refusal(problem)
        mark_verified(req.context)
        return await next()


def _first(values: object) -> str | None:
    return values[0] if isinstance(values, list | tuple) and values else None
