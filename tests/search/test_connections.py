"""'Others have worked on this': when a project starts or a mentor is asked, the people behind similar
projects, each suggested once per project, never someone who opted out, with a quick question one click away."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.search import connections
from bot.sharing import services
from storage.models import ConnectionSuggestion, MentorshipCandidate, MentorshipRequest
from tests.golden import assert_golden
from tests.mentoring_helpers import add_mentor, dms
from tests.search.corpus import ME, OTHER, TEAM, THIRD, project, seed
from tests.sharing_helpers import open_form, submit_share

FALLS_PROJECT = {"title": {"input": "Falls at night on 7A"},
                 "aim": {"input": "Reduce inpatient falls at night with hourly rounding"}}


def _connections(env):
    return [r for r in env.slack.responses() + env.slack.ephemerals()
            if r.get("text", "").startswith("Others have worked on this")]


async def test_a_new_project_shows_the_people_behind_similar_ones(env):
    ids = await seed(env)
    await submit_share(env, "new", user_id=OTHER, new=FALLS_PROJECT, tried="Started hourly rounding at night")
    [shown] = _connections(env)
    assert_golden("connections_new_project", shown)
    text = json.dumps(shown["blocks"])
    assert "<@U0MEMBER1> worked on something similar: *Falls prevention on 4B*" in text
    assert "<@U0MEMBER2>" not in text  # never themselves
    [ask] = [b["accessory"] for b in shown["blocks"] if "accessory" in b]
    assert json.loads(ask["value"])["p"] == ids["falls"]


async def test_nobody_is_suggested_twice_for_the_same_project_nor_after_opting_out(env):
    await seed(env)
    project_id = (await services.save_project(env.runtime, team_id=TEAM, user_id=OTHER, fields=project(
        "Falls at night on 7A", "Reduce inpatient falls at night with hourly rounding"))).project_id
    subject = connections.project_subject(project_id)
    about = "Falls at night: reduce inpatient falls with hourly rounding"
    first = await connections.suggest(env.runtime, team_id=TEAM, user_id=OTHER, subject=subject, about=about)
    assert [s.person_id for s in first] == [ME]
    assert await connections.suggest(env.runtime, team_id=TEAM, user_id=OTHER, subject=subject, about=about) == ()
    async with env.runtime.db.session() as session:
        assert len((await session.scalars(select(ConnectionSuggestion))).all()) == 1
    # Another project may suggest them again, unless they said no in their settings.
    other = connections.project_subject(project_id + 100)
    await env.driver.command("/qi-commons", "settings")
    await env.settle()
    from tests.member_settings.test_settings import _values
    await env.driver.submit_view("member_settings", _values(), view=env.slack.opened_views[-1]["view"])
    await env.settle()
    assert await connections.suggest(env.runtime, team_id=TEAM, user_id=OTHER, subject=other, about=about) == ()


async def test_one_shared_word_is_not_a_connection(env):
    await seed(env)
    assert await connections.suggest(env.runtime, team_id=TEAM, user_id=OTHER, subject="qi_project:99",
                                     about="Patients and falls") != ()
    assert await connections.suggest(env.runtime, team_id=TEAM, user_id=OTHER, subject="qi_project:98",
                                     about="Improving the canteen menu for falls week") == ()


async def test_ask_a_quick_question_reaches_them_through_the_informal_flow(env):
    await seed(env)
    env.slack.add_user(ME, name="member", real_name="Dr. Member")
    await submit_share(env, "new", user_id=OTHER, new=FALLS_PROJECT, tried="Started hourly rounding at night")
    [shown] = _connections(env)
    [ask] = [b["accessory"] for b in shown["blocks"] if "accessory" in b]
    await env.driver.action("search_ask_person", value=ask["value"], user_id=OTHER, channel_id="C0COMMUNITY")
    await env.settle()
    assert_golden("connections_asked", env.slack.responses()[-1])
    # Their DM: a quick question they can claim, saying why it came to them.
    offer = dms(env, ME)[-1]
    assert "Falls prevention on 4B" in json.dumps(offer)
    async with env.runtime.db.session() as session:
        request = await session.scalar(select(MentorshipRequest))
        candidate = await session.scalar(select(MentorshipCandidate))
    assert (request.kind, request.status, request.mentee_id) == ("informal", "offered", OTHER)
    assert (candidate.mentor_id, candidate.status) == (ME, "offered")
    # A forged button (someone never suggested to them) asks nobody.
    forged = json.dumps({"s": json.loads(ask["value"])["s"], "p": 1, "u": THIRD})
    await env.driver.action("search_ask_person", value=forged, user_id=OTHER, channel_id="C0COMMUNITY")
    await env.settle()
    assert env.slack.responses()[-1]["text"].startswith("I can't send that question any more")


async def test_find_mentor_with_a_need_shows_similar_projects_after_the_shortlist(env):
    await seed(env)
    await add_mentor(env, "U0MENTOR2", "Dr. Run Charts", ("measurement-run-charts",))
    await env.driver.command("/find-mentor", "help with run charts for our falls at night rounding", user_id=OTHER)
    await env.settle()
    [shown] = _connections(env)
    assert_golden("connections_mentor_request", shown)
    assert "<@U0MEMBER1>" in json.dumps(shown["blocks"])


async def test_a_project_like_nobody_elses_shows_nothing_more(env):
    await seed(env)
    await open_form(env, OTHER)
    await submit_share(env, "new", user_id=OTHER, new={"title": {"input": "Canteen menu survey"},
                                                       "aim": {"input": "Better vegetarian options"}},
                       tried="A survey in the canteen")
    assert _connections(env) == []


async def test_asking_a_person_is_stored_before_the_ack(env, monkeypatch):
    from bot.mentoring import requests as mentoring
    from tests.ack_order import slow_store

    await seed(env)
    env.slack.add_user(ME, name="member", real_name="Dr. Member")
    await submit_share(env, "new", user_id=OTHER, new=FALLS_PROJECT, tried="Started hourly rounding at night")
    [shown] = _connections(env)
    [ask] = [b["accessory"] for b in shown["blocks"] if "accessory" in b]
    slow_store(monkeypatch, mentoring, "ask_person")
    response = await env.driver.action("search_ask_person", value=ask["value"], user_id=OTHER, channel_id="C0COMMUNITY")
    async with env.runtime.db.session() as session:
        request = await session.scalar(select(MentorshipRequest))
    assert response.status == 200 and request is not None and request.mentee_id == OTHER
    await env.settle()
    assert "Falls prevention on 4B" in json.dumps(dms(env, ME)[-1])
