"""The weekly digest: what it shows, what it hides, how it stays inside Slack's limits, and its buttons."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import event

from bot.weekly.digest import build_weekly_digest
from handlers.mentoring.views import FIND
from handlers.sharing.modals import SHARE
from handlers.weekly.blocks import FIND_MENTOR, SHARE_UPDATE
from handlers.weekly.jobs import run_weekly_job
from sandbox.server import COMMUNITY_CHANNEL_ID
from storage.models import (
    CpdEntry,
    Kudos,
    Member,
    MentorProfile,
    Mentorship,
    MentorshipRequest,
    QiProject,
    QiUpdate,
)
from tests.conftest import ADMIN_ID, MEMBER_ID, OTHER_ID
from tests.golden import assert_golden, validate_blocks

TORONTO = ZoneInfo("America/Toronto")
# The digest run in the week of the frozen clock: Fri 27 Nov 2026, 15:00 in Toronto.
FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=TORONTO)
IN_WEEK = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TEAM = "T0001"


def _message_text(message: dict) -> str:
    """Everything a reader could see in a message: the fallback and every text in its blocks."""
    return message["text"] + json.dumps(message["blocks"], ensure_ascii=False)


class Community:
    """Rows as the sharing, mentoring and CPD features store them, created directly."""

    def __init__(self, session, team_id: str = TEAM) -> None:
        self.session, self.team_id, self._n = session, team_id, 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def member(self, user_id: str, *, shares: bool = True, mentoring: bool = False) -> None:
        self.session.add(Member(team_id=self.team_id, slack_user_id=user_id, cpd_framework="rcpsc-moc",
                                name_in_digest_shares=shares, name_in_digest_mentoring=mentoring,
                                created_at=IN_WEEK - timedelta(days=100)))

    async def project(self, title: str, owner: str = MEMBER_ID, *, created: datetime = IN_WEEK - timedelta(days=60),
                      stage: str = "do") -> QiProject:
        n = self._next()
        project = QiProject(team_id=self.team_id, owner_id=owner, slug=f"p{n}", title=title, pdsa_stage=stage,
                            progress_score=Decimal("2.5"), channel_id=COMMUNITY_CHANNEL_ID, thread_ts=f"1700000{n:03d}.000100",
                            created_at=created)
        self.session.add(project)
        await self.session.flush()
        return project

    async def update(self, project: QiProject | None, tried: str, author: str = MEMBER_ID, *,
                     at: datetime = IN_WEEK, help_wanted: str | None = None, kudos: int = 0,
                     status: str = "posted") -> QiUpdate:
        n = self._next()
        update = QiUpdate(team_id=self.team_id, project_id=project.id if project else None, author_id=author,
                          tried=tried, pdsa_stage="study", progress_score=Decimal("3.0"), help_wanted=help_wanted,
                          post_status=status, channel_id=COMMUNITY_CHANNEL_ID, ts=f"1700001{n:03d}.000200",
                          permalink=f"https://qi-commons.slack.com/archives/{COMMUNITY_CHANNEL_ID}/p1700001{n:03d}000200",
                          created_at=at)
        self.session.add(update)
        await self.session.flush()
        for k in range(kudos):
            self.session.add(Kudos(team_id=self.team_id, update_id=update.id, slack_user_id=f"UK{k}", created_at=at))
        return update

    def mentorship(self, mentor: str, mentee: str, *, at: datetime = IN_WEEK) -> None:
        self.session.add(Mentorship(team_id=self.team_id, mentor_id=mentor, mentee_id=mentee, kind="formal",
                                    status="active", started_at=at))

    def mentor(self, user_id: str, capacity: int = 2) -> None:
        self.session.add(MentorProfile(team_id=self.team_id, slack_user_id=user_id, capacity=capacity,
                                       accepting=True, created_at=IN_WEEK - timedelta(days=90)))

    def request(self, mentee: str, status: str = "shortlisted") -> None:
        self.session.add(MentorshipRequest(team_id=self.team_id, mentee_id=mentee, kind="formal", needs="run charts",
                                           status=status, created_at=IN_WEEK))

    def cpd(self, member: str, hours: str) -> None:
        self.session.add(CpdEntry(team_id=self.team_id, member_id=member, framework="rcpsc-moc",
                                  activity_type="s1_accredited", occurred_on=IN_WEEK.date(), hours=Decimal(hours),
                                  title="Grand rounds", created_at=IN_WEEK))


async def _seed_week(env) -> None:
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        c.member(MEMBER_ID)
        c.member(OTHER_ID, shares=False)
        c.member("U0MENTOR1", mentoring=True)
        c.member("U0MENTEE1", mentoring=True)
        c.member("U0MENTOR2", mentoring=False)
        c.member("U0MENTEE2", mentoring=True)
        metabolic = await c.project("Metabolic monitoring on 4B")
        here = await c.project("<!here> & <b>discharge</b> checklist", OTHER_ID, created=IN_WEEK - timedelta(days=1))
        await c.update(metabolic, "Audited 20 charts: 62% screened\nsecond line not shown", kudos=3)
        await c.update(metabolic, "Added a prompt to the admission order set", OTHER_ID,
                       at=IN_WEEK + timedelta(hours=5), help_wanted="Anyone built an order-set prompt before?")
        await c.update(here, "Tried the <!channel> checklist on two units", OTHER_ID, kudos=1)
        await c.update(metabolic, "Last week's update", at=IN_WEEK - timedelta(days=8))  # before the window
        await c.update(metabolic, "A share that never reached Slack", status="failed")
        c.mentorship("U0MENTOR1", "U0MENTEE1")
        c.mentorship("U0MENTOR2", "U0MENTEE2")  # the mentor did not agree to be named
        c.mentor("U0MENTOR1", capacity=3)
        c.mentor("U0MENTOR2", capacity=1)  # full
        c.request(MEMBER_ID)
        c.request(OTHER_ID, status="matched")
        for i in range(5):
            c.cpd(f"U0CPD{i}", "1.5")


async def test_digest_posts_updates_by_project_with_consent_and_escaping(env):
    await _seed_week(env)
    env.clock.set(FRIDAY)
    result = await run_weekly_job(env.runtime, "digest")

    assert result.outcome == "posted"
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert_golden("digest_week", {"text": message["text"], "blocks": message["blocks"]})
    seen = _message_text(message)
    # Nobody is pinged by a project title or an update, in the blocks or the notification text.
    assert "<!here>" not in seen and "<!channel>" not in seen
    assert "&lt;!here&gt; &amp; &lt;b&gt;discharge&lt;/b&gt; checklist" in seen
    assert "Audited 20 charts: 62% screened" in seen and "second line not shown" not in seen
    assert "Last week's update" not in seen and "never reached Slack" not in seen
    # Sam opted out of being named in shares; Member 1 did not.
    assert f"<@{MEMBER_ID}>" in seen and f"<@{OTHER_ID}>" not in seen
    # Mentorship names only when both people agreed; numbers always.
    assert "<@U0MENTOR1> is now mentoring <@U0MENTEE1>" in seen and "U0MENTOR2" not in seen
    assert "2 new mentorships started" in seen and "1 request waiting for a mentor" in seen
    assert "7.5 hours of CPD logged by 5 members" in seen
    buttons = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [FIND_MENTOR, SHARE_UPDATE]
    assert all(b["text"].get("verbatim") for b in message["blocks"] if b["type"] == "section")


async def test_the_notification_text_escapes_a_long_title_without_cutting_an_entity(env):
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        await c.update(await c.project("<!here>" + "&" * 143), "Tried it")
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert message["text"] == ("QI Commons weekly digest: 1 update from 1 project, including &lt;!here&gt;"
                               + "&amp;" * 143)


async def test_cpd_hours_are_hidden_when_fewer_than_five_members_logged(env):
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        await c.update(await c.project("Sleep hygiene"), "Handed out sleep diaries")
        for i in range(4):
            c.cpd(f"U0CPD{i}", "10")
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "CPD" not in _message_text(message) and "40" not in _message_text(message)


async def test_one_hour_of_cpd_reads_as_one_hour(env):
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        await c.update(await c.project("Sleep hygiene"), "Handed out sleep diaries")
        for i in range(5):
            c.cpd(f"U0CPD{i}", "0.2")
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "1 hour of CPD logged by 5 members." in _message_text(message)


async def test_an_empty_week_posts_an_encouragement_with_the_share_button(env):
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert_golden("digest_empty", {"text": message["text"], "blocks": message["blocks"]})
    assert "quiet week" in message["text"]
    assert message["blocks"][-1]["elements"][0]["action_id"] == SHARE_UPDATE


async def test_two_hundred_updates_fit_in_fifty_blocks_with_a_count_of_the_rest(env):
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        for p in range(200):
            await c.update(await c.project(f"Project {p:03d}"), f"Update on project {p:03d}",
                           at=IN_WEEK + timedelta(minutes=p))
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    blocks = message["blocks"]
    validate_blocks(blocks)  # 50 blocks at most, every limit checked by slack_sdk
    assert len(blocks) == 50
    listed = sum(block["text"]["text"].count("\n• ") for block in blocks
                 if block["type"] == "section" and block["text"]["text"].startswith("*Project"))
    more = next(b for b in blocks if b["type"] == "context" and "more updates" in json.dumps(b))
    assert f"…and {200 - listed} more updates this week: see <#{COMMUNITY_CHANNEL_ID}>" == more["elements"][0]["text"]
    assert "200 updates from 200 projects" in json.dumps(blocks[1])
    # The most recently active project comes first.
    assert "Project 199" in blocks[2]["text"]["text"]


async def test_updates_left_out_are_counted_once_and_add_up(env):
    """Issue 16 item 14: a busy project's "…and 27 more on this project" was repeated as "…and 27 more
    updates this week"; every update left out is now counted in exactly one place."""
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        busy = await c.project("Busy project")
        for n in range(30):
            await c.update(busy, f"Update {n:02d}: " + "a long account of what we tried this week " * 3,
                           at=IN_WEEK + timedelta(minutes=n))
        await c.update(await c.project("Quiet project"), "One small test of change", at=IN_WEEK)
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    text = _message_text(message)
    busy_section = next(b["text"]["text"] for b in message["blocks"]
                        if b["type"] == "section" and b["text"]["text"].startswith("*Busy project*"))
    shown = busy_section.count("\n• ")
    assert 0 < shown < 30
    assert f"…and {30 - shown} more updates on this project" in busy_section
    assert "more updates this week" not in text  # the quiet project's one update is listed
    assert text.count(f"{30 - shown} more") == 1


