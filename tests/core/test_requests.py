"""Requests are verified as Slack signs them, events are taken once, and errors are never silent."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import Clock as SignatureClock
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from bot.core.clock import FrozenClock
from bot.runners.app import build_app, build_runtime
from sandbox import SlackStandIn, signature
from storage.models import ProcessedEvent

# Slack's published example (DESIGN.md §4).
EXAMPLE_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
EXAMPLE_TIMESTAMP = 1531420618
EXAMPLE_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class _At(SignatureClock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_published_example_signature():
    assert signature(EXAMPLE_SECRET, str(EXAMPLE_TIMESTAMP), EXAMPLE_BODY) == EXAMPLE_SIGNATURE
    verifier = SignatureVerifier(EXAMPLE_SECRET, clock=_At(EXAMPLE_TIMESTAMP + 10))
    assert verifier.is_valid(EXAMPLE_BODY, str(EXAMPLE_TIMESTAMP), EXAMPLE_SIGNATURE)
    assert not SignatureVerifier(EXAMPLE_SECRET, clock=_At(EXAMPLE_TIMESTAMP + 301)).is_valid(
        EXAMPLE_BODY, str(EXAMPLE_TIMESTAMP), EXAMPLE_SIGNATURE)


async def test_app_accepts_the_published_example_with_its_clock(make_settings):
    clock = FrozenClock(datetime.fromtimestamp(EXAMPLE_TIMESTAMP + 5, UTC))
    async with SlackStandIn(team_id="T1DC2JH3J") as slack:
        runtime = build_runtime(make_settings(slack_signing_secret=EXAMPLE_SECRET, slack_api_url=slack.api_url),
                                clock=clock)
        app = build_app(runtime)
        await _dispatch_example(app)
        await runtime.db.dispose()


async def _dispatch_example(app):
    headers = {"content-type": "application/x-www-form-urlencoded",
               "x-slack-request-timestamp": str(EXAMPLE_TIMESTAMP), "x-slack-signature": EXAMPLE_SIGNATURE}
    accepted = await app.async_dispatch(AsyncBoltRequest(body=EXAMPLE_BODY, headers=headers))
    tampered = await app.async_dispatch(AsyncBoltRequest(body=EXAMPLE_BODY.replace("roadrunner", "coyote"),
                                                         headers=headers))
    # Verified, then unhandled (no /webhook-collect listener): 404, not 401.
    assert accepted.status == 404
    assert tampered.status == 401


def _help_body(response_url: str) -> str:
    return urlencode({"team_id": "T0001", "user_id": "U0MEMBER1", "channel_id": "C0COMMUNITY",
                      "command": "/qi-commons", "text": "help", "response_url": response_url,
                      "trigger_id": "t1"})


async def test_bad_signatures_get_401_and_do_nothing(env):
    url = env.slack.response_url()
    body = _help_body(url)
    now = int(env.clock.timestamp())
    cases = {
        "stale": env.driver.sign(body, timestamp=now - 301),
        "tampered": env.driver.sign(body.replace("help", "learn")),
        "missing": {"Content-Type": "application/x-www-form-urlencoded"},
        "wrong": {**env.driver.sign(body), "X-Slack-Signature": "v0=" + "0" * 64},
        "other secret": {**env.driver.sign(body), "X-Slack-Signature": signature("nope", str(now), body)},
    }
    for name, headers in cases.items():
        response = await env.driver.raw(body, headers)
        assert response.status == 401, name
    await env.settle()
    assert env.slack.calls == []
    assert env.slack.responses() == []


async def test_fresh_signed_request_is_answered(env):
    response = await env.driver.command("/qi-commons", "help")
    assert response.status == 200
    await env.settle()
    [reply] = env.slack.responses()
    assert reply["response_type"] == "ephemeral"
    text = json.dumps(reply["blocks"])
    for command in ("/qi-share", "/find-mentor", "/cpd-log", "/qi-commons learn"):
        assert command in text


def _mention_event():
    return {"type": "app_mention", "user": "U0MEMBER1", "text": "<@UBOTQI> hi", "channel": "C0COMMUNITY",
            "ts": "1700000000.000001"}


async def test_duplicate_event_delivery_is_processed_once(env):
    @env.app.event("app_mention")
    async def echo(event, client):
        await client.chat_postMessage(channel=event["channel"], text="seen")

    first = await env.driver.event(_mention_event(), event_id="Ev0DUP")
    retry = await env.driver.event(_mention_event(), event_id="Ev0DUP", retry_num=1)
    await env.settle()
    assert (first.status, retry.status) == (200, 200)
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["seen"]
    async with env.runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


async def test_a_failed_event_is_processed_on_slacks_retry(env):
    attempts = []

    @env.app.event("app_mention")
    async def flaky(event, client):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database hiccup")
        await client.chat_postMessage(channel=event["channel"], text="seen")

    await env.driver.event(_mention_event(), event_id="Ev0FLAKY")
    await env.settle()
    await env.driver.event(_mention_event(), event_id="Ev0FLAKY", retry_num=1)
    await env.settle()
    assert len(attempts) == 2
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["seen"]


async def test_unhandled_errors_get_an_ephemeral_apology(env):
    @env.app.command("/boom")
    async def boom(ack):
        await ack()
        await asyncio.sleep(0.05)  # the work after an ack, e.g. a database call
        raise RuntimeError("bug")

    response = await env.driver.command("/boom")
    await env.settle()
    assert response.status == 200
    [reply] = env.slack.responses()
    assert reply["response_type"] == "ephemeral"
    assert "something went wrong" in reply["text"]


async def test_unknown_subcommand_points_to_help(env):
    await env.driver.command("/qi-commons", "frobnicate <!channel>")
    await env.settle()
    [reply] = env.slack.responses()
    assert "I don't know `frobnicate`" in reply["text"] and "/qi-commons help" in reply["text"]
    assert "<!channel>" not in json.dumps(reply)  # the rest of what was typed is never echoed as a ping


async def test_admins_see_the_admin_commands_in_help(env):
    # Both listeners run at once, so each gets its own response_url rather than relying on order.
    admin_url, member_url = env.slack.response_url(), env.slack.response_url()
    await env.driver.command("/qi-commons", "", user_id="U0ADMIN", response_url=admin_url)
    await env.driver.command("/qi-commons", "help", user_id="U0MEMBER1", response_url=member_url)
    await env.settle()
    [admin], [member] = env.slack.responses(admin_url), env.slack.responses(member_url)
    assert "/qi-commons admin" in json.dumps(admin["blocks"])
    assert "/qi-commons admin" not in json.dumps(member["blocks"])


async def test_an_unknown_action_or_callback_id_is_a_plain_404_with_one_log_line(env, caplog):
    caplog.set_level(logging.WARNING)
    response = await env.driver.action("no_such_action_from_an_old_message", value="1")
    assert response.status == 404
    submitted = await env.driver.submit_view("no_such_view", {})
    assert submitted.status == 404
    lines = [r for r in caplog.records if "No listener for" in r.getMessage()]
    assert [r.getMessage() for r in lines] == ["No listener for block_actions no_such_action_from_an_old_message; "
                                               "answered 404", "No listener for view_submission no_such_view; "
                                               "answered 404"]
    assert all(r.exc_info is None for r in caplog.records)
    assert env.slack.calls == [] or all(c.method == "auth.test" for c in env.slack.calls)
