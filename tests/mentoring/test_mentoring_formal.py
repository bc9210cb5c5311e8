"""The formal flow, driven as Slack would: shortlist, ask, accept or decline, withdraw, stale clicks."""

from __future__ import annotations

from datetime import timedelta

from bot.mentoring import requests as mentoring
from sandbox import state_values
from storage.models import MentorshipRequest, Nudge
from tests.ack_order import slow_store
from tests.golden import assert_golden
from tests.mentoring_helpers import (
    ADMIN,
    MENTEE,
    add_mentor,
    button,
    buttons,
    candidates,
    click,
    dms,
    golden_message,
    mentorships,
    nudges,
    requests,
    rows,
    text_of,
)

ADA, BRAM, CASEY = "U0MENTOR1", "U0MENTOR2", "U0MENTOR3"


async def _three_mentors(env) -> None:
    await add_mentor(env, ADA, "Dr. Ada Example", ("measurement-run-charts", "model-for-improvement"), capacity=3,
                     career_stage="late-career", bio="Led the restraint-reduction project; <b>loves</b> run charts.")
    await add_mentor(env, BRAM, "Dr. Bram Placeholder", ("measurement-run-charts", "stakeholder-engagement"),
                     discipline="nursing")
    await add_mentor(env, CASEY, "Casey Sample RN", ("process-mapping",), discipline="nursing")


async def _shortlist(env, text: str = "help with run charts") -> dict:
    await env.driver.command("/find-mentor", text)
    await env.settle()
    return env.slack.responses()[-1]


async def _ask(env, shortlist: dict, mentor_id: str) -> dict:
    ask = next(b for b in buttons(shortlist, "mentor_ask") if b["text"]["text"].startswith("Ask"))
    by_mentor = {c.mentor_id: c.id for c in await candidates(env)}
    await click(env, "mentor_ask", by_mentor[mentor_id], MENTEE)
    assert ask  # the shortlist really offered Ask buttons
    return dms(env, mentor_id)[-1]


async def test_find_mentor_text_to_accepted_group_dm(env):
    await _three_mentors(env)
    for user in (BRAM, MENTEE):  # Homes they have opened follow the match
        await env.driver.event({"type": "app_home_opened", "user": user, "tab": "home", "channel": "D0HOME"})
    shortlist = await _shortlist(env)
    assert shortlist["response_type"] == "ephemeral"
    assert_golden("mentoring_shortlist", golden_message(shortlist))
    shown = text_of(shortlist)
    # Casey offers no run charts: not suggested. Ada has more free places, so she comes first.
    assert f"<@{ADA}>" in shown and f"<@{BRAM}>" in shown and f"<@{CASEY}>" not in shown
    assert shown.index(f"<@{ADA}>") < shown.index(f"<@{BRAM}>")
    assert "offers your topic: run charts" in shown and "3 of 3 places free" in shown
    assert "&lt;b&gt;loves&lt;/b&gt;" in shown  # a bio is escaped
    assert [b["text"]["text"] for b in buttons(shortlist, "mentor_ask")] == ["Ask Dr. Ada Example",
                                                                             "Ask Dr. Bram Placeholder"]
    assert button(shortlist, "mentor_quick_question")

    offer = await _ask(env, shortlist, BRAM)
    asked = env.slack.responses()[-1]
    assert asked["replace_original"] is True and f"You asked <@{BRAM}>" in text_of(asked)
    assert_golden("mentoring_asked", golden_message(asked))
    assert_golden("mentoring_offer", golden_message(offer))
    assert "help with run charts" in text_of(offer) and dms(env, ADA) == []
    request = (await requests(env))[0]
    assert request.status == "offered" and request.needs == "help with run charts"

    await click(env, "mentor_accept", button(offer, "mentor_accept")["value"], BRAM, message=offer)
    [pair] = await mentorships(env)
    assert (pair.mentor_id, pair.mentee_id, pair.kind, pair.status) == (BRAM, MENTEE, "formal", "active")
    assert env.slack.calls_to("conversations.open")[-1]["users"] == f"{BRAM},{MENTEE}"
    assert pair.group_channel_id and pair.group_channel_id.startswith("G")
    [kickoff] = env.slack.messages(pair.group_channel_id)
    assert_golden("mentoring_kickoff", golden_message(kickoff))
    assert "Confidentiality" in text_of(kickoff) and f"<@{BRAM}> has agreed to mentor <@{MENTEE}>" in text_of(kickoff)
    closed = dms(env, BRAM)[-1]
    assert closed["ts"] == offer["ts"] and "You accepted" in text_of(closed) and not buttons(closed, "mentor_accept")
    assert_golden("mentoring_offer_accepted", golden_message(closed))
    assert (await requests(env))[0].status == "matched"
    checkins = await rows(env, Nudge, Nudge.kind == "mentorship_checkin")
    assert sorted(n.slack_user_id for n in checkins) == sorted([BRAM, MENTEE])
    assert all(n.due_at == env.clock.now() + timedelta(days=21) for n in checkins)
    assert [n.status for n in await nudges(env, BRAM) if n.kind == "mentor_reminder"] == ["cancelled"]
    assert f"You mentor <@{MENTEE}>" in str(env.slack.home_view(BRAM)["blocks"])
    assert f"Your mentor: <@{BRAM}>" in str(env.slack.home_view(MENTEE)["blocks"])

    # A double click changes nothing and says so.
    await click(env, "mentor_accept", button(offer, "mentor_accept")["value"], BRAM, message=offer)
    assert "already taken this one on" in env.slack.responses()[-1]["text"]
    assert len(await mentorships(env)) == 1 and len(env.slack.calls_to("conversations.open")) == 1


