"""After forget-me no table holds the member's Slack id or anything they wrote, and what we say is true.

The member uses everything first, through the app where it can be driven (shares, kudos, a mentor
request, CPD, an export) and with rows for the rest (mentoring both ways, an admin's audit about them,
a schedule they changed, a teammate who asked never to be matched with them). Every word they wrote
carries the marker ZEBRA, except the title of the project they share with a team: that is the team's,
and stays with it (without their name).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from bot.core.audit import record
from sandbox import state_values
from storage.models import (
    Base,
    MeasureDataPoint,
    Member,
    Mentorship,
    MentorshipCandidate,
    MentorshipFeedback,
    MentorshipMeeting,
    MentorshipRequest,
    Nudge,
    QiMeasure,
    ScheduleControl,
)
from tests.mentoring_helpers import add_mentor, candidates, click
from tests.sharing_helpers import CHANNEL, NEW_PROJECT, button, posts, projects, submit_share

TEAM = "T0001"
ME = "U0MEMBER1"
OTHER = "U0MEMBER2"
MENTEE = "U0MENTEE9"
NAME = "Dr. Member"  # their name in Slack and on their mentor profile
MARK = "ZEBRA"


async def use_everything(env) -> None:
    await add_mentor(env, "U0MENTOR1", "Dr. Ada Example", ("measurement-run-charts",))
    env.slack.add_user(MENTEE, name="mentee9", real_name="Mo Mentee")
    # A team project (with a measure), and a solo one; updates to both; kudos both ways.
    await submit_share(env, "new", new=dict(NEW_PROJECT, title={"input": "Team intake project"}),
                       tried=f"{MARK} tried a new intake form", learned=f"{MARK} learned the night shift missed it",
                       help_wanted=f"{MARK} wants a run chart")
    await submit_share(env, "new", new={"title": {"input": f"{MARK} solo audit"},
                                        "aim": {"input": f"{MARK} aim"}}, tried=f"{MARK} solo test")
    await env.driver.command("/qi-share", "Their general update", user_id=OTHER)
    await env.settle()
    for message, clicker in ((posts(env)[1], OTHER), (posts(env)[-1], ME)):
        await env.driver.action("sharing_kudos", value=button(message, "sharing_kudos")["value"], user_id=clicker,
                                message=message, channel_id=CHANNEL)
        await env.settle()
    # A mentor request asked of a mentor (their DM quotes it), CPD, and an export of it all.
    await env.driver.command("/find-mentor", f"{MARK} wants help with run charts")
    await env.settle()
    [offer] = await candidates(env)
    await click(env, "mentor_ask", offer.id, ME)
    # As a mentor: a colleague's request offered to them, not yet answered (forgetting passes it on).
    await add_mentor(env, ME, NAME, ("measurement-run-charts",), bio=f"{MARK} bio")
    await env.driver.command("/find-mentor", "help with run charts", user_id=MENTEE)
    await env.settle()
    [to_me] = [c for c in await candidates(env) if c.mentor_id == ME]
    await click(env, "mentor_ask", to_me.id, MENTEE)
    await env.driver.command("/cpd-log", f"1.5h s1 {MARK} grand rounds")
    await env.settle()
    # A value story, from the monthly DM's button.
    await env.driver.action("report_story_ask", value="2026-11", user_id=ME)
    await env.settle()
    await env.driver.submit_view("report_story", state_values({
        "what_happened": {"value": f"{MARK} read a primer"}, "difference": {"value": f"{MARK} changed handover"},
        "cycle": {"value": {"selected": "applied"}}, "consent": {"value": {"radio": "named"}}}),
        user_id=ME, view=env.slack.opened_views[-1]["view"])
    await env.driver.command("/qi-commons", "export-my-data")
    await env.settle()

    now = env.clock.now()
    team_project = (await projects(env))[0]
    # A note on the team project's run charts: their words, on the team's chart.
    noted = await env.driver.command("/qi-share", f"#{team_project.slug} note 2026-11-20 {MARK} PDSA 2 began")
    assert noted.json()["text"].startswith("Noted on 20 Nov 2026")
    async with env.runtime.db.session() as session, session.begin():
        mine = Mentorship(team_id=TEAM, mentor_id=OTHER, mentee_id=ME, kind="formal", status="active",
                          started_at=now - timedelta(days=30))
        theirs = Mentorship(team_id=TEAM, mentor_id=ME, mentee_id=MENTEE, kind="formal", status="ended",
                            started_at=now - timedelta(days=90), ended_at=now - timedelta(days=5), ended_by=ME)
        asked = MentorshipRequest(team_id=TEAM, mentee_id=MENTEE, kind="formal", topics=[], needs="Their needs",
                                  status="matched", created_at=now)
        session.add_all([mine, theirs, asked])
        await session.flush()
        session.add_all([
            MentorshipMeeting(team_id=TEAM, mentorship_id=mine.id, logged_by=ME, met_on=date(2026, 11, 2),
                              minutes=30, topics=["measurement-run-charts"], private_notes=f"{MARK} note",
                              created_at=now),
            MentorshipMeeting(team_id=TEAM, mentorship_id=theirs.id, logged_by=MENTEE, met_on=date(2026, 10, 2),
                              minutes=45, topics=[], created_at=now),
            MentorshipFeedback(team_id=TEAM, mentorship_id=theirs.id, slack_user_id=ME, fit=4,
                               comment=f"{MARK} feedback", created_at=now),
            MentorshipCandidate(team_id=TEAM, request_id=asked.id, mentor_id=ME, rank=1, score=1.0,
                                reasons="Offers run charts", status="declined", decline_reason=f"{MARK} is busy",
                                dm_channel_id="D0OLDDM", dm_ts="1700000000.000100"),
            Nudge(team_id=TEAM, slack_user_id=ME, kind="checkin", subject_key="mentorship:1", due_at=now),
            ScheduleControl(team_id=TEAM, job="weekly-digest", skip_dates=[], updated_by=ME, updated_at=now),
        ])
        measure = (await session.scalars(select(QiMeasure).where(QiMeasure.project_id == team_project.id))).first()
        session.add(MeasureDataPoint(team_id=TEAM, measure_id=measure.id, value=Decimal(62),
                                     observed_on=date(2026, 11, 20), recorded_by=ME, created_at=now))
        await session.execute(update(Member).where(Member.slack_user_id == OTHER).values(do_not_match=[ME]))
        record(session, team_id=TEAM, actor_id="U0ADMIN", action="admin.mentor_load", at=now,
               subject=f"mentor:{ME}", detail={"mentor": ME})


async def rows_naming_them(env) -> list[str]:
    """Every table.column (and row) whose value holds their id, their name or their words."""
    found = []
    async with env.runtime.db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in (await connection.execute(select(table))).mappings():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if any(trace in text for trace in (ME, NAME, MARK)):
                        found.append(f"{table.name}.{column} = {text[:120]}")
    return found


async def test_forget_me_leaves_neither_their_id_nor_their_words_in_any_table(env):
    await use_everything(env)
    assert len(await rows_naming_them(env)) > 40  # the walk sees what it looks for
    [export] = env.slack.files

    await env.driver.command("/qi-commons", "forget-me")
    await env.driver.action("privacy_forget_confirm", value="confirm")
    await env.settle()
    env.clock.advance(timedelta(minutes=5))
    await env.runtime.outbox.sweep()  # whatever Slack did not take at once

    assert await rows_naming_them(env) == []
    # The export file in their DM is deleted too, and they are told so.
    assert env.slack.calls_to("files.delete") == [{"file": export.id}] and env.slack.files == []
    done = env.slack.responses()[-1]["text"]
    assert done.startswith("Done: QI Commons no longer holds your data.")
    assert "the data-export file from our direct messages" in done
    # The mentor's copy of their request names nobody now; the colleague whose request was offered to
    # them hears it moved on, to the next mentor, without their name.
    closed, offered_next = env.slack.messages(env.slack.dm_channel("U0MENTOR1"))
    assert closed["text"] == "A former member withdrew this request. No action needed."
    assert "help with run charts" in json.dumps(offered_next)
    moved_on = env.slack.messages(env.slack.dm_channel(MENTEE))[-1]
    assert moved_on["blocks"][0]["text"]["text"] == ("The mentor you asked has left QI Commons, so they can't "
                                                     "take on your request.")
    assert "We've asked <@U0MENTOR1> next" in json.dumps(moved_on)
    for dm in (closed, offered_next, moved_on):
        assert ME not in json.dumps(dm)


async def test_after_forget_me_privacy_says_nothing_is_held(env):
    await use_everything(env)
    await env.driver.command("/qi-commons", "forget-me")
    await env.driver.action("privacy_forget_confirm", value="confirm")
    await env.settle()
    await env.driver.command("/qi-commons", "privacy")
    await env.settle()
    held = json.dumps(env.slack.responses()[-1]["blocks"])
    assert "Your profile and settings: none" in held and "0 you own, 0 you are on the team of" in held
    assert "0 QI updates" in held and "0 CPD entries" in held and "Mentor profile: none" in held
    assert "0 mentor requests, 0 mentorships, 0 private meeting notes, 0 feedback forms" in held


async def test_forgetting_someone_who_used_nothing_says_so(env):
    await env.driver.command("/qi-commons", "forget-me")
    await env.driver.action("privacy_forget_confirm", value="confirm")
    await env.settle()
    assert env.slack.responses()[-1]["text"] == ("Done. QI Commons held no data about you, so there was nothing "
                                                 "to delete.")


async def test_a_team_card_still_waiting_for_slack_is_posted_without_them(env):
    """Slack was down when they started a team project: the card is redrawn, not cancelled, so the
    teammate's update still gets its thread."""
    env.slack.fail("chat.postMessage", status=503, times=None)
    await submit_share(env, "new", new=dict(NEW_PROJECT, title={"input": "Team intake project"}),
                       tried=f"{MARK} tried a new intake form")
    [project] = await projects(env)
    await submit_share(env, str(project.id), user_id=OTHER, tried="Teammate's first test")
    await env.driver.command("/qi-commons", "forget-me")
    await env.driver.action("privacy_forget_confirm", value="confirm")
    await env.settle()

    env.slack.clear_failures()
    for _ in range(3):  # the card, then the update waiting for its thread
        env.clock.advance(timedelta(minutes=5))
        await env.runtime.outbox.sweep()
    card, update = posts(env)
    assert "Team intake project" in card["text"] and ME not in json.dumps(card)
    assert update["thread_ts"] == card["ts"] and "Teammate's first test" in json.dumps(update["blocks"])
    assert await rows_naming_them(env) == []
