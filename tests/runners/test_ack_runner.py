"""Each request waits for its listener's ack on an event (bot/runners/ack_runner.py), not by Bolt's 10 ms
polling, which under a burst of stores-before-ack was a fifth of the bot's CPU; Bolt's answers are kept."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest
from slack_bolt.listener import asyncio_runner

from tests.conftest import MEMBER_ID
from tests.sharing_helpers import posts, updates


@pytest.fixture
def bolt_polls(monkeypatch) -> list[float]:
    """Every asyncio.sleep Bolt's listener runner makes (its wait-for-ack loop)."""
    calls: list[float] = []
    sleep = asyncio.sleep

    async def counted(delay, *args, **kwargs):
        if sys._getframe(1).f_code.co_filename == asyncio_runner.__file__:
            calls.append(delay)
        return await sleep(delay, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", counted)
    return calls


async def test_a_share_stored_before_its_ack_is_answered_without_polling(env, bolt_polls):
    env.slack.add_user(MEMBER_ID, name="ria.resident", email="ria.resident@uhn.ca")
    response = await env.driver.command("/qi-share", "Huddle checklist on 4B", user_id=MEMBER_ID)
    await env.settle()

    assert response.status == 200
    assert [u.tried for u in await updates(env)] == ["Huddle checklist on 4B"]
    assert sum("Huddle checklist on 4B" in str(post) for post in posts(env)) == 1
    assert bolt_polls == []


async def test_the_ack_goes_back_while_the_listener_still_works(env, bolt_polls):
    release = asyncio.Event()
    finished: list[str] = []

    @env.app.command("/qi-slow")
    async def slow(ack):
        await ack(text="Taken")
        await release.wait()
        finished.append("after the ack")

    response = await asyncio.wait_for(env.driver.command("/qi-slow"), 2)
    assert (response.status, response.body) == (200, "Taken")
    assert finished == []
    release.set()
    await env.settle()
    assert finished == ["after the ack"]
    assert bolt_polls == []


async def test_a_listener_that_ends_without_acking_is_answered_404_at_once(env, bolt_polls, caplog):
    @env.app.command("/qi-silent")
    async def silent(ack):
        return None

    with caplog.at_level(logging.WARNING):
        response = await asyncio.wait_for(env.driver.command("/qi-silent"), 2)
    assert response.status == 404
    assert any("didn't call ack()" in r.getMessage() for r in caplog.records)
    assert bolt_polls == []


async def test_a_listener_that_fails_before_its_ack_is_500_and_the_member_gets_the_apology(env, bolt_polls):
    url = env.slack.response_url()

    @env.app.command("/qi-broken")
    async def broken(ack):
        raise RuntimeError("boom")

    response = await env.driver.command("/qi-broken", user_id=MEMBER_ID, response_url=url)
    await env.settle()
    assert response.status == 500
    assert "Sorry" in env.slack.responses()[-1]["text"]
    assert bolt_polls == []


async def test_a_listener_that_fails_after_its_ack_keeps_the_ack(env):
    @env.app.command("/qi-late-failure")
    async def late(ack):
        await ack(text="Saved")
        raise RuntimeError("boom after the ack")

    response = await env.driver.command("/qi-late-failure", user_id=MEMBER_ID)
    await env.settle()
    assert (response.status, response.body) == (200, "Saved")
