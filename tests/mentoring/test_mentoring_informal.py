"""Quick questions: sent to informal mentors, first claim wins (also when two click at once), widen, escalate."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.mentoring import requests as mentoring
from sandbox import state_values
from tests.ack_order import slow_store
from tests.golden import assert_golden
from tests.mentoring_helpers import (
    ADMIN,
    MENTEE,
    TEAM,
    add_mentor,
    button,
    buttons,
    candidates,
    click,
    dms,
    golden_message,
    mentorships,
    requests,
    run_sweep,
    text_of,
)

MENTORS = ["U0MENTOR1", "U0MENTOR2", "U0MENTOR3", "U0MENTOR4", "U0MENTOR5"]
FORMAL_ONLY = "U0FORMAL"


async def _informal_mentors(env, count: int = 5) -> None:
    for n, user_id in enumerate(MENTORS[:count], start=1):
        await add_mentor(env, user_id, f"Mentor {n}", ("measurement-run-charts",), formats=("informal",))
    await add_mentor(env, FORMAL_ONLY, "Formal Only", ("measurement-run-charts",), formats=("formal",))


async def _ask_quick_question(env) -> None:
    await env.driver.command("/find-mentor", "")
    await env.settle()
    await env.driver.submit_view("find_mentor", state_values(
        needs={"needs": "How many points before a run chart shows a shift?"},
        topics={"topics": {"selected_options": []}}, goal={"goal": None},
        format={"format": {"radio": "informal"}}), view=env.slack.opened_views[-1]["view"])
    await env.settle()


def _asked(env) -> list[str]:
    return [m for m in MENTORS + [FORMAL_ONLY] if env.slack.user(m) and any(
        buttons(message, "mentor_claim") for message in dms(env, m))]


async def test_question_goes_to_three_informal_mentors_and_the_first_claim_wins(env):
    await _informal_mentors(env)
    await _ask_quick_question(env)
    assert _asked(env) == MENTORS[:3]  # ties go to the lower user id; formal-only mentors are never asked
    sent = dms(env, MENTEE)[-1]
    assert_golden("mentoring_question_sent", golden_message(sent))
    assert "went to 3 mentors" in text_of(sent)
    claim_dm = dms(env, MENTORS[0])[-1]
    assert_golden("mentoring_claim_dm", golden_message(claim_dm))
    assert "How many points before a run chart shows a shift?" in text_of(claim_dm)

    await click(env, "mentor_claim", button(dms(env, MENTORS[1])[-1], "mentor_claim")["value"], MENTORS[1],
                message=dms(env, MENTORS[1])[-1])
    [pair] = await mentorships(env)
    assert (pair.mentor_id, pair.kind) == (MENTORS[1], "informal")
    [kickoff] = env.slack.messages(pair.group_channel_id)
    assert_golden("mentoring_kickoff_informal", golden_message(kickoff))
    assert "You claimed" in text_of(dms(env, MENTORS[1])[-1])
    assert_golden("mentoring_offer_claimed", golden_message(dms(env, MENTORS[1])[-1]))
    for other in (MENTORS[0], MENTORS[2]):
        updated = dms(env, other)[-1]
        assert f"<@{MENTORS[1]}> claimed" in text_of(updated) and not buttons(updated, "mentor_claim")
    assert_golden("mentoring_claimed_by_other", golden_message(dms(env, MENTORS[0])[-1]))

    # A late claim from an old button: told who took it, nothing changes.
    await click(env, "mentor_claim", button(claim_dm, "mentor_claim")["value"], MENTORS[0], message=claim_dm)
    assert f"<@{MENTORS[1]}> already took this one on" in env.slack.responses()[-1]["text"]
    assert len(await mentorships(env)) == 1


async def test_two_mentors_claiming_at_once_exactly_one_wins(env):
    await _informal_mentors(env, 3)
    await _ask_quick_question(env)
    first, second = (dms(env, m)[-1] for m in MENTORS[:2])
    await asyncio.gather(
        env.driver.action("mentor_claim", value=button(first, "mentor_claim")["value"], user_id=MENTORS[0],
                          message=first),
        env.driver.action("mentor_claim", value=button(second, "mentor_claim")["value"], user_id=MENTORS[1],
                          message=second))
    await env.settle()
    [pair] = await mentorships(env)
    winner, loser = (MENTORS[0], MENTORS[1]) if pair.mentor_id == MENTORS[0] else (MENTORS[1], MENTORS[0])
    assert sorted(c.status for c in await candidates(env)) == ["claimed", "superseded", "superseded"]
    assert (await requests(env))[0].status == "claimed"
    assert len(env.slack.calls_to("conversations.open")) == 1
    [stale] = [r for r in env.slack.responses() if "already took this one on" in r.get("text", "")]
    assert f"<@{winner}>" in stale["text"]
    assert f"<@{winner}> claimed" in text_of(dms(env, loser)[-1])


async def test_unclaimed_question_widens_once_then_escalates_once(env):
    await _informal_mentors(env)
    await _ask_quick_question(env)
    env.clock.advance(timedelta(hours=23))
    await run_sweep(env)
    assert _asked(env) == MENTORS[:3]

    env.clock.advance(timedelta(hours=1))
    await run_sweep(env)
    assert _asked(env) == MENTORS  # the two left are asked; nobody twice
    assert [len(dms(env, m)) for m in MENTORS] == [1, 1, 1, 1, 1]
    told = dms(env, MENTEE)[-1]
    assert_golden("mentoring_widened", golden_message(told))
    assert "asked 2 more mentors" in text_of(told)
    assert dms(env, ADMIN) == []

    env.clock.advance(timedelta(hours=24))
    await run_sweep(env)
    [alert] = dms(env, ADMIN)
    assert_golden("mentoring_escalation_unclaimed", golden_message(alert))
    assert "quick question" in text_of(alert) and "widened once" in text_of(alert)
    assert all(f"<@{m}>" in text_of(alert) for m in MENTORS)

    env.clock.advance(timedelta(days=3))
    await run_sweep(env)
    assert len(dms(env, ADMIN)) == 1 and len(dms(env, MENTORS[0])) == 1
    # Still claimable after the escalation: a mentor may yet help.
    late = dms(env, MENTORS[4])[-1]
    await click(env, "mentor_claim", button(late, "mentor_claim")["value"], MENTORS[4], message=late)
    assert (await mentorships(env))[0].mentor_id == MENTORS[4]


async def test_quick_question_instead_turns_a_shortlist_into_a_question(env):
    await _informal_mentors(env, 2)
    await add_mentor(env, "U0BOTH", "Both Ways", ("measurement-run-charts",))
    await env.driver.command("/find-mentor", "help with run charts")
    await env.settle()
    shortlist = env.slack.responses()[-1]
    assert [b["text"]["text"] for b in buttons(shortlist, "mentor_ask")] == ["Ask Both Ways", "Ask Formal Only"]
    await click(env, "mentor_quick_question", button(shortlist, "mentor_quick_question")["value"], MENTEE)
    assert "went to 3 mentors" in text_of(env.slack.responses()[-1])
    assert _asked(env) == MENTORS[:2] and button(dms(env, "U0BOTH")[-1], "mentor_claim")
    assert (await requests(env))[0].kind == "informal"

    await click(env, "mentor_quick_question", button(shortlist, "mentor_quick_question")["value"], MENTEE)
    assert "nothing changed" in env.slack.responses()[-1]["text"]


async def test_no_informal_mentor_tells_the_mentee_and_the_admins(env):
    await add_mentor(env, FORMAL_ONLY, "Formal Only", ("measurement-run-charts",), formats=("formal",))
    await _ask_quick_question(env)
    told = dms(env, MENTEE)[-1]
    assert_golden("mentoring_no_informal_match", golden_message(told))
    assert "Nobody offers quick help" in text_of(told)
    assert len(dms(env, ADMIN)) == 1


async def test_claims_racing_in_the_service_have_exactly_one_winner(env):
    await _informal_mentors(env, 3)
    await _ask_quick_question(env)
    offered = [c for c in await candidates(env) if c.status == "offered"]
    outcomes = await asyncio.gather(*(
        mentoring.claim_question(env.runtime, team_id=TEAM, mentor_id=c.mentor_id, candidate_id=c.id)
        for c in offered))
    started = [o for o in outcomes if isinstance(o, mentoring.Started)]
    stale = [o for o in outcomes if isinstance(o, mentoring.Stale)]
    assert len(started) == 1 and len(stale) == 2
    assert all(s.reason == "taken" and s.winner_id == started[0].candidate.mentor_id for s in stale)
    assert len(await mentorships(env)) == 1


async def test_quick_question_instead_is_stored_before_the_ack(env, monkeypatch):
    await _informal_mentors(env, 2)
    await env.driver.command("/find-mentor", "help with run charts")
    await env.settle()
    shortlist = env.slack.responses()[-1]
    slow_store(monkeypatch, mentoring, "ask_informally")
    response = await env.driver.action("mentor_quick_question", value=button(shortlist, "mentor_quick_question")["value"],
                                       user_id=MENTEE)
    assert response.status == 200 and (await requests(env))[0].kind == "informal"
    await env.settle()
    assert "went to" in text_of(env.slack.responses()[-1]) and _asked(env) == MENTORS[:2]


async def test_a_claim_is_stored_before_the_ack(env, monkeypatch):
    await _informal_mentors(env)
    await _ask_quick_question(env)
    question = dms(env, MENTORS[1])[-1]
    slow_store(monkeypatch, mentoring, "claim_question")
    response = await env.driver.action("mentor_claim", value=button(question, "mentor_claim")["value"],
                                       user_id=MENTORS[1], message=question, channel_id=env.slack.dm_channel(MENTORS[1]))
    assert response.status == 200 and [p.mentor_id for p in await mentorships(env)] == [MENTORS[1]]
    await env.settle()
    [pair] = await mentorships(env)
    assert env.slack.messages(pair.group_channel_id)
