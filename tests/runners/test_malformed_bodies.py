"""A signed body that is not one of Slack's gets a 400 and one log line, never a traceback; a huge one 413."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient, TestServer

from bot.runners.server import MAX_BODY_BYTES, build_web_app
from tests.conftest import SIGNING_SECRET

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DEEP = "[" * 100_000 + "]" * 100_000

MALFORMED: dict[str, tuple[bytes, str]] = {
    "payload that is not JSON": (b"payload=%7Bnot+json", FORM),
    "payload that is a JSON list": (urlencode({"payload": "[1, 2]"}).encode(), FORM),
    "a JSON list": (b'[{"type": "event_callback"}]', JSON),
    "a JSON string": (b'"event_callback"', JSON),
    "not UTF-8": (b"command=%2Fqi-share&text=\xff\xfe", FORM),
    "JSON nested 100,000 deep": (DEEP.encode(), JSON),
    "a payload nested 100,000 deep": (urlencode({"payload": DEEP}).encode(), FORM),
    "a form labelled JSON": (b"command=%2Fqi-share&text=hello&user_id=U0MEMBER1", JSON),
}


def _signed(body: bytes, now: int, content_type: str) -> dict[str, str]:
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{now}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": f"v0={mac}"}


async def test_each_malformed_signed_body_is_400_with_one_log_line(env, caplog):
    now = int(env.clock.timestamp())
    async with TestClient(TestServer(build_web_app(env.app, env.runtime))) as client:
        for case, (body, content_type) in MALFORMED.items():
            caplog.clear()
            with caplog.at_level(logging.DEBUG):
                response = await client.post("/slack/events", data=body, headers=_signed(body, now, content_type))
            assert response.status == 400, case
            assert await response.json() == {"error": "malformed request"}, case
            ours = [r for r in caplog.records if r.name.startswith(("bot.", "handlers.", "aiohttp.server"))]
            assert [r.getMessage() for r in ours] == [ours[0].getMessage()], case
            assert "malformed" in ours[0].getMessage() and ours[0].levelno == logging.WARNING, case
            assert all(r.exc_info is None for r in caplog.records), case
    await env.settle()
    assert env.slack.calls == []


async def test_a_body_over_the_limit_is_still_413(env):
    body = urlencode({"command": "/qi-share", "text": "x" * MAX_BODY_BYTES}).encode()
    async with TestClient(TestServer(build_web_app(env.app, env.runtime))) as client:
        response = await client.post("/slack/events", data=body,
                                     headers=_signed(body, int(env.clock.timestamp()), FORM))
    assert response.status == 413
    assert env.slack.calls == []


async def test_a_well_formed_signed_request_still_goes_through(env):
    url = env.slack.response_url()
    body = urlencode({"team_id": env.driver.team_id, "user_id": "U0MEMBER1", "channel_id": "C0COMMUNITY",
                      "command": "/qi-commons", "text": "help", "response_url": url, "trigger_id": "t1"}).encode()
    async with TestClient(TestServer(build_web_app(env.app, env.runtime))) as client:
        response = await client.post("/slack/events", data=body,
                                     headers=_signed(body, int(env.clock.timestamp()), FORM))
        reply = await response.json()
    await env.settle()
    assert response.status == 200
    assert "/qi-share" in json.dumps(reply["blocks"])  # help is answered in the ack
