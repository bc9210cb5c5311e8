"""Slack calls we owe are stored first, retried until they land, and never sent twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from storage.models import OutboxMessage


async def _rows(env):
    async with env.runtime.db.session() as session:
        return (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()


def _post(text="Hello community"):
    return {"team_id": "T0001", "method": "chat.postMessage", "args": {"channel": "C0COMMUNITY", "text": text}}


async def test_a_rate_limited_call_is_retried_after_retry_after(env, retry_waits):
    env.slack.fail("chat.postMessage", status=429, retry_after=3)
    delivery = await env.runtime.outbox.send(**_post())
    assert delivery.sent
    attempts = env.slack.calls_to("chat.postMessage")
    assert len(attempts) == 2
    [waited] = retry_waits
    assert 3 <= waited < 4  # the client waited as Retry-After: 3 asked before trying again
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["Hello community"]
    [row] = await _rows(env)
    assert row.status == "sent"


async def test_a_5xx_leaves_the_call_pending_and_the_sweep_delivers_it_once(env):
    env.slack.fail("chat.postMessage", status=503, times=1)
    delivery = await env.runtime.outbox.send(**_post())
    assert delivery.status == "pending"
    [row] = await _rows(env)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "http_503")
    assert env.slack.messages("C0COMMUNITY") == []

    assert await env.runtime.outbox.sweep() == 0  # backoff not over yet
    env.clock.advance(timedelta(seconds=31))
    sent = await asyncio.gather(env.runtime.outbox.sweep(), env.runtime.outbox.sweep())
    assert sum(sent) == 1  # two sweepers at once (two replicas): one post
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["Hello community"]
    [row] = await _rows(env)
    assert row.status == "sent" and row.result["ts"]


async def test_backoff_grows_with_each_failure(env):
    env.slack.fail("chat.postMessage", status=500, times=3)
    await env.runtime.outbox.send(**_post())
    gaps = []
    for _ in range(2):
        [row] = await _rows(env)
        gaps.append(row.next_attempt_at - env.clock.now())
        env.clock.set(row.next_attempt_at)
        await env.runtime.outbox.sweep()
    assert gaps[0] < gaps[1]


async def test_a_permanent_error_is_dead_and_reported_once(env):
    reported = []

    async def tell_admins(session, row):
        reported.append((row.purpose, row.subject_id, row.last_error))

    env.runtime.outbox.on_dead("test_post", tell_admins)
    env.slack.fail("chat.postMessage", error="is_archived", times=None)
    delivery = await env.runtime.outbox.send(**_post(), purpose="test_post", subject_id=7)
    assert delivery.status == "dead"
    env.clock.advance(timedelta(hours=1))
    assert await env.runtime.outbox.sweep() == 0
    assert reported == [("test_post", 7, "is_archived")]
    assert len(env.slack.calls_to("chat.postMessage")) == 1


async def test_the_bot_joins_a_public_channel_it_is_not_in(env):
    env.slack.add_channel("C0PUBLIC", name="qi-psychiatry", bot_member=False)
    delivery = await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                             args={"channel": "C0PUBLIC", "text": "Hi"})
    assert delivery.sent
    assert env.slack.calls_to("conversations.join") == [{"channel": "C0PUBLIC"}]
    assert [m["text"] for m in env.slack.messages("C0PUBLIC")] == ["Hi"]


async def test_sent_hook_runs_in_the_same_transaction(env):
    seen = []

    async def remember(session, row, data):
        seen.append(data["ts"])

    env.runtime.outbox.on_sent("remember", remember)
    delivery = await env.runtime.outbox.send(**_post(), purpose="remember")
    assert seen == [delivery.data["ts"]]


async def test_finished_rows_are_forgotten_after_the_retention_period(env):
    await env.runtime.outbox.send(**_post("delivered"))
    env.slack.fail("chat.postMessage", status=500, times=None)
    await env.runtime.outbox.send(**_post("still owed"))
    env.clock.advance(timedelta(days=31))
    await env.runtime.outbox.sweep()
    rows = await _rows(env)
    assert [(row.args["text"], row.status) for row in rows] == [("still owed", "pending")]


async def test_one_row_whose_hook_fails_does_not_hold_up_the_rest_of_the_sweep(env):
    async def broken(session, row, data):
        raise RuntimeError("hook bug")

    env.runtime.outbox.on_sent("broken", broken)
    async with env.runtime.db.session() as session, session.begin():
        for text, purpose in (("first", "broken"), ("second", None)):
            row = await env.runtime.outbox.enqueue(session, **_post(text), purpose=purpose)
            row.next_attempt_at = env.clock.now()

    assert await env.runtime.outbox.sweep() == 1
    assert [row.status for row in await _rows(env)] == ["pending", "sent"]  # the failed one is retried later
