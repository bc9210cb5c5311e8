"""Value stories from the monthly DM to the admins' report and the digest, with each teller's consent kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.core import nudges
from bot.report.stories import ASK_NUDGE
from handlers.report.blocks import STORY_ASK, STORY_MODAL
from handlers.weekly.jobs import run_weekly_job
from sandbox import state_values
from storage.models import AuditLog, Member, Nudge, ValueStory
from tests.conftest import ADMIN_ID, MEMBER_ID, OTHER_ID
from tests.golden import assert_golden

# Tue 1 Dec 2026, 10:00 in Toronto (and 07:00 in Vancouver, where OTHER_ID lives: before their quiet hours end).
DECEMBER_FIRST = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


async def _opt_in(env, *users: str) -> None:
    for user in users:
        await env.driver.command("/qi-commons", "settings", user_id=user)
        await env.settle()
        view = env.slack.opened_views[-1]["view"]
        values = state_values({
            "cpd_framework": {"value": {"selected": "rcpsc-moc"}}, "reminders": {"value": {"checked": ["on"]}},
            "quiet_start": {"value": {"selected_time": "18:00"}}, "quiet_end": {"value": {"selected_time": "08:00"}},
            "digest": {"value": {"checked": ["shares"]}}, "value_stories": {"value": {"checked": ["on"]}}})
        response = await env.driver.submit_view("member_settings", values, user_id=user, view=view)
        assert response.status == 200 and not response.body
        await env.settle()


def _story(what: str = "A colleague's update showed me their handover checklist",
           difference: str = "We missed fewer tasks on nights", cycle: str = "applied", consent: str = "named"):
    return state_values({"what_happened": {"value": what}, "difference": {"value": difference},
                         "cycle": {"value": {"selected": cycle}}, "consent": {"value": {"radio": consent}}})


async def _stories(env) -> list[ValueStory]:
    async with env.runtime.db.session() as session:
        return list((await session.scalars(select(ValueStory).order_by(ValueStory.id))).all())


async def test_the_monthly_ask_is_sent_once_inside_each_members_hours(env):
    await _opt_in(env, MEMBER_ID, OTHER_ID)
    env.clock.set(DECEMBER_FIRST)
    for _ in range(3):  # three sweeps: owed once, sent once
        await nudges.sweep(env.runtime)
        await env.settle()
    [ask] = env.slack.messages(env.slack.dm_channel(MEMBER_ID))
    assert_golden("report_story_ask", {"text": ask["text"], "blocks": ask["blocks"]})
    assert ask["text"] == "Has anything from QI Commons made a difference to your work?"
    # Vancouver is still in its quiet hours: their ask waits for their morning.
    assert env.slack.messages(env.slack.dm_channel(OTHER_ID)) == []
    env.clock.advance(timedelta(hours=2))
    await nudges.sweep(env.runtime)
    await env.settle()
    assert len(env.slack.messages(env.slack.dm_channel(OTHER_ID))) == 1
    async with env.runtime.db.session() as session:
        owed = (await session.scalars(select(Nudge.subject_key).where(Nudge.kind == ASK_NUDGE))).all()
    assert sorted(owed) == ["2026-12", "2026-12"]


async def test_the_ask_respects_the_one_dm_a_day_cap_and_the_opt_out(env):
    await _opt_in(env, MEMBER_ID)
    env.clock.set(DECEMBER_FIRST)
    async with env.runtime.db.session() as session, session.begin():
        # Another nudge went to them earlier today: the story ask waits for tomorrow.
        session.add(Nudge(team_id="T0001", slack_user_id=MEMBER_ID, kind="checkin", subject_key="mentorship:9",
                          due_at=DECEMBER_FIRST - timedelta(hours=1), status="sent",
                          sent_at=DECEMBER_FIRST - timedelta(minutes=30)))
    await nudges.sweep(env.runtime)
    await env.settle()
    assert _posted_to(env, MEMBER_ID) == []
    env.clock.advance(timedelta(days=1))
    async with env.runtime.db.session() as session, session.begin():
        await session.execute(update(Member).values(value_story_asks=False))  # they turned it off meanwhile
    await nudges.sweep(env.runtime)
    await env.settle()
    assert _posted_to(env, MEMBER_ID) == []


def _posted_to(env, user: str) -> list[dict]:
    return [call for call in env.slack.calls_to("chat.postMessage") if call["channel"] == user]


async def test_a_story_flows_from_the_dm_to_the_report_and_the_digest_with_consent(env):
    await env.driver.action(STORY_ASK, value="2026-11", user_id=MEMBER_ID, channel_id=env.slack.dm_channel(MEMBER_ID))
    await env.settle()
    modal = env.slack.opened_views[-1]["view"]
    assert_golden("report_story_modal", {k: modal[k] for k in ("type", "callback_id", "title", "submit", "close",
                                                                 "blocks")})

    # A patient identifier: refused on the field, nothing stored.
    refused = await env.driver.submit_view(STORY_MODAL, _story(what="Seen with MRN 1234567 on 4B"), user_id=MEMBER_ID,
                                           view=modal)
    assert refused.json()["response_action"] == "errors" and "what_happened" in refused.json()["errors"]
    # A forged cycle and an empty answer: told on their fields.
    forged = await env.driver.submit_view(STORY_MODAL, _story(difference=" ", cycle="made-up"), user_id=MEMBER_ID,
                                          view=modal)
    assert set(forged.json()["errors"]) == {"difference", "cycle"}
    assert await _stories(env) == []

    saved = await env.driver.submit_view(STORY_MODAL, _story(), user_id=MEMBER_ID, view=modal)
    assert saved.json()["response_action"] == "update"
    assert_golden("report_story_saved", saved.json()["view"])
    await env.driver.submit_view(STORY_MODAL, _story(difference="Our unit now huddles on QI", cycle="reframing",
                                                     consent="anonymous"), user_id=OTHER_ID, view=modal)
    await env.driver.submit_view(STORY_MODAL, _story(difference="ADMINS ONLY words", consent="admins"),
                                 user_id="U0MEMBER3", view=modal)
    await env.settle()
    assert [(s.author_id, s.cycle, s.consent) for s in await _stories(env)] == [
        (MEMBER_ID, "applied", "named"), (OTHER_ID, "reframing", "anonymous"), ("U0MEMBER3", "applied", "admins")]
    async with env.runtime.db.session() as session:
        audited = (await session.execute(select(AuditLog.actor_id, AuditLog.detail)
                                         .where(AuditLog.action == "value_story.shared"))).all()
    assert len(audited) == 3 and "huddles" not in json.dumps([a.detail for a in audited])  # never the words

    # The admins' report lists all three; the anonymous one without its teller.
    await env.driver.command("/qi-commons", "admin report 2026-11", user_id=ADMIN_ID)
    await env.settle()
    report = json.dumps(env.slack.messages(env.slack.dm_channel(ADMIN_ID))[0]["blocks"])
    assert "Stories of changing how we work: *1*" in report
    assert f"<@{MEMBER_ID}> (may be shared)" in report and "a member (may be shared without the name)" in report
    assert "ADMINS ONLY words" in report and OTHER_ID not in report

    # Friday's digest features the shareable ones; never the admins-only story, never the anonymous teller.
    await env.driver.command("/qi-share", "Tried a checklist", user_id=MEMBER_ID)
    await env.settle()
    result = await run_weekly_job(env.runtime, "digest", due=datetime(2026, 11, 27, 20, 0, tzinfo=UTC))
    digest = json.dumps(result.message["blocks"], ensure_ascii=False)
    assert "The difference QI Commons made" in digest
    assert f"We missed fewer tasks on nights” (<@{MEMBER_ID}>)" in digest
    assert "Our unit now huddles on QI” (a member)" in digest
    assert "ADMINS ONLY" not in digest and OTHER_ID not in digest


async def test_forget_me_deletes_a_members_stories(env):
    await env.driver.action(STORY_ASK, value="2026-11", user_id=MEMBER_ID, channel_id=env.slack.dm_channel(MEMBER_ID))
    await env.settle()
    modal = env.slack.opened_views[-1]["view"]
    await env.driver.submit_view(STORY_MODAL, _story(), user_id=MEMBER_ID, view=modal)
    await env.driver.submit_view(STORY_MODAL, _story(consent="anonymous"), user_id=OTHER_ID, view=modal)
    await env.settle()
    await env.driver.command("/qi-commons", "export-my-data", user_id=MEMBER_ID)
    await env.settle()
    exported = json.loads(env.slack.files[-1].content)
    assert [s["difference"] for s in exported["value_stories"]] == ["We missed fewer tasks on nights"]

    await env.driver.command("/qi-commons", "forget-me", user_id=MEMBER_ID)
    await env.driver.action("privacy_forget_confirm", value="confirm", user_id=MEMBER_ID)
    await env.settle()
    assert [s.author_id for s in await _stories(env)] == [OTHER_ID]
    assert "1 value story" in env.slack.responses()[-1]["text"]