async def test_kudos_on_your_own_update_are_not_most_appreciated(env):
    """Issue 16 item 14: an author's kudos to their own update put it under "Most appreciated"."""
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        project = await c.project("Falls prevention")
        mine = await c.update(project, "Hourly rounding on 6A", author=MEMBER_ID)
        theirs = await c.update(project, "Bed alarms audit", author=OTHER_ID, kudos=1)
        session.add(Kudos(team_id=TEAM, update_id=mine.id, slack_user_id=MEMBER_ID, created_at=IN_WEEK))
        session.add(Kudos(team_id=TEAM, update_id=theirs.id, slack_user_id=OTHER_ID, created_at=IN_WEEK))
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    appreciated = next(b["text"]["text"] for b in message["blocks"]
                       if b["type"] == "section" and "Most appreciated" in b["text"]["text"])
    assert "Bed alarms audit" in appreciated and ":clap: 1" in appreciated  # the author's own kudos left out
    assert "Hourly rounding" not in appreciated


async def test_the_next_digest_covers_only_what_came_after_the_last_one(env):
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        project = await c.project("Falls prevention")
        await c.update(project, "First week's work")
        await c.update(project, "Second week's work", at=IN_WEEK + timedelta(days=7))
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")
    env.clock.set(FRIDAY + timedelta(days=7))
    await run_weekly_job(env.runtime, "digest")

    first, second = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "First week's work" in _message_text(first) and "Second week's work" not in _message_text(first)
    assert "Second week's work" in _message_text(second) and "First week's work" not in _message_text(second)


