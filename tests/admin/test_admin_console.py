"""The admin console: what admins see, and that no admin action works for anyone else."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from bot.weekly.schedules import change_schedule
from sandbox import state_values
from storage.models import AuditLog, MentorProfile, Mentorship, MentorshipRequest, ScheduleControl
from tests.golden import assert_golden

TEAM = "T0001"
ADMIN = "U0ADMIN"
ME = "U0MEMBER1"


async def seed(env):
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        session.add_all([
            MentorProfile(team_id=TEAM, slack_user_id="U0MENTOR1", capacity=2, expertise=["qi-basics"],
                          formats=["formal"], modes=["virtual"], created_at=now),
            MentorProfile(team_id=TEAM, slack_user_id="U0MENTOR2", capacity=1, accepting=False, expertise=[],
                          formats=["formal"], modes=[], created_at=now),
            Mentorship(team_id=TEAM, mentor_id="U0MENTOR1", mentee_id="U0MENTEE", kind="formal", status="active",
                       started_at=now),
            MentorshipRequest(team_id=TEAM, mentee_id=ME, kind="formal", topics=["qi-basics"], needs="x",
                              status="unmatched", created_at=now - timedelta(days=6)),
            MentorshipRequest(team_id=TEAM, mentee_id="U0MEMBER2", kind="informal", topics=[], needs="y",
                              status="offered", escalated_at=now - timedelta(days=1), created_at=now - timedelta(days=9)),
            MentorshipRequest(team_id=TEAM, mentee_id="U0MEMBER3", kind="formal", topics=[], needs="z",
                              status="offered", created_at=now),  # still with a mentor: not in the inbox
        ])
    await change_schedule(env.runtime, team_id=TEAM, actor_id=ADMIN, jobs=("digest",), action="pause",
                          day=date(2026, 12, 31))


async def open_console(env, user_id=ADMIN):
    await env.driver.command("/qi-commons", "admin", user_id=user_id)
    await env.settle()
    return env.slack.opened_views[-1]["view"] if env.slack.opened_views else None


async def _refusals(env):
    async with env.runtime.db.session() as session:
        return (await session.scalars(select(AuditLog.subject).where(AuditLog.action == "admin.refused"))).all()


async def test_an_admin_sees_channel_schedules_inbox_roster_and_digest(env):
    await seed(env)
    view = await open_console(env)
    assert_golden("admin_console", {k: view[k] for k in ("type", "callback_id", "title", "close", "blocks")})
    text = json.dumps(view["blocks"])
    assert "<#C0COMMUNITY>: I am a member" in text
    assert "Paused until Thu 31 Dec 2026" in text and '"admin_console_resume"' in text
    assert "Escalation inbox (2)" in text and "<@U0MEMBER1>" in text and "<@U0MEMBER3>" not in text
    assert "2 mentors, 1 taking new mentees; 1 of 2 places in use, *1 free*" in text
    assert "/qi-commons admin digest preview" in text
    # One plural rule for every count (issue 16 item 14): "0 of 1 places used" read wrong.
    shown = json.dumps(view["blocks"], ensure_ascii=False)
    assert "<@U0MENTOR2>: 0 of 1 place in use · paused · 0 topics" in shown
    assert "<@U0MENTOR1>: 1 of 2 places in use · 1 topic" in shown


async def test_a_non_admin_is_refused_and_audited(env):
    assert await open_console(env, user_id=ME) is None
    assert "Only QI Commons admins" in env.slack.responses()[-1]["text"]
    assert await _refusals(env) == ["admin"]


async def test_every_console_action_is_refused_for_a_non_admin(env):
    await seed(env)
    view = await open_console(env)
    env.slack.reset_calls()
    await env.driver.action("admin_console_refresh", value="refresh", view=view, user_id=ME)
    await env.driver.action("admin_console_resume", value="digest", view=view, user_id=ME)
    await env.driver.action("admin_console_edit_mentor", value="U0MENTOR1", view=view, user_id=ME)
    await env.settle()
    assert env.slack.calls_to("views.update") == [] and env.slack.calls_to("views.push") == []
    async with env.runtime.db.session() as session:
        control = await session.scalar(select(ScheduleControl).where(ScheduleControl.job == "digest"))
    assert control.paused_until == date(2026, 12, 31)
    # The three listeners run concurrently after their acks, so the audit rows come in any order.
    assert sorted(await _refusals(env)) == ["console refresh", "mentor edit", "schedule resume"]


async def test_a_forged_submission_with_an_admin_callback_id_is_refused(env):
    await seed(env)
    values = state_values(capacity={"value": {"number": 20}}, accepting={"value": {"checked": ["accepting"]}})
    response = await env.driver.submit_view("admin_mentor_load", values, user_id=ME,
                                            private_metadata=json.dumps({"mentor": "U0MENTOR2", "console": "V1"}))
    assert response.json()["response_action"] == "update"
    assert "Only QI Commons admins" in json.dumps(response.json()["view"])
    async with env.runtime.db.session() as session:
        mentor = await session.scalar(select(MentorProfile).where(MentorProfile.slack_user_id == "U0MENTOR2"))
    assert (mentor.capacity, mentor.accepting) == (1, False)
    assert await _refusals(env) == ["mentor load save"]


async def test_an_admin_resumes_a_job_and_changes_a_mentors_places(env):
    await seed(env)
    view = await open_console(env)
    await env.driver.action("admin_console_resume", value="digest", view=view, user_id=ADMIN)
    await env.settle()
    assert "Paused until" not in json.dumps(env.slack.view(view["id"])["blocks"])

    await env.driver.action("admin_console_edit_mentor", value="U0MENTOR2", view=view, user_id=ADMIN)
    await env.settle()
    pushed = env.slack.opened_views[-1]["view"]
    assert_golden("admin_mentor_load_modal", {k: pushed[k] for k in ("type", "callback_id", "title", "submit",
                                                                     "close", "blocks", "private_metadata")})
    bad = await env.driver.submit_view("admin_mentor_load", state_values(capacity={"value": {"number": 99}}),
                                       user_id=ADMIN, view=pushed)
    assert "capacity" in bad.json()["errors"]
    values = state_values(capacity={"value": {"number": 3}}, accepting={"value": {"checked": ["accepting"]}})
    ok = await env.driver.submit_view("admin_mentor_load", values, user_id=ADMIN, view=pushed)
    await env.settle()
    assert not ok.body
    async with env.runtime.db.session() as session:
        mentor = await session.scalar(select(MentorProfile).where(MentorProfile.slack_user_id == "U0MENTOR2"))
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "admin.mentor_load"))
    assert (mentor.capacity, mentor.accepting) == (3, True)
    assert audit.actor_id == ADMIN and audit.subject == "mentor:U0MENTOR2"
    assert "1 of 5 places in use" in json.dumps(env.slack.view(view["id"])["blocks"])


async def test_every_admin_subcommand_and_the_digest_preview_are_refused_for_a_non_admin(env):
    from handlers.admin.command import ADMIN_SUBCOMMANDS
    from handlers.admin.guard import REFUSAL

    await seed(env)
    env.slack.reset_calls()
    # Whatever admin subcommands exist now, including ones added later: the router guards them all.
    typed = [f"admin {word} digest 2026-12-04" if word else "admin" for word in sorted(ADMIN_SUBCOMMANDS)]
    for text in [*typed, "digest preview"]:
        url = env.slack.response_url()
        await env.driver.command("/qi-commons", text, user_id=ME, response_url=url)
        await env.settle()
        [reply] = env.slack.responses(url)
        assert reply["response_type"] == "ephemeral" and reply["text"] == REFUSAL, text
    assert env.slack.opened_views == [] and env.slack.messages("C0COMMUNITY") == []
    async with env.runtime.db.session() as session:
        control = await session.scalar(select(ScheduleControl).where(ScheduleControl.job == "digest"))
    assert (control.paused_until, control.skip_dates) == (date(2026, 12, 31), [])
    assert len(await _refusals(env)) == len(typed) + 1


async def test_resume_from_the_console_is_stored_before_the_ack(env, monkeypatch):
    from handlers.admin import console
    from tests.ack_order import slow_store

    await seed(env)
    view = await open_console(env)
    slow_store(monkeypatch, console, "change_schedule")
    response = await env.driver.action("admin_console_resume", value="digest", view=view, user_id=ADMIN)
    async with env.runtime.db.session() as session:
        paused = await session.scalar(select(ScheduleControl.paused_until).where(ScheduleControl.job == "digest"))
    assert response.status == 200 and paused is None
    await env.settle()
    assert "Paused until" not in json.dumps(env.slack.view(view["id"])["blocks"])
