"""Nothing acts on a request Slack did not sign: every malformed header is a plain 401, sent nowhere."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.runners import verification
from bot.runners.app import build_app, build_runtime
from bot.runners.server import build_web_app
from sandbox import SlackStandIn, signature
from tests.conftest import ADMIN_ID, SIGNING_SECRET

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _bodies(response_url: str) -> dict[str, tuple[str, str]]:
    """A command, a click, a modal submission and an event, each naming the admin and a response_url."""
    command = urlencode({"team_id": "T0001", "user_id": ADMIN_ID, "channel_id": "C0COMMUNITY",
                         "command": "/qi-share", "text": "Tried huddles", "response_url": response_url,
                         "trigger_id": "t1"})
    click = urlencode({"payload": json.dumps({
        "type": "block_actions", "team": {"id": "T0001"}, "user": {"id": ADMIN_ID}, "api_app_id": "A0",
        "channel": {"id": "C0COMMUNITY"}, "response_url": response_url, "trigger_id": "t2",
        "actions": [{"action_id": "sharing_kudos", "block_id": "b", "type": "button", "value": "1"}]})})
    submission = urlencode({"payload": json.dumps({
        "type": "view_submission", "team": {"id": "T0001"}, "user": {"id": ADMIN_ID}, "api_app_id": "A0",
        "view": {"id": "V1", "type": "modal", "callback_id": "sharing_share", "state": {"values": {}}, "private_metadata": ""},
        "response_urls": [{"response_url": response_url, "channel_id": "C0COMMUNITY"}]})})
    event = json.dumps({"type": "event_callback", "team_id": "T0001", "event_id": "Ev0ATTACK",
                        "event": {"type": "app_home_opened", "user": ADMIN_ID, "tab": "home"}})
    return {"command": (command, FORM), "click": (click, FORM), "submission": (submission, FORM),
            "event": (event, JSON)}


def _malformed_headers(body: str, now: int) -> dict[str, dict[str, str]]:
    good = signature(SIGNING_SECRET, str(now), body)
    return {
        "no headers": {},
        "no timestamp": {"X-Slack-Signature": good},
        "empty timestamp": {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": good},
        "non-numeric timestamp": {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": good},
        "float timestamp": {"X-Slack-Request-Timestamp": f"{now}.5", "X-Slack-Signature": good},
        "negative timestamp": {"X-Slack-Request-Timestamp": f"-{now}", "X-Slack-Signature": good},
        "huge timestamp": {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": good},
        "timestamp with a sign": {"X-Slack-Request-Timestamp": f"+{now}", "X-Slack-Signature": good},
        "arabic-indic digits": {"X-Slack-Request-Timestamp": str(now).translate(str.maketrans("0123456789",
                                                                                               "٠١٢٣٤٥٦٧٨٩")),
                                "X-Slack-Signature": good},
        "stale timestamp": {"X-Slack-Request-Timestamp": str(now - 301),
                            "X-Slack-Signature": signature(SIGNING_SECRET, str(now - 301), body)},
        "future timestamp": {"X-Slack-Request-Timestamp": str(now + 301),
                             "X-Slack-Signature": signature(SIGNING_SECRET, str(now + 301), body)},
        "no signature": {"X-Slack-Request-Timestamp": str(now)},
        "empty signature": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": ""},
        "garbled signature": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=not-hex!"},
        "short signature": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good[:-2]},
        "wrong version": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v1=" + good[3:]},
        "upper-case hex": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good.upper()},
        "another secret": {"X-Slack-Request-Timestamp": str(now),
                           "X-Slack-Signature": signature("not-the-secret", str(now), body)},
        "another body": {"X-Slack-Request-Timestamp": str(now),
                         "X-Slack-Signature": signature(SIGNING_SECRET, str(now), body + "&x=1")},
    }


def _assert_nothing_happened(env, internal_service) -> None:
    assert env.slack.calls == []  # no DM, no ephemeral, not even auth.test
    assert env.slack.responses() == []
    assert internal_service.hits == []


async def test_in_process_every_malformed_header_is_401_and_nothing_is_sent(env, internal_service, caplog):
    now = int(env.clock.timestamp())
    for kind, (body, content_type) in _bodies(internal_service.url()).items():
        for case, headers in _malformed_headers(body, now).items():
            caplog.clear()
            with caplog.at_level(logging.INFO):
                response = await env.driver.raw(body, {"Content-Type": content_type, **headers})
            assert response.status == 401, (kind, case)
            refusals = [r for r in caplog.records if r.name == "bot.runners.verification"]
            assert len(refusals) == 1 and refusals[0].exc_info is None, (kind, case)
    await env.settle()
    _assert_nothing_happened(env, internal_service)


async def test_over_http_in_either_content_type_and_unreadable_bodies_are_401(env, internal_service):
    now = int(env.clock.timestamp())
    async with TestClient(TestServer(build_web_app(env.app, env.runtime))) as client:
        for kind, (body, _) in _bodies(internal_service.url()).items():
            for content_type in (FORM, JSON):
                for case, headers in _malformed_headers(body, now).items():
                    response = await client.post("/slack/events", data=body.encode(),
                                                 headers={"Content-Type": content_type, **headers})
                    assert response.status == 401, (kind, content_type, case)
        stamp = str(now)
        for content_type in (FORM, JSON):  # not UTF-8, with a signature made as if it were
            response = await client.post("/slack/events", data=b"payload=\xff\xfe{",
                                         headers={"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                                                  "X-Slack-Signature": "v0=" + "a" * 64})
            assert response.status == 401
    await env.settle()
    _assert_nothing_happened(env, internal_service)


async def test_the_error_handler_does_nothing_for_a_request_that_was_not_verified(env, internal_service,
                                                                                    monkeypatch):
    # If verification itself ever failed with an exception, Bolt would hand the body to the error
    # handler: what the body names must still not be messaged or called.
    def broken(*_args, **_kwargs):
        raise ValueError("invalid literal for int()")

    monkeypatch.setattr(verification, "signature_problem", broken)
    for kind, (body, content_type) in _bodies(internal_service.url()).items():
        response = await env.driver.raw(body, {"Content-Type": content_type, "X-Slack-Request-Timestamp": "x",
                                               "X-Slack-Signature": "v0=00"})
        assert response.status != 200, kind
    await env.settle()
    _assert_nothing_happened(env, internal_service)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_without_a_signing_secret_every_http_request_is_refused(make_settings, db, clock):
    async with SlackStandIn() as slack:
        runtime = build_runtime(make_settings(slack_api_url=slack.api_url, slack_signing_secret=None), clock=clock,
                                db=db)
        app = build_app(runtime)
        body, _ = _bodies(slack.response_url())["command"]
        stamp = str(int(clock.timestamp()))
        async with TestClient(TestServer(build_web_app(app, runtime))) as client:
            response = await client.post("/slack/events", data=body, headers={
                "Content-Type": FORM, "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature(SIGNING_SECRET, stamp, body)})
        assert response.status == 401
        assert slack.calls == [] and slack.responses() == []
