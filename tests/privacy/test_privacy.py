"""Privacy and data rights: what we explain, what export sends, and what forget-me removes (and keeps)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.privacy import rights
from bot.privacy.rights import REMOVED
from storage.models import (
    AuditLog,
    CpdEntry,
    Kudos,
    Member,
    MentorProfile,
    Mentorship,
    MentorshipFeedback,
    MentorshipMeeting,
    MentorshipRequest,
    OutboxMessage,
    QiProject,
    QiProjectMember,
    QiUpdate,
)
from tests.ack_order import slow_store
from tests.golden import assert_golden
from tests.mentoring_helpers import add_mentor, candidates, click
from tests.sharing_helpers import NEW_PROJECT, button, submit_share

TEAM = "T0001"
ME = "U0MEMBER1"
OTHER = "U0MEMBER2"
THEIR_SECRET_NOTE = "Their private note about the pairing"
MY_NOTE = "My own private note"


async def _post(env, text):
    response = await env.runtime.client.chat_postMessage(channel="C0COMMUNITY", text=text)
    return response["ts"]


async def seed(env):
    """Me and a teammate with data of every kind, some shared between us."""
    now = env.clock.now()
    my_ts = await _post(env, "My update on the solo project")
    my_shared_ts = await _post(env, "My update on the shared project")
    their_ts = await _post(env, "Their update")
    async with env.runtime.db.session() as session, session.begin():
        for user in (ME, OTHER):
            session.add(Member(team_id=TEAM, slack_user_id=user, cpd_framework="rcpsc-moc", profession="psychiatry",
                               created_at=now))
        solo = QiProject(team_id=TEAM, owner_id=ME, slug="solo", title="My solo project", aim="Only mine",
                         created_at=now, tags=[])
        shared = QiProject(team_id=TEAM, owner_id=ME, slug="shared", title="Our shared project", created_at=now,
                           tags=[], members=[QiProjectMember(team_id=TEAM, slack_user_id=OTHER)])
        theirs = QiProject(team_id=TEAM, owner_id=OTHER, slug="theirs", title="Their project", created_at=now,
                           tags=[], members=[QiProjectMember(team_id=TEAM, slack_user_id=ME)])
        session.add_all([solo, shared, theirs])
        await session.flush()
        mine = QiUpdate(team_id=TEAM, project_id=solo.id, author_id=ME, tried="Solo test", post_status="posted",
                        channel_id="C0COMMUNITY", ts=my_ts, created_at=now)
        mine_shared = QiUpdate(team_id=TEAM, project_id=shared.id, author_id=ME, tried="Shared test",
                               learned="We learned", post_status="posted", channel_id="C0COMMUNITY", ts=my_shared_ts,
                               created_at=now)
        their_update = QiUpdate(team_id=TEAM, project_id=shared.id, author_id=OTHER, tried="Their test",
                                post_status="posted", channel_id="C0COMMUNITY", ts=their_ts, created_at=now)
        session.add_all([mine, mine_shared, their_update])
        await session.flush()
        session.add(Kudos(team_id=TEAM, update_id=their_update.id, slack_user_id=ME, created_at=now))
        for user, title in ((ME, "My course"), (OTHER, "Their course")):
            session.add(CpdEntry(team_id=TEAM, member_id=user, framework="rcpsc-moc", activity_type="s1-accredited",
                                 occurred_on=date(2026, 10, 1), hours=Decimal(2), title=title, created_at=now))
        session.add(MentorProfile(team_id=TEAM, slack_user_id=ME, capacity=2, expertise=[], formats=[], modes=[],
                                  created_at=now))
        pairing = Mentorship(team_id=TEAM, mentor_id=OTHER, mentee_id=ME, kind="formal", status="active",
                             started_at=now - timedelta(days=20))
        session.add(pairing)
        await session.flush()
        session.add_all([
            MentorshipMeeting(team_id=TEAM, mentorship_id=pairing.id, logged_by=ME, met_on=date(2026, 11, 1),
                              minutes=30, topics=[], private_notes=MY_NOTE, created_at=now),
            MentorshipMeeting(team_id=TEAM, mentorship_id=pairing.id, logged_by=OTHER, met_on=date(2026, 11, 1),
                              minutes=30, topics=[], private_notes=THEIR_SECRET_NOTE, created_at=now),
            MentorshipFeedback(team_id=TEAM, mentorship_id=pairing.id, slack_user_id=ME, fit=4, comment="Great fit",
                               created_at=now),
            MentorshipFeedback(team_id=TEAM, mentorship_id=pairing.id, slack_user_id=OTHER, fit=5,
                               comment="Their comment", created_at=now),
            MentorshipRequest(team_id=TEAM, mentee_id=ME, kind="informal", topics=[], needs="My question",
                              status="unmatched", created_at=now),
        ])
    return {"my_ts": my_ts, "my_shared_ts": my_shared_ts, "their_ts": their_ts}


async def test_privacy_explains_what_is_stored_and_what_we_hold(env):
    await seed(env)
    await env.driver.command("/qi-commons", "privacy")
    await env.settle()
    reply = env.slack.responses()[-1]
    assert_golden("privacy_message", {"text": reply["text"], "blocks": reply["blocks"]})
    text = str(reply["blocks"])
    assert "yours alone" in text and "Slack is not a health record" in text
    assert "2 you own, 1 you are on the team of" in text and "1 CPD entry" in text
    assert "export-my-data" in text and "forget-me" in text


async def test_export_sends_exactly_the_members_own_data(env):
    await seed(env)
    await env.driver.command("/qi-commons", "export-my-data")
    await env.settle()
    [file] = env.slack.files
    assert file.channel == env.slack.dm_channel(ME) and file.filename.endswith(".json")
    raw = file.content.decode()
    data = json.loads(raw)
    assert data["slack_user_id"] == ME and data["profile"]["profession"] == "psychiatry"
    assert sorted(p["title"] for p in data["projects"]) == ["My solo project", "Our shared project", "Their project"]
    assert sorted(u["tried"] for u in data["updates"]) == ["Shared test", "Solo test"]
    assert [e["title"] for e in data["cpd_entries"]] == ["My course"]
    [pairing] = data["mentoring"]["mentorships"]
    assert pairing["role"] == "mentee" and pairing["with"] == OTHER
    assert [m.get("private_notes") for m in pairing["meetings"]] == [MY_NOTE, None]
    assert [f["comment"] for f in data["mentoring"]["my_feedback"]] == ["Great fit"]
    assert data["mentoring"]["requests_i_made"][0]["needs"] == "My question"
    # Nobody else's words: not their notes, their feedback, their update or their CPD.
    for theirs in (THEIR_SECRET_NOTE, "Their comment", "Their test", "Their course"):
        assert theirs not in raw
    assert "JSON file" in env.slack.responses()[-1]["text"]
    async with env.runtime.db.session() as session:
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "privacy.export"))
    assert audit.actor_id == ME


async def test_a_failed_upload_says_so(env):
    env.slack.fail("files.getUploadURLExternal", error="internal_error", times=None)
    await env.driver.command("/qi-commons", "export-my-data")
    await env.settle()
    assert "could not send your file" in env.slack.responses()[-1]["text"]


async def test_forget_me_asks_first_and_cancel_deletes_nothing(env):
    await seed(env)
    await env.driver.command("/qi-commons", "forget-me")
    await env.settle()
    confirmation = env.slack.responses()[-1]
    assert_golden("privacy_forget_confirmation", {"text": confirmation["text"], "blocks": confirmation["blocks"]})
    await env.driver.action("privacy_forget_cancel", value="cancel")
    await env.settle()
    assert "Nothing was deleted" in env.slack.responses()[-1]["text"]
    async with env.runtime.db.session() as session:
        assert await session.scalar(select(Member).where(Member.slack_user_id == ME)) is not None


async def test_forget_me_removes_the_members_data_and_keeps_the_teams(env):
    posts = await seed(env)
    await env.driver.event({"type": "app_home_opened", "user": OTHER, "tab": "home", "channel": "D0HOME"})
    await env.driver.command("/qi-commons", "forget-me")
    await env.driver.action("privacy_forget_confirm", value="confirm")
    await env.settle()

    async with env.runtime.db.session() as session:
        members = (await session.scalars(select(Member.slack_user_id))).all()
        entries = (await session.scalars(select(CpdEntry.title))).all()
        profiles = (await session.scalars(select(MentorProfile))).all()
        projects = {p.slug: p for p in (await session.scalars(select(QiProject))).all()}
        memberships = (await session.scalars(select(QiProjectMember.slack_user_id))).all()
        updates = {u.ts: u for u in (await session.scalars(select(QiUpdate))).all()}
        notes = {m.logged_by: m.private_notes for m in (await session.scalars(select(MentorshipMeeting))).all()}
        feedback = {f.slack_user_id: f.comment for f in (await session.scalars(select(MentorshipFeedback))).all()}
        request = await session.scalar(select(MentorshipRequest))
        pairing = await session.scalar(select(Mentorship))
        kudos = (await session.scalars(select(Kudos))).all()
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "privacy.forget_me"))

    assert members == [OTHER] and entries == ["Their course"] and profiles == []
    # A solo project goes; a shared one stays with the team, owned by the teammate; theirs stays.
    assert set(projects) == {"shared", "theirs"}
    assert projects["shared"].owner_id == OTHER and memberships == [OTHER]
    for ts in (posts["my_ts"], posts["my_shared_ts"]):
        assert (updates[ts].author_id, updates[ts].tried, updates[ts].learned) == (None, REMOVED, None)
        assert updates[ts].post_status == "deleted"
    assert updates[posts["their_ts"]].tried == "Their test" and updates[posts["their_ts"]].author_id == OTHER
    # What the programme counts stays, under a pseudonym of this forgetting (the audit row's actor).
    pseudonym = audit.actor_id
    assert pseudonym.startswith("forgotten-") and ME not in pseudonym
    assert notes == {pseudonym: None, OTHER: THEIR_SECRET_NOTE}
    assert feedback == {pseudonym: None, OTHER: "Their comment"}
    assert (request.status, request.needs, request.mentee_id) == ("withdrawn", "", pseudonym)
    assert (pairing.status, pairing.mentee_id, pairing.ended_by) == ("ended", pseudonym, pseudonym)
    assert kudos == []

    # The bot's channel posts of their updates are gone; the teammate's stays.
    [left] = env.slack.messages("C0COMMUNITY")
    assert left["ts"] == posts["their_ts"] and "Their test" in left["text"]  # redrawn without my kudos

    # Audited: who, what kinds and how many; never the content.
    counts = audit.detail["counts"]
    assert audit.subject == f"member:{pseudonym}"
    assert counts["updates"] == 2 and counts["cpd entries"] == 1 and counts["private notes"] == 1
    assert counts["mentor requests withdrawn"] == 1 and counts["projects deleted"] == 1
    assert "Solo test" not in json.dumps(audit.detail) and MY_NOTE not in json.dumps(audit.detail)

    assert env.slack.home_view(ME)["blocks"][0]["text"]["text"] == "Your data was deleted"
    assert env.slack.responses()[-1]["text"] == (
        "Done: QI Commons no longer holds your data. I deleted your profile and settings, 1 CPD entry, 2 QI updates, "
        "1 project only you worked on, your mentor profile, 1 private meeting note, 1 feedback comment and 1 kudos "
        "you gave. I withdrew 1 open mentor request and took you off the team of 1 project. 1 mentorship has ended; "
        "the other person was told, without your name. 1 project you shared with a team stays with the team, "
        "without your name. The programme's totals still count 1 mentor request and 1 mentorship, with nothing left "
        "that names you. I'm removing 2 posts of yours from the channel now.")
    # The teammate's Home no longer shows them as a mentee.
    assert "U0MEMBER1" not in json.dumps(env.slack.home_view(OTHER)["blocks"])


async def test_forget_me_leaves_none_of_their_words_in_the_outbox(env):
    """Shared through Slack, kudos'd, asked of a mentor: every stored copy of what they wrote goes too."""
    await add_mentor(env, "U0MENTOR1", "Dr. Ada Example", ("measurement-run-charts",))
    await submit_share(env, "new", new=dict(NEW_PROJECT, title={"input": "Team intake project"}),
                       tried="ZEBRA tried a new intake form")
    [card, update] = env.slack.messages("C0COMMUNITY")
    await env.driver.action("sharing_kudos", value=button(update, "sharing_kudos")["value"], user_id=OTHER,
                            message=update, channel_id="C0COMMUNITY")  # a chat.update that quotes the update
    await env.driver.command("/find-mentor", "ZEBRA wants help with run charts")
    await env.settle()
    [offer] = await candidates(env)
    await click(env, "mentor_ask", offer.id, ME)  # the mentor's DM quotes the request
    async with env.runtime.db.session() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert sum("ZEBRA" in json.dumps([r.args, r.result]) for r in rows) == 3  # post, kudos refresh, mentor DM

    await env.driver.command("/qi-commons", "forget-me")
    await env.driver.action("privacy_forget_confirm", value="confirm")
    await env.settle()

    async with env.runtime.db.session() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert [r.id for r in rows if "ZEBRA" in json.dumps([r.args, r.result])] == []
    # The team's project card stays, now without them.
    assert [m["ts"] for m in env.slack.messages("C0COMMUNITY")] == [card["ts"]]
    assert "U0MEMBER1" not in json.dumps(env.slack.messages("C0COMMUNITY")[0]["blocks"])


