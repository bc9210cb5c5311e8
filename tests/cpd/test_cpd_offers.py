"""One-click CPD offers after a QI share and after a mentoring meeting, called directly and then
followed through the prefilled /cpd-log form as the member would."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from bot.core.members import ensure_member
from handlers.cpd.offers import offer_cpd_for_meeting, offer_cpd_for_update
from sandbox import state_values
from storage.models import CpdEntry, Member, QiProject, QiUpdate
from tests.conftest import MEMBER_ID, OTHER_ID
from tests.golden import assert_golden, validate_blocks

TEAM = "T0001"


async def shared_update(env, *, feedback_received: bool, learned: str, owner: str = MEMBER_ID) -> int:
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        project = QiProject(
            team_id=TEAM,
            owner_id=owner,
            slug="metabolic-monitoring",
            title="Metabolic monitoring on clozapine",
            created_at=now,
        )
        session.add(project)
        await session.flush()
        update = QiUpdate(
            team_id=TEAM,
            project_id=project.id,
            author_id=owner,
            learned=learned,
            tried="Audited 40 charts for metabolic monitoring",
            feedback_received=feedback_received,
            created_at=now,
        )
        session.add(update)
        await session.flush()
        return update.id


def offer_button(message: dict) -> dict:
    return message["blocks"][-1]["elements"][0]


async def open_from(env, message: dict, user_id: str = MEMBER_ID) -> dict:
    await env.driver.action(
        "cpd_open_entry_form",
        value=offer_button(message)["value"],
        user_id=user_id,
        channel_id=message.get("channel"),
    )
    await env.settle()
    return env.slack.opened_views[-1]["view"]


def field(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]


async def test_a_share_with_feedback_offers_a_section_3_practice_assessment(env):
    update_id = await shared_update(env, feedback_received=True, learned="Peers reviewed our run chart.")

    await offer_cpd_for_update(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        channel_id="C0COMMUNITY",
        update_id=update_id,
    )

    [offer] = env.slack.ephemerals(user=MEMBER_ID, channel="C0COMMUNITY")
    assert offer["text"].startswith("Log time on this as CPD?")
    assert "Section 3 practice assessment: 3 credits/h" in offer["blocks"][0]["text"]["text"]
    assert (
        "Suggested: Section 3 · Practice assessment (incl. QI with feedback) (3 credits/h)."
        in (offer["blocks"][1]["elements"][0]["text"])
    )
    assert_golden("cpd_offer_qi_update_feedback", {"text": offer["text"], "blocks": offer["blocks"]})

    view = await open_from(env, offer)
    assert field(view, "activity")["initial_option"]["value"] == "s3-practice-assessment"
    assert field(view, "title")["initial_value"] == "QI work: Metabolic monitoring on clozapine"
    assert field(view, "project")["initial_option"]["text"]["text"] == "Metabolic monitoring on clozapine"
    assert "initial_value" not in field(view, "amount")  # the time spent is the member's to say
    assert_golden(
        "cpd_entry_form_from_qi_update",
        {k: view[k] for k in ("callback_id", "title", "blocks", "private_metadata", "type")},
    )

    values = state_values(
        date={"value": {"selected_date": "2026-11-25"}},
        activity={"cpd_entry_activity": {"selected": "s3-practice-assessment"}},
        amount={"value": "2"},
        title={"value": field(view, "title")["initial_value"]},
        project={"value": {"selected": field(view, "project")["initial_option"]["value"]}},
        reflection_learned={"value": "Weekend admissions are missed."},
    )
    response = await env.driver.submit_view("cpd_entry", values, view=view)

    assert "6 Royal College MOC credits" in json.dumps(response.json()["view"])
    async with env.runtime.db.session() as session:
        [entry] = (await session.scalars(select(CpdEntry))).all()
        project = await session.scalar(select(QiProject))
    assert (entry.member_id, entry.activity_type, entry.hours) == (
        MEMBER_ID,
        "s3-practice-assessment",
        Decimal("2.00"),
    )
    assert (entry.qi_project_id, entry.source) == (project.id, "qi_update")


async def test_a_share_without_feedback_offers_a_section_2_plp_and_says_why(env):
    update_id = await shared_update(env, feedback_received=False, learned="Still waiting for feedback.")

    await offer_cpd_for_update(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        channel_id="C0COMMUNITY",
        update_id=update_id,
    )

    [offer] = env.slack.ephemerals(user=MEMBER_ID)
    why = offer["blocks"][0]["text"]["text"]
    assert "Section 2 personal learning project: 2 credits/h" in why
    assert "Once peers or your team review your data" in why
    view = await open_from(env, offer)
    assert field(view, "activity")["initial_option"]["value"] == "s2-plp"


async def test_the_update_text_can_say_feedback_was_received(env):
    update_id = await shared_update(env, feedback_received=False, learned="Got peer feedback on our data.")

    await offer_cpd_for_update(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        channel_id="C0COMMUNITY",
        update_id=update_id,
    )

    [offer] = env.slack.ephemerals(user=MEMBER_ID)
    assert 'Your update mentions "feedback"' in offer["blocks"][0]["text"]["text"]


async def test_no_offer_for_someone_elses_update(env):
    update_id = await shared_update(env, feedback_received=True, learned="", owner=OTHER_ID)

    await offer_cpd_for_update(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        channel_id="C0COMMUNITY",
        update_id=update_id,
    )

    assert env.slack.ephemerals() == [] and env.slack.calls_to("chat.postEphemeral") == []


async def test_an_offer_that_slack_refuses_is_retried_from_the_outbox(env):
    update_id = await shared_update(env, feedback_received=True, learned="")
    env.slack.fail("chat.postEphemeral", status=500)

    await offer_cpd_for_update(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        channel_id="C0COMMUNITY",
        update_id=update_id,
    )
    assert env.slack.ephemerals() == []
    env.clock.advance(timedelta(minutes=5))
    assert await env.runtime.outbox.sweep() == 1

    assert len(env.slack.ephemerals(user=MEMBER_ID)) == 1


async def test_a_mentee_is_offered_a_plp_with_the_meeting_time(env):
    await offer_cpd_for_meeting(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        role="mentee",
        minutes=90,
        met_on=date(2026, 11, 24),
        topic_summary="Run charts for our audit",
    )

    [dm] = env.slack.messages(env.slack.dm_channel(MEMBER_ID))
    assert (
        "Planned learning with a mentor counts as a Section 2 personal learning project"
        in (dm["blocks"][0]["text"]["text"])
    )
    assert "1.5 h = 3 credits" in dm["blocks"][1]["elements"][0]["text"]
    assert_golden("cpd_offer_mentee", {"text": dm["text"], "blocks": dm["blocks"]})

    view = await open_from(env, dm)
    assert field(view, "activity")["initial_option"]["value"] == "s2-plp"
    assert field(view, "amount")["initial_value"] == "1.5"
    assert field(view, "date")["initial_date"] == "2026-11-24"
    assert field(view, "title")["initial_value"] == "Mentoring: Run charts for our audit"


async def test_a_mentor_hears_that_mentoring_earns_no_credit_and_can_log_preparation(env):
    await offer_cpd_for_meeting(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=OTHER_ID,
        role="mentor",
        minutes=60,
        met_on=date(2026, 11, 24),
        topic_summary="Run charts",
    )

    [dm] = env.slack.messages(env.slack.dm_channel(OTHER_ID))
    assert "teaching or mentoring others earns no credit itself" in dm["blocks"][0]["text"]["text"]
    assert offer_button(dm)["text"]["text"] == "Log preparation time"
    assert_golden("cpd_offer_mentor", {"text": dm["text"], "blocks": dm["blocks"]})

    view = await open_from(env, dm, user_id=OTHER_ID)
    assert field(view, "activity")["initial_option"]["value"] == "s2-plp"
    assert "initial_value" not in field(view, "amount")
    assert field(view, "title")["initial_value"] == "Preparing to mentor: Run charts"


async def test_a_topic_with_a_patient_identifier_is_not_put_in_the_offer(env):
    await offer_cpd_for_meeting(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        role="mentee",
        minutes=30,
        met_on=date(2026, 11, 24),
        topic_summary="Patient MRN 4455667 plan",
    )

    [dm] = env.slack.messages(env.slack.dm_channel(MEMBER_ID))
    assert "4455667" not in json.dumps(dm)
    assert "Mentoring: mentoring meeting" in json.dumps(dm)


async def test_a_forged_prefill_cannot_link_someone_elses_project(env):
    update_id = await shared_update(env, feedback_received=True, learned="", owner=OTHER_ID)
    async with env.runtime.db.session() as session:
        project_id = (await session.get(QiUpdate, update_id)).project_id
    forged = json.dumps({"a": "s2-plp", "t": "x", "p": project_id})

    await env.driver.action("cpd_open_entry_form", value=forged)
    await env.settle()
    view = env.slack.opened_views[-1]["view"]
    assert all(b.get("block_id") != "project" for b in view["blocks"])
    values = state_values(
        date={"value": {"selected_date": "2026-11-25"}},
        activity={"cpd_entry_activity": {"selected": "s2-plp"}},
        amount={"value": "1"},
        title={"value": "x"},
        project={"value": {"selected": str(project_id)}},
        reflection_learned={"value": "Something."},
    )
    await env.driver.submit_view("cpd_entry", values, view=view)

    async with env.runtime.db.session() as session:
        [entry] = (await session.scalars(select(CpdEntry))).all()
    assert entry.qi_project_id is None


async def test_an_offer_slack_cannot_show_where_the_member_shared_goes_to_their_dm(env):
    # /qi-share typed in a DM with a colleague: the bot cannot post an ephemeral there.
    update_id = await shared_update(env, feedback_received=True, learned="")
    env.slack.fail("chat.postEphemeral", error="channel_not_found")

    await offer_cpd_for_update(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        channel_id="D0COLLEAGUE",
        update_id=update_id,
    )
    assert env.slack.ephemerals() == []
    assert await env.runtime.outbox.sweep() == 1

    [dm] = env.slack.messages(env.slack.dm_channel(MEMBER_ID))
    assert dm["text"].startswith("Log time on this as CPD?")
    view = await open_from(env, dm)
    assert field(view, "activity")["initial_option"]["value"] == "s3-practice-assessment"


async def test_a_mentor_under_learning_hours_is_offered_the_meeting_itself(env):
    async with env.runtime.db.session() as session, session.begin():
        await ensure_member(env.runtime, session, TEAM, OTHER_ID)
        await session.execute(
            update(Member).where(Member.slack_user_id == OTHER_ID).values(cpd_framework="hours")
        )

    await offer_cpd_for_meeting(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=OTHER_ID,
        role="mentor",
        minutes=45,
        met_on=date(2026, 11, 24),
        topic_summary="Run charts",
    )

    [dm] = env.slack.messages(env.slack.dm_channel(OTHER_ID))
    assert dm["text"].startswith("Log your mentoring meeting as CPD?")
    assert "0.75 h = 0.75 hours" in dm["blocks"][1]["elements"][0]["text"]
    view = await open_from(env, dm, user_id=OTHER_ID)
    assert field(view, "activity")["initial_option"]["value"] == "mentoring"
    assert field(view, "amount")["initial_value"] == "0.75"
    assert field(view, "title")["initial_value"] == "Mentoring: Run charts"


async def test_an_offer_for_an_update_written_in_emoji_fits_slacks_button_value(env):
    update_id = await shared_update(env, feedback_received=False, learned="")
    async with env.runtime.db.session() as session, session.begin():
        await session.execute(update(QiUpdate).values(project_id=None, tried="📈" * 300))

    await offer_cpd_for_update(
        env.runtime,
        env.runtime.client,
        team_id=TEAM,
        user_id=MEMBER_ID,
        channel_id="C0COMMUNITY",
        update_id=update_id,
    )

    [offer] = env.slack.ephemerals(user=MEMBER_ID)
    validate_blocks(offer["blocks"])  # a button value is at most 2000 characters
    view = await open_from(env, offer)
    assert field(view, "title")["initial_value"] == "QI work: " + "📈" * 190 + "…"


async def test_a_share_from_a_channel_the_bot_is_not_in_offers_cpd_right_there(env):
    # Issue 16 item 11: chat.postEphemeral is refused (channel_not_found) in a private channel the bot
    # was never invited to; the command's response_url still answers there.
    env.slack.add_channel("C0TEAM4B", name="team-4b", is_private=True, bot_member=False)

    await env.driver.command("/qi-share", "Audited 40 charts for metabolic monitoring", channel_id="C0TEAM4B")
    await env.settle()

    confirmation, offer = env.slack.responses()
    assert confirmation["text"].startswith(":white_check_mark: Shared!")
    assert offer["text"].startswith("Log time on this as CPD?")
    assert offer["response_type"] == "ephemeral" and offer["replace_original"] is False
    assert env.slack.calls_to("chat.postEphemeral") == []
    view = await open_from(env, offer)
    assert field(view, "title")["initial_value"] == "QI work: Audited 40 charts for metabolic monitoring"


async def test_an_offer_whose_response_url_is_refused_reaches_the_members_dm(env):
    env.slack.add_channel("C0TEAM4B", name="team-4b", is_private=True, bot_member=False)
    env.slack.fail("response_url", status=404, error="used_url", times=None)

    await env.driver.command("/qi-share", "Audited 40 charts for metabolic monitoring", channel_id="C0TEAM4B")
    await env.settle()
    await env.runtime.outbox.drain()  # the scheduler drains every few seconds

    offers = [m for m in env.slack.messages(env.slack.dm_channel(MEMBER_ID))
              if m["text"].startswith("Log time on this as CPD?")]
    assert len(offers) == 1
    assert env.slack.ephemerals() == []
