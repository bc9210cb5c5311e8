"""App Home: what a member sees when they open it, and that it follows their changes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from sandbox import state_values
from storage.models import (
    CpdEntry,
    Member,
    MentorProfile,
    Mentorship,
    MentorshipCandidate,
    MentorshipRequest,
    QiProject,
    QiProjectMember,
    QiUpdate,
)
from tests.golden import assert_golden

TEAM = "T0001"
ME = "U0MEMBER1"
OTHER = "U0MEMBER2"


async def open_home(env, user_id=ME):
    await env.driver.event({"type": "app_home_opened", "user": user_id, "tab": "home", "channel": "D0HOME"})
    await env.settle()
    return env.slack.home_view(user_id)


def _text(view) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


async def add_project(session, now, *, title, owner=ME, members=(), slug=None, stage="plan", score="1.0",
                      status="active", updated=None):
    project = QiProject(team_id=TEAM, owner_id=owner, slug=slug or title.lower().replace(" ", "-")[:40],
                        title=title, pdsa_stage=stage, progress_score=Decimal(score), status=status, tags=[],
                        created_at=now - timedelta(days=30), updated_at=updated or now - timedelta(days=30))
    project.members = [QiProjectMember(team_id=TEAM, slack_user_id=m) for m in members]
    session.add(project)
    await session.flush()
    return project


async def add_request(session, now, *, mentee=ME, status="offered", topics=("measurement-run-charts",), needs="Help with run charts"):
    request = MentorshipRequest(team_id=TEAM, mentee_id=mentee, kind="formal", topics=list(topics), needs=needs,
                                status=status, created_at=now - timedelta(days=3))
    session.add(request)
    await session.flush()
    return request


async def seed_busy_member(env):
    """Many projects, requests, mentees and CPD entries: the Home must stay under 100 blocks."""
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        session.add(Member(team_id=TEAM, slack_user_id=ME, cpd_framework="rcpsc-moc", cpd_cycle_start_year=2026,
                           created_at=now - timedelta(days=90), home_seen_at=now - timedelta(days=1)))
        for i in range(30):
            project = await add_project(session, now, title=f"Project {i:02d} <!channel>", slug=f"p{i}",
                                        updated=now - timedelta(days=40 - i), members=[OTHER] if i % 2 else [])
            session.add(QiUpdate(team_id=TEAM, project_id=project.id, author_id=ME, tried=f"Tried {i}",
                                 post_status="posted", created_at=now - timedelta(days=40 - i)))
        for i in range(8):
            await add_request(session, now - timedelta(hours=i), status=("offered", "shortlisted", "unmatched")[i % 3])
        session.add(MentorProfile(team_id=TEAM, slack_user_id=ME, capacity=3, accepting=True, expertise=["run-charts"],
                                  formats=["formal"], modes=["virtual"], created_at=now))
        for i in range(10):
            session.add(Mentorship(team_id=TEAM, mentor_id=ME, mentee_id=f"U0MENTEE{i}", kind="formal",
                                   status="active", started_at=now - timedelta(days=i),
                                   checkin_due_at=now + timedelta(days=i + 2)))
        session.add(Mentorship(team_id=TEAM, mentor_id="U0SENIOR", mentee_id=ME, kind="formal", status="active",
                               started_at=now - timedelta(days=60), checkin_due_at=now + timedelta(days=1)))
        for i in range(40):
            session.add(CpdEntry(team_id=TEAM, member_id=ME, framework="rcpsc-moc",
                                 activity_type=("s1-accredited", "s2-plp")[i % 2],
                                 occurred_on=date(2026, 1 + i % 10, 1 + i % 27), hours=Decimal("1.5"),
                                 title=f"Entry {i}", reflection_learned="Learned" if i % 4 else None,
                                 created_at=now))


async def test_a_new_member_gets_the_welcome_once_and_an_empty_home(env):
    view = await open_home(env)
    assert_golden("home_new_member", view)
    text = _text(view)
    assert "Welcome to QI Commons" in text
    assert "No projects yet" in text and "No mentoring yet" in text
    assert "0 of 25 credits" in text  # MOC: 25 credits a year
    async with env.runtime.db.session() as session:
        member = await session.scalar(select(Member).where(Member.slack_user_id == ME))
    assert member.home_seen_at == env.clock.now()

    again = await open_home(env)
    assert "Welcome to QI Commons" not in _text(again)


async def test_the_messages_tab_publishes_nothing(env):
    await env.driver.event({"type": "app_home_opened", "user": ME, "tab": "messages", "channel": "D0HOME"})
    await env.settle()
    assert env.slack.calls_to("views.publish") == []


async def test_a_busy_member_sees_the_latest_of_everything_within_the_block_limit(env):
    await seed_busy_member(env)
    view = await open_home(env)
    assert_golden("home_busy_member", view)  # validates the 100-block limit and every text limit
    text = _text(view)
    assert "Welcome" not in text
    assert "Project 29 &lt;!channel&gt;" in text and "<!channel>" not in text  # escaped, nobody pinged
    assert "Project 24" not in text  # only the latest five
    assert "most recent of 30 projects" in text and "/qi-share list" in text
    assert text.count('"home_withdraw_request"') == 5
    assert "3 older open requests not shown" in text
    assert "Your mentor: <@U0SENIOR>" in text
    assert "…and 5 more mentorships" in text
    assert "10 of your 3 places in use" in text
    assert "need a reflection" in text and "31 Jan 2027" in text


async def test_one_mentorship_shows_its_next_checkin_once_and_one_place_reads_as_one(env):
    """Issue 16 item 14: the next check-in appeared twice, and a mentor read "0 of 1 places used"."""
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        session.add(MentorProfile(team_id=TEAM, slack_user_id=ME, capacity=1, accepting=True,
                                  expertise=["measurement-run-charts"], formats=["formal"], modes=["virtual"],
                                  created_at=now))
        session.add(Mentorship(team_id=TEAM, mentor_id="U0SENIOR", mentee_id=ME, kind="formal", status="active",
                               started_at=now - timedelta(days=10), checkin_due_at=now + timedelta(days=11)))
    text = _text(await open_home(env))
    assert text.lower().count("check-in") == 1
    assert "Your mentor: <@U0SENIOR> (formal) · next check-in" in text
    assert "You offer mentoring: 0 of your 1 place in use; open to new mentees." in text


async def test_home_shows_only_the_members_own_data(env):
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        await add_project(session, now, title="Someone else's project", owner=OTHER)
        await add_request(session, now, mentee=OTHER)
        session.add(CpdEntry(team_id=TEAM, member_id=OTHER, framework="rcpsc-moc", activity_type="s1-accredited",
                             occurred_on=date(2026, 3, 1), hours=Decimal(10), title="Theirs", created_at=now))
        # The same user id in another workspace is another person.
        session.add(CpdEntry(team_id="T0OTHER", member_id=ME, framework="rcpsc-moc", activity_type="s1-accredited",
                             occurred_on=date(2026, 3, 1), hours=Decimal(10), title="Other team", created_at=now))
    text = _text(await open_home(env))
    assert "Someone else" not in text and "Withdraw" not in text
    assert "0 of 25 credits" in text


async def test_home_follows_each_kind_of_change(env):
    await open_home(env)
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        await add_project(session, now, title="Discharge follow-up", stage="study", score="2.5")
    env.runtime.member_changed(TEAM, ME)
    await env.settle()
    text = _text(env.slack.home_view(ME))
    assert "Discharge follow-up" in text and "Study stage" in text and "2.5" in text

    async with env.runtime.db.session() as session, session.begin():
        session.add(CpdEntry(team_id=TEAM, member_id=ME, framework="rcpsc-moc", activity_type="s1-accredited",
                             occurred_on=date(2026, 11, 2), hours=Decimal(10), title="Course", created_at=now))
    env.runtime.member_changed(TEAM, ME)
    await env.settle()
    text = _text(env.slack.home_view(ME))
    assert "`████░░░░░░` 10 of 25 credits" in text
    assert "1 entry needs a reflection" in text

    async with env.runtime.db.session() as session, session.begin():
        await add_request(session, now)
    env.runtime.member_changed(TEAM, ME)
    await env.settle()
    assert "Your formal mentor request" in _text(env.slack.home_view(ME))

    # Settings: a framework change shows at once.
    view = await _open_settings_from_home(env)
    values = state_values(cpd_framework={"value": {"selected": "cfpc-mainpro"}},
                          quiet_start={"value": {"selected_time": "18:00"}},
                          quiet_end={"value": {"selected_time": "08:00"}})
    await env.driver.submit_view("member_settings", values, view=view)
    await env.settle()
    assert "CPD this year (Mainpro+)" in _text(env.slack.home_view(ME))


async def _open_settings_from_home(env):
    home = env.slack.home_view(ME)
    await env.driver.action("home_open_settings", view=home)
    await env.settle()
    return env.slack.opened_views[-1]["view"]


async def test_withdraw_stops_the_members_own_request_only(env):
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        mine = await add_request(session, now)
        session.add(MentorshipCandidate(team_id=TEAM, request_id=mine.id, mentor_id="U0MENTOR", rank=1, score=0.9,
                                        reasons="x", status="offered", offered_at=now))
        theirs = await add_request(session, now, mentee=OTHER)
    home = await open_home(env)

    # A forged click on someone else's request changes nothing.
    await env.driver.action("home_withdraw_request", value=str(theirs.id), view=home)
    await env.driver.action("home_withdraw_request", value=str(mine.id), view=home)
    await env.settle()
    async with env.runtime.db.session() as session:
        statuses = {r.id: r.status for r in (await session.scalars(select(MentorshipRequest))).all()}
        candidate = await session.scalar(select(MentorshipCandidate))
    assert statuses == {mine.id: "withdrawn", theirs.id: "offered"}
    assert candidate.status == "superseded"
    assert "Withdraw" not in _text(env.slack.home_view(ME))


async def test_a_failed_publish_is_logged_and_the_change_still_happens(env, caplog):
    await open_home(env)
    view = await _open_settings_from_home(env)
    env.slack.fail("views.publish", status=500, times=None)
    values = state_values(cpd_framework={"value": {"selected": "hours"}}, quiet_start={"value": {"selected_time": "19:00"}},
                          quiet_end={"value": {"selected_time": "07:00"}})
    response = await env.driver.submit_view("member_settings", values, view=view)
    await env.settle()
    assert response.status == 200 and not response.body  # the modal closed normally
    async with env.runtime.db.session() as session:
        member = await session.scalar(select(Member).where(Member.slack_user_id == ME))
    assert member.cpd_framework == "hours"
    assert "Could not publish the App Home" in caplog.text


async def test_home_buttons_open_each_features_form(env):
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        project = await add_project(session, now, title="Discharge follow-up")
        theirs = await add_project(session, now, title="Not mine", owner=OTHER)
    home = await open_home(env)

    async def opened(action_id, value=None):
        await env.driver.action(action_id, value=value, view=home)
        await env.settle()
        return env.slack.opened_views[-1]["view"]

    assert (await opened("home_log_cpd"))["callback_id"] == "cpd_entry"
    assert (await opened("home_find_mentor"))["callback_id"] == "find_mentor"
    assert (await opened("home_become_mentor"))["callback_id"] == "mentor_profile"
    assert (await opened("home_share_update"))["callback_id"] == "sharing_share"
    share = await opened("home_share_project_update", str(project.id))
    assert share["callback_id"] == "sharing_share"
    assert share["blocks"][0]["element"]["initial_option"]["value"] == str(project.id)
    edit = await opened("home_edit_project", str(project.id))
    assert edit["callback_id"] == "sharing_project" and "Discharge follow-up" in json.dumps(edit["blocks"])
    # A forged Edit for someone else's project opens nothing.
    before = len(env.slack.opened_views)
    await env.driver.action("home_edit_project", value=str(theirs.id), view=home)
    await env.settle()
    assert len(env.slack.opened_views) == before


async def test_a_burst_of_changes_gives_one_refresh_per_member_showing_the_last(env):
    await open_home(env)
    env.slack.reset_calls()
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        session.add_all(CpdEntry(team_id=TEAM, member_id=ME, framework="rcpsc-moc", activity_type="s1-accredited",
                                 occurred_on=date(2026, 11, 2), hours=Decimal(1), title=f"Course {i}", created_at=now)
                        for i in range(10))
    for _ in range(10):  # ten changes told before the first refresh has run
        env.runtime.member_changed(TEAM, ME)
    await env.settle()
    assert [args["user_id"] for args in env.slack.calls_to("views.publish")] == [ME]  # one publish, not ten
    assert "10 of 25 credits" in _text(env.slack.home_view(ME))  # showing all ten entries


async def test_a_change_refreshes_only_a_home_the_member_has_opened(env):
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        session.add(Member(team_id=TEAM, slack_user_id=OTHER, cpd_framework="rcpsc-moc", created_at=now))  # never opened the Home
    await open_home(env)
    env.slack.reset_calls()
    env.runtime.member_changed(TEAM, ME)
    env.runtime.member_changed(TEAM, OTHER)
    await env.settle()
    assert [args["user_id"] for args in env.slack.calls_to("views.publish")] == [ME]
    await open_home(env, OTHER)  # their first visit builds it
    assert env.slack.home_view(OTHER) is not None


async def test_withdraw_from_home_is_stored_before_the_ack(env, monkeypatch):
    from bot.mentoring import requests as mentoring
    from tests.ack_order import slow_store

    async with env.runtime.db.session() as session, session.begin():
        mine = await add_request(session, env.clock.now())
    home = await open_home(env)
    slow_store(monkeypatch, mentoring, "withdraw_request")
    response = await env.driver.action("home_withdraw_request", value=str(mine.id), view=home)
    async with env.runtime.db.session() as session:
        status = await session.scalar(select(MentorshipRequest.status))
    assert response.status == 200 and status == "withdrawn"
    await env.settle()
    assert "Withdraw" not in _text(env.slack.home_view(ME))