async def test_forget_me_closes_the_mentors_copy_of_their_request_even_after_a_failed_send(env):
    """The withdrawal's "withdrew this request" update is what takes the request's words off the mentor's
    DM: forgetting must not cancel it with the rest of their outbox rows."""
    await add_mentor(env, "U0MENTOR1", "Dr. Ada Example", ("measurement-run-charts",))
    await env.driver.command("/find-mentor", "ZEBRA wants help with run charts")
    await env.settle()
    [offer] = await candidates(env)
    await click(env, "mentor_ask", offer.id, ME)
    env.slack.fail("chat.update", status=500, times=1)
    await env.driver.command("/qi-commons", "forget-me")
    await env.driver.action("privacy_forget_confirm", value="confirm")
    await env.settle()
    [dm] = env.slack.messages(env.slack.dm_channel("U0MENTOR1"))
    assert "ZEBRA" in json.dumps(dm)

    env.clock.advance(timedelta(minutes=5))
    await env.runtime.outbox.sweep()
    [dm] = env.slack.messages(env.slack.dm_channel("U0MENTOR1"))
    assert "withdrew this request" in dm["text"] + json.dumps(dm["blocks"]) and "ZEBRA" not in json.dumps(dm)


async def test_forget_me_tells_the_other_person_of_each_active_mentorship_without_naming_them(env):
    """A mentor and a mentee of the forgotten member learn it ended (and the mentee how to find another
    mentor); the DMs are stored with the forgetting, so a Slack failure only delays them."""
    mentee, past_mentee = "U0MENTEE9", "U0MENTEE8"
    for user_id in (mentee, past_mentee):
        env.slack.add_user(user_id, name=user_id.lower(), real_name=user_id)
    now = env.clock.now()
    async with env.runtime.db.session() as session, session.begin():
        session.add_all([
            Mentorship(team_id=TEAM, mentor_id=OTHER, mentee_id=ME, kind="formal", status="active", started_at=now),
            Mentorship(team_id=TEAM, mentor_id=ME, mentee_id=mentee, kind="formal", status="active", started_at=now),
            Mentorship(team_id=TEAM, mentor_id=ME, mentee_id=past_mentee, kind="formal", status="ended",
                       started_at=now - timedelta(days=90), ended_at=now - timedelta(days=10), ended_by=ME),
        ])
    env.slack.fail("chat.postMessage", status=500, times=None)
    await env.driver.command("/qi-commons", "forget-me")
    await env.driver.action("privacy_forget_confirm", value="confirm")
    await env.settle()
    assert env.slack.messages(env.slack.dm_channel(OTHER)) == []

    env.slack.clear_failures()
    env.clock.advance(timedelta(minutes=5))
    await env.runtime.outbox.sweep()
    [to_mentor] = env.slack.messages(env.slack.dm_channel(OTHER))
    [to_mentee] = env.slack.messages(env.slack.dm_channel(mentee))
    for told in (to_mentor, to_mentee):
        assert told["text"].startswith("Your mentorship with a former member has ended: they asked QI Commons "
                                       "to delete their data.")
        assert ME not in json.dumps(told)
    assert "/find-mentor" in to_mentee["text"] and "/find-mentor" not in to_mentor["text"]
    assert env.slack.messages(env.slack.dm_channel(past_mentee)) == []  # that one had ended already


