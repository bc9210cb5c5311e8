"""The DMs a mentoring change causes commit with the change: a failed send, or a crash right after the
commit, delays them until the outbox sweep but never loses or repeats them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.outbox import LEASE
from handlers.mentoring import notify
from sandbox import state_values
from tests.mentoring_helpers import (
    ADMIN,
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


async def _submit_find_mentor(env, needs: str, kind: str) -> None:
    await env.driver.command("/find-mentor", "")
    await env.settle()
    await env.driver.submit_view("find_mentor", state_values(
        needs={"needs": needs}, topics={"topics": {"selected_options": []}}, goal={"goal": None},
        format={"format": {"radio": kind}}), view=env.slack.opened_views[-1]["view"])
    await env.settle()


async def _ask_quick_question(env) -> None:
    await _submit_find_mentor(env, "How many points before a run chart shows a shift?", "informal")


async def _sweep_after_lease(env) -> None:
    """A later minute's sweeps: the lease on a row whose sender died has run out by then."""
    env.clock.advance(LEASE + timedelta(seconds=1))
    await env.runtime.outbox.sweep()
    await env.runtime.outbox.sweep()  # what the first sweep's hooks queued (the kick-off after the group DM)
    await env.settle()


def _offers(env, mentor_id: str) -> list[dict]:
    return _with_button(env, mentor_id, "mentor_accept")


def _with_button(env, user_id: str, action_id: str) -> list[dict]:
    """Their DMs with that button: not the apology the app's error handler sends for the simulated crash."""
    return [m for m in dms(env, user_id) if buttons(m, action_id)]


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
    await _ask_quick_question(env)
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


async def test_a_crash_after_the_find_mentor_form_commits_still_sends_the_shortlist(env, crash_after_commit):
    await add_mentor(env, ADA, "Dr. Ada Example", ("measurement-run-charts",))
    crash_after_commit()
    await _submit_find_mentor(env, "Help me read our run charts", "formal")
    assert _with_button(env, MENTEE, "mentor_ask") == [] and (await requests(env))[0].status == "shortlisted"

    await _sweep_after_lease(env)
    [shortlist] = _with_button(env, MENTEE, "mentor_ask")
    [ada] = await candidates(env)
    assert button(shortlist, "mentor_ask")["value"] == str(ada.id)
    assert "Mentors who could help with run charts" in text_of(shortlist) and "Dr. Ada Example" in text_of(shortlist)


async def test_a_crash_after_a_quick_question_commits_still_asks_its_mentors(env, crash_after_commit):
    await add_mentor(env, ADA, "Mentor 1", ("measurement-run-charts",), formats=("informal",))
    crash_after_commit()
    await _ask_quick_question(env)
    assert dms(env, ADA) == [] and _with_button(env, MENTEE, "mentor_withdraw") == []
    assert (await requests(env))[0].status == "offered"

    await _sweep_after_lease(env)
    [question] = dms(env, ADA)
    assert button(question, "mentor_claim") and "How many points" in text_of(question)
    [sent] = _with_button(env, MENTEE, "mentor_withdraw")
    assert "went to 1 mentor" in text_of(sent) and button(sent, "mentor_withdraw")


async def test_a_crash_after_a_question_widens_still_asks_the_new_mentors(env, crash_after_commit):
    mentors = [f"U0MENTOR{n}" for n in range(1, 5)]
    for n, mentor_id in enumerate(mentors, start=1):
        await add_mentor(env, mentor_id, f"Mentor {n}", ("measurement-run-charts",), formats=("informal",))
    await _ask_quick_question(env)
    crash_after_commit()
    env.clock.advance(timedelta(hours=env.runtime.settings.informal_widen_hours))
    await run_sweep(env)  # the widening crashes after its commit
    [added] = [c.mentor_id for c in await candidates(env) if c.rank == 4]
    assert (await requests(env))[0].widened_at is not None and dms(env, added) == []

    await _sweep_after_lease(env)
    [question] = dms(env, added)
    assert button(question, "mentor_claim")
    assert "asked 1 more mentor." in text_of(dms(env, MENTEE)[-1])
    assert [len(dms(env, m)) for m in mentors] == [1, 1, 1, 1]


async def test_a_crash_after_an_escalation_is_claimed_still_tells_the_admins_once(env, crash_after_commit):
    crash_after_commit()
    await env.driver.command("/find-mentor", "help with run charts")  # nobody is on the roster
    await env.settle()  # the crash comes before the immediate escalation
    await run_sweep(env)  # the sweep's escalation crashes after its claim commits
    [request] = await requests(env)
    assert request.status == "unmatched" and request.escalated_at is not None and dms(env, ADMIN) == []

    await _sweep_after_lease(env)
    await run_sweep(env)
    [alert] = dms(env, ADMIN)
    assert "help with run charts" in text_of(alert) and "No mentor on the roster fits" in text_of(alert)


async def test_a_crash_after_a_withdrawal_commits_still_closes_the_mentors_dm(env, crash_after_commit):
    await _ask_ada(env)
    asked = env.slack.responses()[-1]
    crash_after_commit()
    await click(env, "mentor_withdraw", button(asked, "mentor_withdraw")["value"], MENTEE)
    [offer] = dms(env, ADA)
    assert (await requests(env))[0].status == "withdrawn" and button(offer, "mentor_accept")

    await _sweep_after_lease(env)
    [closed] = dms(env, ADA)
    assert "withdrew this request" in text_of(closed) and buttons(closed, "mentor_accept") == []