async def test_digest_reads_with_the_same_number_of_statements_for_any_community_size(env):
    """No N+1: one update and two hundred updates (with kudos, mentors, CPD) cost the same statements."""
    async def statements(team_id: str) -> int:
        counted = []

        def count(*_args) -> None:
            counted.append(1)

        engine = env.runtime.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            async with env.runtime.db.session() as session:
                digest = await build_weekly_digest(session, team_id, FRIDAY - timedelta(days=7), FRIDAY)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert digest.update_count > 0
        return len(counted)

    async with env.runtime.db.session() as session, session.begin():
        small, large = Community(session, "TSMALL"), Community(session, "TLARGE")
        await small.update(await small.project("One"), "One update")
        for p in range(40):
            project = await large.project(f"Project {p}", owner=f"U{p}")
            large.member(f"U{p}", mentoring=True)
            large.mentor(f"U{p}", capacity=3)
            large.cpd(f"U{p}", "1")
            for u in range(5):
                await large.update(project, f"Update {u}", author=f"U{p}", kudos=u, help_wanted="help" if u else None)
            large.mentorship(f"U{p}", f"U{(p + 1) % 40}")
    assert await statements("TSMALL") == await statements("TLARGE")


async def test_digest_of_one_team_never_shows_another_teams_work(env):
    async with env.runtime.db.session() as session, session.begin():
        other = Community(session, "TOTHER")
        await other.update(await other.project("Another hospital's project"), "Their update")
        for i in range(5):
            other.cpd(f"U{i}", "2")
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "quiet week" in message["text"] and "Another hospital" not in _message_text(message)