async def test_decline_with_a_reason_moves_to_the_next_candidate(env):
    await _three_mentors(env)
    offer = await _ask(env, await _shortlist(env), ADA)
    await click(env, "mentor_decline", button(offer, "mentor_decline")["value"], ADA, message=offer)
    modal = env.slack.opened_views[-1]["view"]
    assert_golden("mentoring_decline_modal", {k: modal[k] for k in ("type", "title", "submit", "close", "blocks")})

    response = await env.driver.submit_view("mentor_decline_reason", state_values(
        {"reason": {"reason": "Call me at 416-555-0199"}}), view=modal, user_id=ADA)
    assert response.json()["errors"]["reason"].startswith("Remove the phone number")
    assert [c.status for c in await candidates(env)] == ["offered", "shortlisted"]

    await env.driver.submit_view("mentor_decline_reason", state_values(
        {"reason": {"reason": "On leave until March <!channel>"}}), view=modal, user_id=ADA)
    await env.settle()
    ada, bram = await candidates(env)
    assert (ada.status, ada.decline_reason) == ("declined", "On leave until March <!channel>")
    assert bram.status == "offered"
    told = dms(env, MENTEE)[-1]
    assert_golden("mentoring_handed_on_declined", golden_message(told))
    assert "On leave until March &lt;!channel&gt;" in text_of(told) and f"asked <@{BRAM}> next" in text_of(told)
    assert "You declined" in text_of(dms(env, ADA)[-1])
    assert_golden("mentoring_offer_declined", golden_message(dms(env, ADA)[-1]))
    assert button(dms(env, BRAM)[-1], "mentor_accept")

    # Declining again (a stale button) opens nothing and changes nothing.
    views_before = len(env.slack.opened_views)
    await click(env, "mentor_decline", ada.id, ADA, message=offer)
    assert "already declined" in env.slack.responses()[-1]["text"] and len(env.slack.opened_views) == views_before


async def test_last_decline_leaves_the_request_unmatched_and_tells_the_admins(env):
    await add_mentor(env, ADA, "Dr. Ada Example", ("measurement-run-charts",))
    offer = await _ask(env, await _shortlist(env), ADA)
    await click(env, "mentor_decline", button(offer, "mentor_decline")["value"], ADA, message=offer)
    await env.driver.submit_view("mentor_decline_reason", state_values({"reason": {"reason": None}}),
                                 view=env.slack.opened_views[-1]["view"], user_id=ADA)
    await env.settle()
    assert (await requests(env))[0].status == "unmatched"
    told = dms(env, MENTEE)[-1]
    assert_golden("mentoring_handed_on_unmatched", golden_message(told))
    assert "Nobody else who fits is free" in text_of(told) and button(told, "mentor_quick_question")
    [alert] = dms(env, ADMIN)
    assert "declined" in text_of(alert) and f"<@{ADA}>" in text_of(alert)


