"""A signed request sent again byte for byte does nothing the second time; Slack's event retries still work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from sandbox import SlackDriver
from storage.models import Kudos, SeenRequest
from tests.conftest import SIGNING_SECRET
from tests.sharing_helpers import OTHER, button, posts, updates


def _recording_driver(env) -> tuple[SlackDriver, list[tuple[str, dict[str, str]]]]:
    """A driver like env.driver that keeps every body and header it sent, to send them again."""
    sent: list[tuple[str, dict[str, str]]] = []

    async def send(body: str, headers: dict[str, str]):
        sent.append((body, headers))
        return await env.driver.raw(body, headers)

    driver = SlackDriver(transport=send, signing_secret=SIGNING_SECRET, standin=env.slack, now=env.clock.timestamp)
    return driver, sent


async def _replay(env, request: tuple[str, dict[str, str]]):
    env.clock.advance(timedelta(seconds=2))
    response = await env.driver.raw(*request)
    await env.settle()
    return response


async def test_a_replayed_share_is_stored_and_posted_once(env):
    driver, sent = _recording_driver(env)
    await driver.command("/qi-share", "Tried huddles at shift change")
    await env.settle()
    replay = await _replay(env, sent[-1])
    assert (replay.status, replay.body) == (200, "")
    assert [u.tried for u in await updates(env)] == ["Tried huddles at shift change"]
    assert len(posts(env)) == 1
    assert len(env.slack.calls_to("chat.postMessage")) == 1


async def test_a_replayed_kudos_click_does_not_take_the_kudos_back(env):
    driver, sent = _recording_driver(env)
    await env.driver.command("/qi-share", "Tried huddles at shift change")
    await env.settle()
    message = posts(env)[-1]
    await driver.action("sharing_kudos", value=button(message, "sharing_kudos")["value"], message=message,
                        user_id=OTHER)
    await env.settle()
    updates_before = len(env.slack.calls_to("chat.update"))
    replay = await _replay(env, sent[-1])
    assert replay.status == 200
    assert button(posts(env)[-1], "sharing_kudos")["text"]["text"] == ":clap: Kudos (1)"
    assert len(env.slack.calls_to("chat.update")) == updates_before
    async with env.runtime.db.session() as session:
        assert (await session.scalars(select(Kudos.slack_user_id))).all() == [OTHER]


async def test_the_same_command_typed_again_is_not_a_replay(env):
    await env.driver.command("/qi-share", "Tried huddles at shift change")
    await env.driver.command("/qi-share", "Tried huddles at shift change")
    await env.settle()
    assert len(await updates(env)) == 2


async def test_signatures_are_forgotten_once_they_could_no_longer_verify(env):
    await env.driver.command("/qi-commons", "help")
    await env.settle()
    sweep = env.runtime.sweep_steps["forget-old-signatures"]
    env.clock.advance(timedelta(minutes=9))
    await sweep(env.runtime)
    assert await _seen(env) == 1  # a request stamped 5 minutes ahead could still verify
    env.clock.advance(timedelta(minutes=2))
    await sweep(env.runtime)
    assert await _seen(env) == 0


async def _seen(env) -> int:
    async with env.runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(SeenRequest))
