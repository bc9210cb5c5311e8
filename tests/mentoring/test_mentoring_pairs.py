"""Running mentorships: check-ins in each person's hours, meetings (private notes, CPD), the end, feedback."""

from __future__ import annotations

from datetime import timedelta

from bot.core.outbox import LEASE
from bot.mentoring import pairs
from handlers.cpd.prefill import OPEN_ENTRY_FORM
from sandbox import state_values
from storage.models import Member, MentorshipFeedback, MentorshipMeeting, Nudge
from tests.ack_order import slow_store
from tests.golden import assert_golden
from tests.mentoring_helpers import (
    ADMIN,
    MENTEE,
    VANCOUVER,
    add_mentor,
    button,
    candidates,
    click,
    dms,
    golden_message,
    mentorships,
    rows,
    run_sweep,
    text_of,
)

MENTOR = VANCOUVER  # in America/Vancouver: three hours behind the mentee in Toronto


async def _pair(env) -> int:
    await add_mentor(env, MENTOR, "Sam Nurse", ("measurement-run-charts",), discipline="nursing")
    await env.driver.command("/find-mentor", "help with run charts")
    await env.settle()
    [candidate] = await candidates(env)
    await click(env, "mentor_ask", candidate.id, MENTEE)
    await click(env, "mentor_accept", candidate.id, MENTOR, message=dms(env, MENTOR)[-1])
    [pair] = await mentorships(env)
    return pair.id


def _checkins(env, user_id: str) -> list[dict]:
    return [m for m in dms(env, user_id) if "How is your mentorship" in text_of(m)]


async def test_three_weeks_without_contact_checks_in_with_each_person_in_their_hours(env):
    pair_id = await _pair(env)
    env.clock.advance(timedelta(days=21))  # Wednesday 14:30 UTC: 09:30 in Toronto, 06:30 in Vancouver
    await run_sweep(env)
    [checkin] = _checkins(env, MENTEE)
    assert_golden("mentoring_checkin", golden_message(checkin))
    assert "No meeting has been logged for 21 days" in text_of(checkin)
    assert [b["action_id"] for b in checkin["blocks"][1]["elements"]] == [
        "mentorship_log_meeting", "mentorship_snooze", "mentorship_end"]
    assert _checkins(env, MENTOR) == []
    env.clock.advance(timedelta(hours=2))
    await run_sweep(env)
    assert len(_checkins(env, MENTOR)) == 1 and len(_checkins(env, MENTEE)) == 1

    # Snooze: nothing for a week, then one more check-in each.
    await click(env, "mentorship_snooze", pair_id, MENTEE, message=checkin)
    snoozed = env.slack.responses()[-1]
    assert snoozed["replace_original"] is True and "Snoozed" in text_of(snoozed)
    assert_golden("mentoring_snoozed", golden_message(snoozed))
    env.clock.advance(timedelta(days=6))
    await run_sweep(env)
    assert len(_checkins(env, MENTEE)) == 1
    env.clock.advance(timedelta(days=1))
    await run_sweep(env)
    assert len(_checkins(env, MENTEE)) == 2


async def test_a_logged_meeting_keeps_private_notes_private_offers_cpd_and_pushes_the_checkin(env):
    await _pair(env)
    kickoff = env.slack.messages((await mentorships(env))[0].group_channel_id)[0]
    await click(env, "mentorship_log_meeting", button(kickoff, "mentorship_log_meeting")["value"], MENTEE,
                message=kickoff)
    modal = env.slack.opened_views[-1]["view"]
    assert_golden("mentoring_meeting_modal", {k: modal[k] for k in ("type", "title", "submit", "close", "blocks")})

    def values(notes: str, minutes: int = 45, met_on: str = "2026-11-24") -> dict:
        return state_values(met_on={"met_on": {"selected_date": met_on}}, minutes={"minutes": {"number": minutes}},
                            topics={"topics": {"selected_options": ["measurement-run-charts"]}},
                            notes={"notes": notes})

    bad = await env.driver.submit_view("mentorship_meeting", values("Chart #A-55321 came up", minutes=2,
                                                                    met_on="2026-12-30"), view=modal)
    errors = bad.json()["errors"]
    assert set(errors) == {"notes", "minutes", "met_on"} and "medical record" in errors["notes"]
    assert await rows(env, MentorshipMeeting) == []

    await env.driver.submit_view("mentorship_meeting", values("I felt unsure about <b>baselines</b>"), view=modal)
    await env.settle()
    [meeting] = await rows(env, MentorshipMeeting)
    assert (meeting.logged_by, meeting.minutes, meeting.private_notes) == (MENTEE, 45,
                                                                           "I felt unsure about <b>baselines</b>")
    mine = next(m for m in dms(env, MENTEE) if "Meeting logged" in text_of(m))
    assert_golden("mentoring_meeting_logged", golden_message(mine))
    assert "unsure about &lt;b&gt;baselines&lt;/b&gt;" in text_of(mine)
    theirs = next(m for m in dms(env, MENTOR) if "logged your meeting" in text_of(m))
    assert_golden("mentoring_meeting_logged_other", golden_message(theirs))
    assert "baselines" not in "".join(text_of(m) for m in dms(env, MENTOR))
    # The CPD feature offers each of them credit: a learning project for the mentee, an explanation for the mentor.
    offer = next(m for m in dms(env, MENTEE) if "Log your mentoring meeting as CPD?" in text_of(m))
    assert "Section 2" in text_of(offer) and button(offer, OPEN_ENTRY_FORM)
    assert any("Did you prepare for your mentoring meeting?" in text_of(m) for m in dms(env, MENTOR))

    # Contact moved the next check-in three weeks from now, for both.
    due = {n.slack_user_id: n.due_at for n in await rows(env, Nudge, Nudge.kind == "mentorship_checkin")}
    assert due == {MENTOR: env.clock.now() + timedelta(days=21), MENTEE: env.clock.now() + timedelta(days=21)}


