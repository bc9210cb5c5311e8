"""Slack calls we owe are stored first, retried until they land, and never sent twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event, select

from bot.core.outbox import LEASE
from sandbox.rates import RateLimits
from storage.models import OutboxMessage


async def _rows(env):
    async with env.runtime.db.session() as session:
        return (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()


def _post(text="Hello community"):
    return {"team_id": "T0001", "method": "chat.postMessage", "args": {"channel": "C0COMMUNITY", "text": text}}


async def test_a_rate_limited_call_waits_out_retry_after_as_a_later_attempt(env):
    env.slack.fail("chat.postMessage", status=429, retry_after=300)
    delivery = await env.runtime.outbox.send(**_post())
    # No sleep inside the call (it would outlive the lease): the row waits, and says why.
    assert (delivery.status, delivery.error) == ("pending", "ratelimited")
    [row] = await _rows(env)
    assert row.next_attempt_at - env.clock.now() == timedelta(seconds=300) and row.in_flight_since is None
    env.clock.advance(timedelta(seconds=299))
    assert await env.runtime.outbox.drain() == 0
    env.clock.advance(timedelta(seconds=1))
    assert await env.runtime.outbox.drain() == 1
    assert len(env.slack.calls_to("chat.postMessage")) == 2
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["Hello community"]


async def test_a_5xx_leaves_the_call_pending_and_the_sweep_delivers_it_once(env):
    env.slack.fail("chat.postMessage", status=503, times=1)
    delivery = await env.runtime.outbox.send(**_post())
    assert delivery.status == "pending"
    [row] = await _rows(env)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "http_503")
    assert env.slack.messages("C0COMMUNITY") == []

    assert await env.runtime.outbox.sweep() == 0  # backoff not over yet
    env.clock.advance(timedelta(seconds=5))
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


async def test_the_bot_joins_only_the_community_channel_an_admin_configured(env):
    # Installed without chat:write.public, Slack lets the bot post only where it is a member.
    env.slack.scopes = env.slack.scopes - {"chat:write.public"}
    env.slack.add_channel("C0PUBLIC", name="qi-psychiatry", bot_member=False)
    delivery = await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                             args={"channel": "C0PUBLIC", "text": "Hi"})
    assert (delivery.status, delivery.error) == ("dead", "not_in_channel")
    assert env.slack.calls_to("conversations.join") == [] and env.slack.messages("C0PUBLIC") == []

    env.slack.add_channel("C0COMMUNITY", name="qi-commons", bot_member=False)
    assert (await env.runtime.outbox.send(**_post("Joined"))).sent
    assert env.slack.calls_to("conversations.join") == [{"channel": "C0COMMUNITY"}]
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["Joined"]


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


# --- nothing doubled: an attempt without a clear answer is looked up before it is tried again ------


async def test_a_post_whose_answer_was_lost_is_found_in_the_channel_not_posted_twice(env):
    env.slack.fail("chat.postMessage", status=502, after_effect=True)  # posted, but the answer never came
    delivery = await env.runtime.outbox.send(**_post(), purpose="remember")
    assert delivery.status == "pending"
    [row] = await _rows(env)
    assert row.in_flight_since is not None  # maybe sent: it will be looked up first

    env.clock.advance(timedelta(seconds=5))
    assert await env.runtime.outbox.drain() == 1
    [message] = env.slack.messages("C0COMMUNITY")
    assert message["text"] == "Hello community"
    assert len(env.slack.calls_to("chat.postMessage")) == 1
    [lookup] = env.slack.calls_to("conversations.history")
    assert lookup["channel"] == "C0COMMUNITY" and lookup["include_all_metadata"] in (True, "true", "1")
    [row] = await _rows(env)
    assert (row.status, row.result["ts"], row.copies) == ("sent", message["ts"], [message["ts"]])


async def test_a_post_that_never_arrived_is_posted_after_the_lookup(env):
    env.slack.fail("chat.postMessage", status=504)  # timed out at a proxy before Slack posted anything
    await env.runtime.outbox.send(**_post())
    env.clock.advance(timedelta(seconds=5))
    assert await env.runtime.outbox.drain() == 1
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["Hello community"]
    assert len(env.slack.calls_to("conversations.history")) == 1


async def test_a_row_left_in_flight_by_a_killed_process_is_looked_up_after_its_lease(env):
    outbox = env.runtime.outbox
    async with env.runtime.db.session() as session, session.begin():
        row = await outbox.enqueue(session, **_post("Posted just before the crash"))
        # The dead process took the row, as attempt() does, and posted it ...
        row.leased_until, row.in_flight_since = env.clock.now() + LEASE, env.clock.now()
    env.slack.fail("chat.postMessage", status=500, after_effect=True)
    await outbox._api_call("chat.postMessage", {**_post("Posted just before the crash")["args"],
                                               "metadata": {"event_type": "qi_commons_outbox",
                                                            "event_payload": {"outbox_id": row.id}}})
    # ... and died before recording it. Its lease holds the row for now, then lapses.
    assert await outbox.drain() == 0
    env.clock.advance(LEASE + timedelta(seconds=1))
    assert await outbox.drain() == 1
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["Posted just before the crash"]
    [stored] = await _rows(env)
    assert stored.status == "sent" and stored.result["found"] is True


async def test_a_row_leased_where_it_was_stored_goes_out_on_that_lease_without_a_transaction_of_its_own(env):
    outbox = env.runtime.outbox
    async with env.runtime.db.session() as session, session.begin():
        row = await outbox.enqueue(session, **_post("Leased with the share that stored it"))
        taken = await outbox.take(session, row)
    transactions = []

    def begun(connection):
        transactions.append(connection)

    event.listen(env.runtime.db.engine.sync_engine, "begin", begun)
    try:
        delivery = await outbox.deliver(taken)
    finally:
        event.remove(env.runtime.db.engine.sync_engine, "begin", begun)
    assert delivery.sent and [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["Leased with the share that stored it"]
    assert len(transactions) == 1  # marking it sent; nothing read back before the call


async def test_a_lease_taken_at_the_store_but_used_too_late_is_left_to_the_drain_which_looks_first(env):
    outbox = env.runtime.outbox
    async with env.runtime.db.session() as session, session.begin():
        row = await outbox.enqueue(session, **_post("Stored, then the machine fell far behind"))
        taken = await outbox.take(session, row)
    env.clock.advance(LEASE - timedelta(seconds=5))  # too little of the lease left for a call's timeout
    delivery = await outbox.deliver(taken)
    assert delivery.status == "pending" and env.slack.calls_to("chat.postMessage") == []
    assert await outbox.drain() == 0  # still leased: nobody else may take it yet
    env.clock.advance(timedelta(seconds=6))
    assert await outbox.drain() == 1
    assert [c.method for c in env.slack.calls] == ["conversations.history", "chat.postMessage"]
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["Stored, then the machine fell far behind"]


async def test_a_dm_by_user_id_is_looked_up_in_the_dm_channel(env):
    env.slack.fail("chat.postMessage", status=500, after_effect=True)
    await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                  args={"channel": "U0MEMBER2", "text": "Your mentor replied"})
    env.clock.advance(timedelta(seconds=5))
    assert await env.runtime.outbox.drain() == 1
    dm = env.slack.dm_channel("U0MEMBER2")
    assert [m["text"] for m in env.slack.messages(dm)] == ["Your mentor replied"]


async def test_every_post_carries_its_outbox_id_in_metadata(env):
    delivery = await env.runtime.outbox.send(**_post())
    [call] = env.slack.calls_to("chat.postMessage")
    assert call["metadata"] == {"event_type": "qi_commons_outbox", "event_payload": {"outbox_id": delivery.outbox_id}}


# --- fast recovery: after an outage the queue drains at once, oldest first ------------------------


async def test_after_an_outage_the_first_success_makes_every_waiting_post_due_and_order_is_kept(env):
    env.slack.fail("chat.postMessage", status=503, times=None)
    for n in range(1, 6):
        await env.runtime.outbox.send(**_post(f"share {n}"))
        env.clock.advance(timedelta(seconds=7))
        await env.runtime.outbox.drain()
    assert env.slack.messages("C0COMMUNITY") == []
    # The later shares waited behind the first instead of trying (and landing) out of order.
    assert {call["text"] for call in env.slack.calls_to("chat.postMessage")} == {"share 1"}
    env.slack.clear_failures()
    env.clock.advance(timedelta(seconds=30))  # the longest backoff: Slack is back within it
    await env.runtime.outbox.drain()
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == [f"share {n}" for n in range(1, 6)]
    assert all(row.status == "sent" for row in await _rows(env))


async def test_a_success_elsewhere_ends_the_backoff_of_posts_waiting_on_an_outage(env):
    env.slack.fail("chat.postMessage", status=503, times=3)
    await env.runtime.outbox.send(**_post("queued in the outage"))
    for _ in range(2):
        [row] = await _rows(env)
        env.clock.set(row.next_attempt_at)
        await env.runtime.outbox.drain()
    [row] = await _rows(env)
    assert row.next_attempt_at - env.clock.now() == timedelta(seconds=20)
    # Slack is back and answers a DM: the channel post need not sit out its 20 s.
    assert (await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                          args={"channel": "U0MEMBER2", "text": "hi"})).sent
    assert await env.runtime.outbox.drain() == 1
    assert [m["text"] for m in env.slack.messages("C0COMMUNITY")] == ["queued in the outage"]


async def test_backoff_is_capped_at_thirty_seconds(env):
    env.slack.fail("chat.postMessage", status=503, times=None)
    await env.runtime.outbox.send(**_post())
    waits = []
    for _ in range(8):
        [row] = await _rows(env)
        waits.append(row.next_attempt_at - env.clock.now())
        env.clock.set(row.next_attempt_at)
        await env.runtime.outbox.drain()
    assert max(waits) == timedelta(seconds=30) and waits == sorted(waits)


async def _queue_dms(env, people):
    """One DM a person, queued in one transaction as a weekly job queues its posts."""
    for person in people:
        env.slack.add_user(person, name=person.lower())
    async with env.runtime.db.session() as session, session.begin():
        for person in people:
            await env.runtime.outbox.enqueue(session, team_id="T0001", method="chat.postMessage",
                                             args={"channel": person, "text": "This week's QI prompt is up"})


def _dms_received(env, people):
    return [len(env.slack.messages(env.slack.dm_channel(person))) for person in people]


async def test_one_drain_sends_a_whole_fan_out_not_one_batch(env):
    people = [f"U0FAN{n:03d}" for n in range(7)]
    await _queue_dms(env, people)
    # Rounds of three, one after another, until nothing is due (a fan-out is not three per drain tick).
    assert await env.runtime.outbox.drain(limit=3) == 7
    assert _dms_received(env, people) == [1] * 7


async def test_a_drain_that_meets_slacks_rate_limit_waits_it_out_instead_of_hammering(env):
    env.slack.rate_limits = RateLimits(post_per_minute=300)  # a burst of 10, then 5 a second
    people = [f"U0FAN{n:03d}" for n in range(14)]
    await _queue_dms(env, people)

    sent = await env.runtime.outbox.drain()

    refused = [c for c in env.slack.calls if c.method == "chat.postMessage" and c.status == 429]
    assert len(refused) == 1  # the rest of the round waited out Retry-After rather than being refused too
    # Everyone but the refused one, who waits for their own Retry-After on the bot's clock.
    assert sent == 13 and sorted(_dms_received(env, people)) == [0] + [1] * 13
    env.clock.advance(timedelta(seconds=1))
    assert await env.runtime.outbox.drain() == 1
    assert _dms_received(env, people) == [1] * 14