async def test_forgetting_is_stored_before_the_ack_and_slack_is_cleaned_after(env, monkeypatch):
    await seed(env)
    await env.driver.command("/qi-commons", "forget-me")
    await env.settle()
    slow_store(monkeypatch, rights, "forget")
    response = await env.driver.action("privacy_forget_confirm", value="confirm")
    async with env.runtime.db.session() as session:
        member = await session.scalar(select(Member).where(Member.slack_user_id == ME))
    assert response.status == 200 and member is None
    await env.settle()
    said = [r["text"] for r in env.slack.responses()]
    assert said[-2] == "Deleting your data…" and "Deleting your data…" != said[-1]
    assert env.slack.calls_to("chat.delete")  # their channel posts go, after the ack


async def test_the_export_is_audited_before_the_ack_and_the_file_recorded_after(env, monkeypatch):
    await seed(env)
    slow_store(monkeypatch, rights, "export")
    response = await env.driver.command("/qi-commons", "export-my-data")
    async with env.runtime.db.session() as session:
        audited = (await session.scalars(select(AuditLog.action).where(AuditLog.actor_id == ME,
                                                                       AuditLog.action.like("privacy.export%")))).all()
    assert response.status == 200 and audited == ["privacy.export"]
    await env.settle()
    [file] = env.slack.files
    async with env.runtime.db.session() as session:
        sent = (await session.scalars(select(AuditLog.subject).where(AuditLog.action == rights.EXPORT_SENT))).all()
    assert sent == [f"file:{file.id}"] and "I sent you a JSON file" in env.slack.responses()[-1]["text"]
