"""`/qi-commons mentor`: become a mentor, change the offer, pause, stop; fields are checked first."""

from __future__ import annotations

from dataclasses import replace

from sandbox import state_values
from storage.models import Member, MentorProfile
from tests.golden import assert_golden
from tests.mentoring_helpers import MENTEE, dms, golden_message, rows, text_of


def _form(status: str = "accepting", bio: str | None = "Led a restraint-reduction project.",
          expertise: tuple[str, ...] = ("measurement-run-charts", "addictions")) -> dict:
    return state_values(
        expertise={"expertise": {"selected_options": list(expertise)}},
        discipline={"discipline": {"selected": "psychiatry"}},
        career_stage={"career_stage": {"selected": "late-career"}},
        capacity={"capacity": {"number": 3}},
        formats={"formats": {"checked": ["formal"]}},
        modes={"modes": {"checked": ["virtual", "in-person"]}},
        bio={"bio": bio},
        status={"status": {"radio": status}},
    )


async def _open(env) -> dict:
    await env.driver.command("/qi-commons", "mentor")
    await env.settle()
    return env.slack.opened_views[-1]["view"]


def _shape(view: dict) -> dict:
    return {k: view[k] for k in ("type", "title", "submit", "close", "blocks")}


async def test_become_change_pause_and_stop_being_a_mentor(env):
    modal = await _open(env)
    assert_golden("mentoring_profile_modal_new", _shape(modal))
    status = next(b for b in modal["blocks"] if b.get("block_id") == "status")
    assert [o["value"] for o in status["element"]["options"]] == ["accepting", "paused"]

    bad = await env.driver.submit_view("mentor_profile", _form(bio="Reach me at 416-555-0199", expertise=()),
                                       view=modal)
    assert set(bad.json()["errors"]) == {"expertise", "bio"}
    assert await rows(env, MentorProfile) == []

    await env.driver.submit_view("mentor_profile", _form(), view=modal)
    await env.settle()
    [profile] = await rows(env, MentorProfile)
    assert (profile.name, profile.expertise, profile.capacity, profile.formats, profile.accepting, profile.source) == (
        "Dr. Member", ["measurement-run-charts", "addictions"], 3, ["formal"], True, "self")
    saved = dms(env, MENTEE)[-1]
    assert_golden("mentoring_profile_saved", golden_message(saved))
    assert "You're now a QI Commons mentor" in text_of(saved)
    assert await rows(env, Member, Member.slack_user_id == MENTEE)  # their Home can show it

    modal = await _open(env)
    assert_golden("mentoring_profile_modal_existing", _shape(modal))
    expertise = next(b for b in modal["blocks"] if b.get("block_id") == "expertise")
    assert [o["value"] for o in expertise["element"]["initial_options"]] == ["measurement-run-charts", "addictions"]
    await env.driver.submit_view("mentor_profile", _form(status="paused"), view=modal)
    await env.settle()
    [profile] = await rows(env, MentorProfile)
    assert profile.accepting is False and "Your mentor profile is updated" in text_of(dms(env, MENTEE)[-1])

    await env.driver.submit_view("mentor_profile", _form(status="stop"), view=await _open(env))
    await env.settle()
    assert await rows(env, MentorProfile) == []
    gone = dms(env, MENTEE)[-1]
    assert_golden("mentoring_profile_removed", golden_message(gone))
    assert "no longer listed as a mentor" in text_of(gone)



async def test_the_name_on_file_stays_and_a_slow_lookup_never_delays_the_save(env):
    await env.driver.submit_view("mentor_profile", _form(), view=await _open(env))
    await env.settle()
    modal = await _open(env)
    env.slack.fail("users.info", error="user_not_found")
    await env.driver.submit_view("mentor_profile", _form(status="paused"), view=modal)
    await env.settle()
    [profile] = await rows(env, MentorProfile)
    assert (profile.name, profile.accepting) == ("Dr. Member", False)

    # Slack wants the submission answered within 3 seconds: the profile is saved and acknowledged first,
    # and a slow users.info only updates the name afterwards.
    env.slack.add_user(MENTEE, name="member", real_name="Dr. Renamed")
    modal = await _open(env)
    env.slack.delay("users.info", 1.0)
    response = await env.driver.submit_view("mentor_profile", _form(), view=modal)
    assert response.status == 200
    [profile] = await rows(env, MentorProfile)
    assert (profile.name, profile.accepting) == ("Dr. Member", True)  # saved before the lookup answered
    await env.settle()
    [profile] = await rows(env, MentorProfile)
    assert profile.name == "Dr. Renamed"


async def test_a_new_mentor_form_starts_from_the_members_own_settings(env):
    """Issue 16 item 14: a member who set their profession and career stage was asked for them again."""
    from bot.member_settings import settings as member_settings

    current = await member_settings.load(env.runtime, "T0001", MENTEE)
    await member_settings.save(env.runtime, "T0001", MENTEE,
                               replace(current, profession="social-work", career_stage="early-career"))
    modal = await _open(env)
    chosen = {b["block_id"]: b["element"].get("initial_option", {}).get("value") for b in modal["blocks"]
              if b.get("block_id") in ("discipline", "career_stage")}
    assert chosen == {"discipline": "social-work", "career_stage": "early-career"}