async def test_withdraw_closes_the_mentors_dm_and_a_late_accept_is_stale(env):
    await _three_mentors(env)
    offer = await _ask(env, await _shortlist(env), ADA)
    asked = env.slack.responses()[-1]
    await click(env, "mentor_withdraw", button(asked, "mentor_withdraw")["value"], MENTEE)
    assert "Request withdrawn" in text_of(env.slack.responses()[-1])
    assert_golden("mentoring_withdrawn", golden_message(env.slack.responses()[-1]))
    assert "withdrew this request" in text_of(dms(env, ADA)[-1])
    assert_golden("mentoring_offer_withdrawn", golden_message(dms(env, ADA)[-1]))
    assert (await requests(env))[0].status == "withdrawn"

    await click(env, "mentor_accept", button(offer, "mentor_accept")["value"], ADA, message=offer)
    assert f"<@{MENTEE}> withdrew this request, so nothing changed" in env.slack.responses()[-1]["text"]
    assert await mentorships(env) == []

    await click(env, "mentor_withdraw", button(asked, "mentor_withdraw")["value"], MENTEE)
    assert "nothing changed" in env.slack.responses()[-1]["text"]

    # A decline form opened before the withdrawal says so when sent, and changes nothing.
    modal = {"type": "modal", "private_metadata": button(offer, "mentor_decline")["value"]}
    response = await env.driver.submit_view("mentor_decline_reason", state_values({"reason": {"reason": "Busy"}}),
                                            view=modal, user_id=ADA)
    notice = response.json()
    assert notice["response_action"] == "update" and "withdrew this request" in text_of(notice["view"])
    assert_golden("mentoring_notice_nothing_changed", notice["view"])
    assert [c.decline_reason for c in await candidates(env)] == [None, None]


async def test_a_second_ask_and_someone_elses_buttons_change_nothing(env):
    await _three_mentors(env)
    shortlist = await _shortlist(env)
    await _ask(env, shortlist, ADA)
    bram = next(c for c in await candidates(env) if c.mentor_id == BRAM)
    await click(env, "mentor_ask", bram.id, MENTEE)
    assert f"already asked <@{ADA}>" in env.slack.responses()[-1]["text"] and dms(env, BRAM) == []
    ada = next(c for c in await candidates(env) if c.mentor_id == ADA)
    await click(env, "mentor_accept", ada.id, BRAM)
    assert "for someone else" in env.slack.responses()[-1]["text"] and await mentorships(env) == []


async def test_nobody_fits_says_so_kindly_and_escalates_once(env):
    await add_mentor(env, CASEY, "Casey Sample RN", ("process-mapping",))
    reply = await _shortlist(env, "help with run charts")
    assert_golden("mentoring_no_match", golden_message(reply))
    assert "No mentor is free" in text_of(reply) and button(reply, "mentor_quick_question")
    [alert] = dms(env, ADMIN)
    assert_golden("mentoring_escalation_no_match", golden_message(alert))
    assert "help with run charts" in text_of(alert) and "No mentor on the roster fits" in text_of(alert)
    request = (await requests(env))[0]
    assert request.status == "unmatched" and request.escalated_at is not None


async def test_find_mentor_text_refuses_phi_and_unknown_topics(env):
    await env.driver.command("/find-mentor", "run charts for MRN 12345678")
    await env.settle()
    assert "medical record" in env.slack.responses()[-1]["text"]
    await env.driver.command("/find-mentor", "something vague")
    await env.settle()
    assert "couldn't tell which QI topic" in env.slack.responses()[-1]["text"]
    assert await rows(env, MentorshipRequest) == []


async def test_the_find_mentor_modal_checks_fields_and_sends_the_shortlist_by_dm(env):
    await _three_mentors(env)
    await env.driver.command("/find-mentor", "")
    await env.settle()
    modal = env.slack.opened_views[-1]["view"]
    assert_golden("mentoring_find_modal", {k: modal[k] for k in ("type", "title", "submit", "close", "blocks")})

    bad = await env.driver.submit_view("find_mentor", state_values(
        needs={"needs": "My patient (DOB 1980-02-03) needs better flow"}, topics={"topics": {"selected_options": []}},
        goal={"goal": None}, format={"format": {"radio": "formal"}}), view=modal)
    assert "date of birth" in bad.json()["errors"]["needs"]
    vague = await env.driver.submit_view("find_mentor", state_values(
        needs={"needs": "Just some general advice"}, topics={"topics": {"selected_options": []}},
        goal={"goal": None}, format={"format": {"radio": "formal"}}), view=modal)
    assert "Choose at least one topic" in vague.json()["errors"]["topics"]
    assert await rows(env, MentorshipRequest) == []

    await env.driver.submit_view("find_mentor", state_values(
        needs={"needs": "Starting a wait-times project"}, topics={"topics": {"selected_options": [
            "stakeholder-engagement"]}}, goal={"goal": "Present PDSA results by June"},
        format={"format": {"radio": "formal"}}, cadence={"cadence": {"selected": "monthly"}},
        discipline={"discipline": {"selected": "nursing"}}), view=modal)
    await env.settle()
    [request] = await rows(env, MentorshipRequest)
    # Topics chosen come first; "wait-times" in the text adds outpatient access.
    assert (request.topics, request.goal, request.cadence) == (["stakeholder-engagement", "outpatient-access"],
                                                               "Present PDSA results by June", "monthly")
    shortlist = dms(env, MENTEE)[-1]
    assert [b["text"]["text"] for b in buttons(shortlist, "mentor_ask")] == ["Ask Dr. Bram Placeholder"]
    assert "nurse as you asked" in text_of(shortlist)


