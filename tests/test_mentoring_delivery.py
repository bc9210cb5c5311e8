"""The DMs a mentoring change causes commit with the change: a failed send, or a crash right after the
commit, delays them until the outbox sweep but never loses or repeats them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.outbox import LEASE
from bot.standin import state_values
from handlers.mentoring import notify
from tests.mentoring_helpers import (
    MENTEE,
    add_mentor,
    button,
    buttons,
    candidates,
    click,
    dms,
    mentorships,
    requests,
    run_sweep,
    text_of,
)

ADA, BRAM = "U0MENTOR1", "U0MENTOR2"


@pytest.fixture
def crash_after_commit(monkeypatch):
    """The process dies between the commit and the send: the send step never runs."""
    def install() -> None:
        async def crash(*_args, **_kwargs):
            raise RuntimeError("crashed after the commit")
        monkeypatch.setattr(notify, "deliver", crash)
    return install


async def _ask_ada(env) -> None:
    await add_mentor(env, ADA, "Dr. Ada Example", ("measurement-run-charts",), capacity=3, career_stage="late-career")
    await add_mentor(env, BRAM, "Dr. Bram Placeholder", ("measurement-run-charts",), discipline="nursing")
    await env.driver.command("/find-mentor", "help with run charts")
    await env.settle()
    ada = next(c for c in await candidates(env) if c.mentor_id == ADA)
    await click(env, "mentor_ask", ada.id, MENTEE)


async def _sweep_after_lease(env) -> None:
    """A later minute's sweeps: the lease on a row whose sender died has run out by then."""
    env.clock.advance(LEASE + timedelta(seconds=1))
    await env.runtime.outbox.sweep()
    await env.runtime.outbox.sweep()  # what the first sweep's hooks queued (the kick-off after the group DM)
    await env.settle()


def _offers(env, mentor_id: str) -> list[dict]:
    return [m for m in dms(env, mentor_id) if buttons(m, "mentor_accept")]


async def test_a_failed_offer_dm_is_sent_once_by_the_sweep(env):
    env.slack.fail("chat.postMessage", status=500, times=1)
    await _ask_ada(env)
    assert dms(env, ADA) == [] and (await requests(env))[0].status == "offered"
    assert f"You asked <@{ADA}>" in text_of(env.slack.responses()[-1])

    await _sweep_after_lease(env)
    await _sweep_after_lease(env)
    [offer] = dms(env, ADA)
    assert button(offer, "mentor_accept") and "help with run charts" in text_of(offer)


async def test_a_crash_after_the_ask_commits_still_delivers_the_offer(env, crash_after_commit, monkeypatch):
    crash_after_commit()
    await _ask_ada(env)
    assert dms(env, ADA) == [] and (await requests(env))[0].status == "offered"

    await _sweep_after_lease(env)
    [offer] = _offers(env, ADA)
    monkeypatch.undo()  # the restarted app
    # The sweep's send also records where the DM is, so Accept later closes it.
    await click(env, "mentor_accept", button(offer, "mentor_accept")["value"], ADA, message=offer)
    assert "You accepted" in text_of(dms(env, ADA)[-1]) and len(dms(env, ADA)) == 1


async def test_a_crash_after_the_accept_commits_still_connects_the_pair(env, crash_after_commit):
    await _ask_ada(env)
    [offer] = _offers(env, ADA)
    crash_after_commit()
    await click(env, "mentor_accept", button(offer, "mentor_accept")["value"], ADA, message=offer)
    [pair] = await mentorships(env)
    assert pair.status == "active" and env.slack.calls_to("conversations.open") == []

    await _sweep_after_lease(env)
    [pair] = await mentorships(env)
    [kickoff] = env.slack.messages(pair.group_channel_id)
    assert f"<@{ADA}> has agreed to mentor <@{MENTEE}>" in text_of(kickoff)
    assert env.slack.calls_to("conversations.open")[0]["users"] == f"{ADA},{MENTEE}"
    assert "You accepted" in text_of(dms(env, ADA)[-1]) and len(dms(env, ADA)) == 1


async def test_a_crash_after_a_decline_commits_still_tells_the_mentee_and_asks_the_next_mentor(
        env, crash_after_commit):
    await _ask_ada(env)
    [offer] = _offers(env, ADA)
    await click(env, "mentor_decline", button(offer, "mentor_decline")["value"], ADA, message=offer)
    crash_after_commit()
    await env.driver.submit_view("mentor_decline_reason", state_values({"reason": {"reason": None}}),
                                 view=env.slack.opened_views[-1]["view"], user_id=ADA)
    await env.settle()
    assert [c.status for c in await candidates(env)] == ["declined", "offered"] and _offers(env, BRAM) == []

    await _sweep_after_lease(env)
    assert f"asked <@{BRAM}> next" in text_of(dms(env, MENTEE)[-1])
    assert len(_offers(env, BRAM)) == 1


async def test_a_crash_after_an_offer_expires_still_hands_it_on(env, crash_after_commit):
    await _ask_ada(env)
    crash_after_commit()
    env.clock.advance(timedelta(days=30))
    await run_sweep(env)  # the expiry step crashes after its commit (the sweep logs it and carries on)
    assert [c.status for c in await candidates(env)] == ["expired", "offered"] and _offers(env, BRAM) == []

    await _sweep_after_lease(env)
    assert "hasn't been able to answer" in text_of(dms(env, MENTEE)[-1])
    assert len(_offers(env, BRAM)) == 1


async def test_a_crash_after_a_claim_commits_still_connects_the_pair(env, crash_after_commit):
    await add_mentor(env, ADA, "Mentor 1", ("measurement-run-charts",), formats=("informal",))
    await env.driver.command("/find-mentor", "")
    await env.settle()
    await env.driver.submit_view("find_mentor", state_values(
        needs={"needs": "How many points before a run chart shows a shift?"},
        topics={"topics": {"selected_options": []}}, goal={"goal": None},
        format={"format": {"radio": "informal"}}), view=env.slack.opened_views[-1]["view"])
    await env.settle()
    question = dms(env, ADA)[-1]
    crash_after_commit()
    await click(env, "mentor_claim", button(question, "mentor_claim")["value"], ADA, message=question)
    assert env.slack.calls_to("conversations.open") == []

    await _sweep_after_lease(env)
    [pair] = await mentorships(env)
    [kickoff] = env.slack.messages(pair.group_channel_id)
    assert f"<@{ADA}> claimed <@{MENTEE}>'s quick question" in text_of(kickoff)


async def test_when_slack_refuses_the_group_dm_each_of_the_pair_gets_the_kickoff(env):
    await _ask_ada(env)
    [offer] = _offers(env, ADA)
    env.slack.fail("conversations.open", error="user_disabled", times=None)
    await click(env, "mentor_accept", button(offer, "mentor_accept")["value"], ADA, message=offer)
    [pair] = await mentorships(env)
    assert pair.group_channel_id is None
    for user_id in (ADA, MENTEE):
        assert f"<@{ADA}> has agreed to mentor <@{MENTEE}>" in text_of(dms(env, user_id)[-1])