async def test_share_button_opens_the_share_form(env):
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)

    await env.driver.action(SHARE_UPDATE, value="share", message=message, channel_id=COMMUNITY_CHANNEL_ID)
    await env.settle()

    [opened] = env.slack.opened_views
    assert opened["view"]["callback_id"] == SHARE and opened["view"]["title"]["text"] == "Share QI work"


async def test_find_mentor_button_opens_the_find_mentor_form(env):
    async with env.runtime.db.session() as session, session.begin():
        c = Community(session)
        await c.update(await c.project("Sleep hygiene"), "Handed out sleep diaries")
        c.mentor("U0MENTOR1")
    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert "1 mentor has room for a mentee" in _message_text(message)

    await env.driver.action(FIND_MENTOR, value="find", message=message, channel_id=COMMUNITY_CHANNEL_ID)
    await env.settle()

    [opened] = env.slack.opened_views
    assert opened["view"]["callback_id"] == FIND


async def test_admin_previews_the_digest_ephemerally_and_nothing_is_posted(env):
    await _seed_week(env)
    env.clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=TORONTO))
    await env.driver.command("/qi-commons", "digest preview", user_id=ADMIN_ID)
    await env.settle()

    [reply] = env.slack.responses()
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["elements"][0]["text"].startswith(":eyes: *Preview*, only you can see this. "
                                                                 "The next digest posts Fri 27 Nov 2026 at 15:00 EST")
    assert "Metabolic monitoring on 4B" in json.dumps(reply["blocks"]) and "<!here>" not in reply["text"]
    validate_blocks(reply["blocks"])
    assert env.slack.messages(COMMUNITY_CHANNEL_ID) == []


async def test_members_cannot_preview_the_digest(env):
    await _seed_week(env)
    await env.driver.command("/qi-commons", "digest preview", user_id=MEMBER_ID)
    await env.settle()

    [reply] = env.slack.responses()
    assert reply["text"].startswith("Only QI Commons admins can do that.")
    assert "Metabolic" not in json.dumps(reply)


async def test_an_update_shared_with_qi_share_appears_in_the_digest_with_its_link(env):
    await env.driver.command("/qi-share", "Tried a discharge checklist on 4B", user_id=MEMBER_ID,
                             channel_id=COMMUNITY_CHANNEL_ID)
    await env.settle()
    [shared] = env.slack.messages(COMMUNITY_CHANNEL_ID)

    env.clock.set(FRIDAY)
    await run_weekly_job(env.runtime, "digest")

    digest = env.slack.messages(COMMUNITY_CHANNEL_ID)[-1]
    assert "Tried a discharge checklist on 4B" in _message_text(digest)
    assert f"p{shared['ts'].replace('.', '')}" in _message_text(digest)