async def test_each_side_reads_why_in_its_own_words(env):
    """Issue 16 item 6: the mentee reads why the mentor fits them; the mentor reads why they were asked."""
    await add_mentor(env, ADA, "Dr. Ada Example", ("measurement-run-charts", "inpatient-psychiatry"),
                     discipline="nursing")
    shortlist = await _shortlist(env, "help with run charts on an inpatient psychiatry unit")
    assert "offers both of your topics: run charts, inpatient psychiatry" in text_of(shortlist)

    offer = text_of(await _ask(env, shortlist, ADA))
    assert ("Why they asked you: you offer run charts and inpatient psychiatry, which they need; "
            "you have 2 of 2 places free.") in offer
    assert "your topics" not in offer and "Why you were suggested" not in offer

    await click(env, "mentor_withdraw", (await requests(env))[0].id, MENTEE)
    await env.driver.command("/find-mentor", "")
    await env.settle()
    await env.driver.submit_view("find_mentor", state_values(
        needs={"needs": "How many points before a run chart shows a shift?"},
        topics={"topics": {"selected_options": []}}, goal={"goal": None},
        format={"format": {"radio": "informal"}}), view=env.slack.opened_views[-1]["view"])
    await env.settle()
    question = text_of(dms(env, ADA)[-1])
    assert "Why it came to you: you offer run charts, which they need" in question
    assert "your topic" not in question


# Each of these is stored before the ack: read right after the driver call (see tests/ack_order.py).

async def test_find_mentor_text_stores_the_request_before_the_ack(env, monkeypatch):
    await _three_mentors(env)
    slow_store(monkeypatch, mentoring, "create_request")
    response = await env.driver.command("/find-mentor", "help with run charts")
    assert response.status == 200 and [r.needs for r in await requests(env)] == ["help with run charts"]
    await env.settle()
    assert f"<@{ADA}>" in text_of(env.slack.responses()[-1])


async def test_a_mentor_request_that_cannot_be_stored_is_refused_in_the_ack(env, monkeypatch):
    await _three_mentors(env)

    async def broken(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(mentoring, "create_request", broken)
    response = await env.driver.command("/find-mentor", "help with run charts")
    assert response.status == 200 and "nothing you typed was kept" in response.json()["text"]
    await env.settle()
    assert await requests(env) == [] and dms(env, ADA) == []


async def test_ask_stores_the_offer_before_the_ack(env, monkeypatch):
    await _three_mentors(env)
    await _shortlist(env)
    by_mentor = {c.mentor_id: c.id for c in await candidates(env)}
    slow_store(monkeypatch, mentoring, "ask_mentor")
    response = await env.driver.action("mentor_ask", value=str(by_mentor[BRAM]), user_id=MENTEE)
    assert response.status == 200 and (await requests(env))[0].status == "offered"
    await env.settle()
    assert f"You asked <@{BRAM}>" in text_of(env.slack.responses()[-1]) and button(dms(env, BRAM)[-1], "mentor_accept")


async def test_withdraw_is_stored_before_the_ack(env, monkeypatch):
    await _three_mentors(env)
    offer = await _ask(env, await _shortlist(env), BRAM)
    asked = env.slack.responses()[-1]
    slow_store(monkeypatch, mentoring, "withdraw_request")
    response = await env.driver.action("mentor_withdraw", value=button(asked, "mentor_withdraw")["value"],
                                       user_id=MENTEE)
    assert response.status == 200 and (await requests(env))[0].status == "withdrawn"
    await env.settle()
    assert dms(env, BRAM)[-1]["ts"] == offer["ts"] and not buttons(dms(env, BRAM)[-1], "mentor_accept")


async def test_accept_is_stored_before_the_ack(env, monkeypatch):
    await _three_mentors(env)
    offer = await _ask(env, await _shortlist(env), BRAM)
    slow_store(monkeypatch, mentoring, "accept_offer")
    channel = env.slack.dm_channel(BRAM)
    response = await env.driver.action("mentor_accept", value=button(offer, "mentor_accept")["value"], user_id=BRAM,
                                       message=offer, channel_id=channel)
    assert response.status == 200 and [p.mentor_id for p in await mentorships(env)] == [BRAM]
    await env.settle()
    [pair] = await mentorships(env)
    assert "has agreed to mentor" in text_of(env.slack.messages(pair.group_channel_id)[0])