async def test_someone_else_cannot_log_a_meeting_or_end_the_mentorship(env):
    pair_id = await _pair(env)
    await click(env, "mentorship_log_meeting", pair_id, ADMIN)
    assert "mentor and mentee only" in env.slack.responses()[-1]["text"]
    await click(env, "mentorship_end", pair_id, ADMIN)
    assert "nothing changed" in env.slack.responses()[-1]["text"]
    assert (await mentorships(env))[0].status == "active"


async def test_ending_asks_both_for_feedback_and_keeps_it(env):
    pair_id = await _pair(env)
    await click(env, "mentorship_end", pair_id, MENTEE)
    [pair] = await mentorships(env)
    assert (pair.status, pair.ended_by) == ("ended", MENTEE)
    mine, theirs = dms(env, MENTEE)[-1], dms(env, MENTOR)[-1]
    assert_golden("mentoring_ended", golden_message(mine))
    assert "You ended your mentorship" in text_of(mine) and f"<@{MENTEE}> ended your mentorship" in text_of(theirs)
    assert [n.status for n in await rows(env, Nudge, Nudge.kind == "mentorship_checkin")] == ["cancelled"] * 2

    await click(env, "mentorship_end", pair_id, MENTOR)
    assert "already ended" in env.slack.responses()[-1]["text"]

    await click(env, "mentorship_feedback", button(mine, "mentorship_feedback")["value"], MENTEE, message=mine)
    modal = env.slack.opened_views[-1]["view"]
    assert_golden("mentoring_feedback_modal", {k: modal[k] for k in ("type", "title", "submit", "close", "blocks")})
    bad = await env.driver.submit_view("mentorship_feedback_form", state_values(
        fit={"fit": {"radio": None}}, goals_met={"goals_met": {"radio": "partly"}},
        comment={"comment": "Email me at pat.doe@gmail.com"}), view=modal)
    assert set(bad.json()["errors"]) == {"fit", "comment"}
    response = await env.driver.submit_view("mentorship_feedback_form", state_values(
        fit={"fit": {"radio": "4"}}, goals_met={"goals_met": {"radio": "partly"}},
        comment={"comment": "Good fit; we ran out of time"}), view=modal)
    thanks = response.json()
    assert thanks["response_action"] == "update"
    assert_golden("mentoring_feedback_thanks", thanks["view"])
    [feedback] = await rows(env, MentorshipFeedback)
    assert (feedback.slack_user_id, feedback.fit, feedback.goals_met, feedback.comment) == (
        MENTEE, 4, "partly", "Good fit; we ran out of time")


