"""Member settings: the modal opens with what is stored, saves what was chosen, and refuses nonsense."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from sqlalchemy import select

from bot.member_settings import settings as member_settings
from sandbox import state_values
from storage.models import Member
from tests.golden import assert_golden

ME = "U0MEMBER1"


async def _member(env) -> Member:
    async with env.runtime.db.session() as session:
        return await session.scalar(select(Member).where(Member.team_id == "T0001", Member.slack_user_id == ME))


async def _open(env):
    await env.driver.command("/qi-commons", "settings")
    await env.settle()
    return env.slack.opened_views[-1]["view"]


def _values(**overrides):
    values = {
        "profession": {"value": {"selected": "psychiatry"}},
        "career_stage": {"value": {"selected": "early-career"}},
        "cpd_framework": {"value": {"selected": "cfpc-mainpro"}},
        "reminders": {"value": {"checked": []}},
        "quiet_start": {"value": {"selected_time": "17:30"}},
        "quiet_end": {"value": {"selected_time": "09:00"}},
        "digest": {"value": {"checked": ["mentoring"]}},
        "suggestions": {"value": {"checked": []}},
        "value_stories": {"value": {"checked": ["on"]}},
    }
    values.update(overrides)
    return state_values(values)


async def test_a_new_member_sees_the_defaults(env):
    view = await _open(env)
    assert_golden("settings_modal_defaults", {k: view[k] for k in ("type", "callback_id", "title", "submit", "close",
                                                                    "blocks")})
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["cpd_framework"]["element"]["initial_option"]["value"] == "rcpsc-moc"
    assert [o["value"] for o in blocks["reminders"]["element"]["initial_options"]] == ["on"]
    assert (blocks["quiet_start"]["element"]["initial_time"], blocks["quiet_end"]["element"]["initial_time"]) == (
        "18:00", "08:00")
    # Digest consent: yes for shares, no for mentorship news, until the member says otherwise.
    assert [o["value"] for o in blocks["digest"]["element"]["initial_options"]] == ["shares"]
    # Others starting similar work may be pointed to them, until they untick it.
    assert [o["value"] for o in blocks["suggestions"]["element"]["initial_options"]] == ["suggest"]
    # The monthly value-story DM is off until they ask for it.
    assert "initial_options" not in blocks["value_stories"]["element"]


async def test_settings_round_trip(env):
    view = await _open(env)
    response = await env.driver.submit_view("member_settings", _values(), view=view)
    await env.settle()
    assert response.status == 200 and not response.body
    member = await _member(env)
    assert (member.profession, member.career_stage, member.cpd_framework) == (
        "psychiatry", "early-career", "cfpc-mainpro")
    assert member.reminders_enabled is False
    assert (member.quiet_start, member.quiet_end) == (time(17, 30), time(9, 0))
    assert (member.name_in_digest_shares, member.name_in_digest_mentoring) == (False, True)
    assert member.suggest_me is False
    assert member.value_story_asks is True  # the monthly value-story DM, asked for here

    reopened = await _open(env)
    assert_golden("settings_modal_saved", {k: reopened[k] for k in ("type", "callback_id", "title", "submit",
                                                                    "close", "blocks")})
    blocks = {b.get("block_id"): b for b in reopened["blocks"]}
    assert blocks["profession"]["element"]["initial_option"]["value"] == "psychiatry"
    assert "initial_options" not in blocks["reminders"]["element"]


async def test_bad_settings_get_field_errors_and_nothing_is_saved(env):
    view = await _open(env)
    almost_all_day = _values(quiet_start={"value": {"selected_time": "08:00"}},
                             quiet_end={"value": {"selected_time": "07:30"}},
                             cpd_framework={"value": {"selected": "made-up"}},
                             profession={"value": {"selected": "astronaut"}})
    response = await env.driver.submit_view("member_settings", almost_all_day, view=view)
    errors = response.json()["errors"]
    assert set(errors) == {"quiet_end", "cpd_framework", "profession"}
    assert "less than an hour" in errors["quiet_end"]
    member = await _member(env)
    assert member.cpd_framework == "rcpsc-moc" and member.profession is None


async def test_the_same_start_and_end_means_no_quiet_hours(env):
    view = await _open(env)
    response = await env.driver.submit_view("member_settings", _values(
        quiet_start={"value": {"selected_time": "12:00"}}, quiet_end={"value": {"selected_time": "12:00"}}), view=view)
    assert not response.body
    member = await _member(env)
    assert member.quiet_start == member.quiet_end == time(12, 0)


async def test_a_health_number_given_straight_to_save_is_refused_and_nothing_is_stored(env):
    # A forged submission can put anything in a select's value: save itself keeps it out of the profile.
    before = await member_settings.load(env.runtime, "T0001", ME)
    forged = replace(before, profession="1234-567-897", career_stage="1234-567-897")
    errors = await member_settings.save(env.runtime, "T0001", ME, forged)
    assert set(errors) == {"profession", "career_stage"}
    member = await _member(env)
    assert (member.profession, member.career_stage) == (None, None)