def _actions(message: dict) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_ending_asks_first_then_closes_every_old_message_and_refuses_their_buttons(env):
    """Issue 16 item 7: End asks to confirm; afterwards the kick-off and check-ins lose their buttons and
    say when it ended, and a button on an ended pair (or a meeting modal opened before) changes nothing."""
    pair_id = await _pair(env)
    channel = (await mentorships(env))[0].group_channel_id
    [kickoff] = env.slack.messages(channel)
    confirm = button(kickoff, "mentorship_end")["confirm"]
    assert confirm["title"]["text"] == "End this mentorship?" and confirm["deny"]["text"] == "Keep going"
    env.clock.advance(timedelta(days=21, hours=2))
    await run_sweep(env)
    [mentee_checkin], [mentor_checkin] = _checkins(env, MENTEE), _checkins(env, MENTOR)
    assert "confirm" in button(mentee_checkin, "mentorship_end")
    await click(env, "mentorship_log_meeting", pair_id, MENTOR, message=mentor_checkin)
    modal_opened_before = env.slack.opened_views[-1]["view"]

    await click(env, "mentorship_end", pair_id, MENTEE, message=mentee_checkin)
    ended_on = f"{env.clock.now().astimezone(env.runtime.settings.tz):%-d %B %Y}"
    [kickoff] = env.slack.messages(channel)
    assert _actions(kickoff) == [] and "Welcome to your mentorship" in text_of(kickoff)
    assert f"This mentorship ended on {ended_on}, so its buttons are gone." in text_of(kickoff)
    assert_golden("mentoring_kickoff_ended", golden_message(kickoff))
    for user_id in (MENTEE, MENTOR):
        old = next(m for m in dms(env, user_id) if "A check-in on your mentorship" in text_of(m))
        assert _actions(old) == [] and f"ended on {ended_on}" in text_of(old)
    assert_golden("mentoring_checkin_ended", golden_message(
        next(m for m in dms(env, MENTEE) if "A check-in on your mentorship" in text_of(m))))

    views = len(env.slack.opened_views)
    await click(env, "mentorship_log_meeting", pair_id, MENTOR, message=mentor_checkin)
    refused = env.slack.responses()[-1]["text"]
    assert f"This mentorship already ended on {ended_on}, so nothing changed." in refused
    assert len(env.slack.opened_views) == views  # no meeting form for an ended pair
    await click(env, "mentorship_snooze", pair_id, MENTOR, message=mentor_checkin)
    assert "already ended" in env.slack.responses()[-1]["text"]

    late = await env.driver.submit_view("mentorship_meeting", state_values(
        met_on={"met_on": {"selected_date": "2026-12-15"}}, minutes={"minutes": {"number": 30}},
        topics={"topics": {"selected_options": []}}, notes={"notes": None}), view=modal_opened_before)
    await env.settle()
    assert late.json()["response_action"] == "update"
    assert "already ended" in str(late.json()["view"]["blocks"])
    assert await rows(env, MentorshipMeeting) == []
    assert not any("CPD" in text_of(m) for user_id in (MENTEE, MENTOR) for m in dms(env, user_id))


async def test_a_checkin_delivered_after_the_end_is_closed_as_it_lands(env):
    """A check-in Slack refused until after the pair ended missed the end's updates: it is closed on arrival."""
    pair_id = await _pair(env)
    env.clock.advance(timedelta(days=21))
    env.slack.fail("chat.postMessage", status=500, times=1)
    await run_sweep(env)  # the mentee's check-in is owed, not yet delivered
    assert _checkins(env, MENTEE) == []
    await click(env, "mentorship_end", pair_id, MENTOR)

    env.clock.advance(LEASE + timedelta(seconds=1))
    for _ in range(2):  # the check-in goes out, then the update its arrival queued
        await env.runtime.outbox.sweep()
    await env.settle()
    [late] = [m for m in dms(env, MENTEE) if "check-in" in text_of(m).lower()]
    assert _actions(late) == [] and "This mentorship ended on" in text_of(late)


async def test_an_unanswered_formal_request_is_escalated_once_with_what_was_tried(env):
    await add_mentor(env, "U0MENTOR1", "Dr. Ada Example", ("measurement-run-charts",))
    await add_mentor(env, "U0MENTOR2", "Dr. Bram Placeholder", ("measurement-run-charts",))
    await env.driver.command("/find-mentor", "help with run charts")
    await env.settle()
    await click(env, "mentor_ask", (await candidates(env))[0].id, MENTEE)
    for _ in range(2):  # each mentor lets it expire
        env.clock.advance(timedelta(days=5))
        await run_sweep(env)
    [alert] = dms(env, ADMIN)
    assert_golden("mentoring_escalation_unanswered", golden_message(alert))
    assert text_of(alert).count("no answer in time") == 2
    env.clock.advance(timedelta(days=5))
    await run_sweep(env)
    assert len(dms(env, ADMIN)) == 1
    assert "Nobody else who fits is free" in text_of(dms(env, MENTEE)[-1])


async def test_a_vancouver_member_gets_the_timezone_from_slack_once(env):
    await _pair(env)
    env.clock.advance(timedelta(days=21, hours=2))
    await run_sweep(env)
    [member] = await rows(env, Member, Member.slack_user_id == MENTOR)
    assert member.timezone == "America/Vancouver"
    calls = len(env.slack.calls_to("users.info"))
    env.clock.advance(timedelta(days=21))
    await run_sweep(env)
    assert len(env.slack.calls_to("users.info")) == calls


async def test_snooze_is_stored_before_the_ack(env, monkeypatch):
    pair_id = await _pair(env)
    before = (await mentorships(env))[0].checkin_due_at
    slow_store(monkeypatch, pairs, "snooze_checkin")
    response = await env.driver.action("mentorship_snooze", value=str(pair_id), user_id=MENTEE)
    assert response.status == 200 and (await mentorships(env))[0].checkin_due_at != before
    await env.settle()
    assert "Snoozed" in text_of(env.slack.responses()[-1])


async def test_ending_is_stored_before_the_ack(env, monkeypatch):
    pair_id = await _pair(env)
    slow_store(monkeypatch, pairs, "end_mentorship")
    response = await env.driver.action("mentorship_end", value=str(pair_id), user_id=MENTEE)
    assert response.status == 200 and (await mentorships(env))[0].status == "ended"
    await env.settle()
    assert "You ended your mentorship" in text_of(dms(env, MENTEE)[-1])
