"""/qi-share end to end: the form, the first post and its thread, quick-share routing, nothing lost."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from storage.models import MeasureDataPoint, OutboxMessage, QiProject
from tests.golden import assert_golden
from tests.sharing_helpers import (
    ADMIN,
    CHANNEL,
    MEMBER,
    OTHER,
    open_form,
    posts,
    projects,
    replies,
    share_reply,
    submit_share,
    updates,
)


async def test_empty_command_opens_the_form_with_a_new_project_when_there_are_none(env):
    view = await open_form(env)
    assert view["callback_id"] == "sharing_share"
    block_ids = [b.get("block_id") for b in view["blocks"]]
    # No projects yet: "New project" is chosen and its fields are asked for.
    assert block_ids[:7] == ["project", "title", "aim", "measures", "change_ideas", "members", "tags"]
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "new"
    assert_golden("sharing_modal_share_new", {k: view[k] for k in ("type", "title", "submit", "close", "blocks")})


async def test_new_project_share_posts_the_parent_then_the_update_in_its_thread(env):
    response = await submit_share(env, "new", help_wanted="Someone who has built a run chart in Excel")
    assert response.status == 200 and not response.body

    [project] = await projects(env)
    assert (project.title, project.slug, project.pdsa_stage, project.progress_score) == (
        "Metabolic monitoring on 4B", "metabolic-monitoring-on-4b", "do", Decimal("2.5"))
    assert [(m.kind, m.name) for m in project.measures] == [("outcome", "% of patients screened"),
                                                           ("balancing", "time to discharge")]
    assert [m.slack_user_id for m in project.members] == [OTHER]
    assert project.tags == ["inpatient", "metabolic"]

    parent, reply = posts(env)
    assert project.thread_ts == parent["ts"] and project.channel_id == CHANNEL
    assert reply["thread_ts"] == parent["ts"]
    [call] = [c for c in env.slack.calls_to("chat.postMessage") if c.get("thread_ts")]
    assert call["reply_broadcast"] is True
    assert_golden("sharing_parent_message", {"text": parent["text"], "blocks": parent["blocks"]})
    assert_golden("sharing_update_message", {"text": reply["text"], "blocks": reply["blocks"]})

    [update] = await updates(env)
    assert (update.post_status, update.ts, update.thread_ts) == ("posted", reply["ts"], parent["ts"])
    assert update.permalink and update.permalink in replies(env)[0]
    assert replies(env)[0].startswith(":white_check_mark: Shared!")
    assert_golden("sharing_reply_posted", env.slack.responses()[0])


async def test_second_update_goes_to_the_thread_and_the_channel_and_updates_the_card(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    await submit_share(env, str(project.id), tried="Added a pharmacy reminder.", stage="study", progress="3.0")

    parent, first, second = posts(env)
    assert second["thread_ts"] == parent["ts"]
    assert env.slack.calls_to("chat.postMessage")[-1]["reply_broadcast"] is True
    assert "Added a pharmacy reminder." in second["blocks"][2]["text"]["text"]
    # The project's card now shows the stage and score of the latest update.
    assert "*Study*" in str(parent["blocks"]) and "3.0 · Modest improvement" in str(parent["blocks"])


async def test_picking_a_project_in_the_form_shows_its_measures_for_a_data_point(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    view = await open_form(env)
    assert view["blocks"][0]["element"]["initial_option"]["value"] == str(project.id)  # the only project
    await env.driver.action("project_pick", view=view, action_type="static_select",
                            selected_option=str(project.id))
    await env.settle()
    updated = env.slack.view(view["id"])
    assert "title" not in [b.get("block_id") for b in updated["blocks"]]
    assert [b.get("block_id") for b in updated["blocks"]][-3:] == ["dp_measure", "dp_value", "dp_date"]
    assert_golden("sharing_modal_share_project",
                  {k: updated[k] for k in ("type", "title", "submit", "close", "blocks")})

    outcome = project.measures[0]
    await submit_share(env, str(project.id), view=updated, dp_measure={"input": {"selected": str(outcome.id)}},
                       dp_value={"input": {"number": "62.5"}}, dp_date={"input": {"selected_date": "2026-11-20"}})
    async with env.runtime.db.session() as session:
        [point] = (await session.scalars(select(MeasureDataPoint))).all()
    assert (point.measure_id, point.value, point.observed_on) == (outcome.id, Decimal("62.5"), date(2026, 11, 20))
    assert "% of patients screened (outcome): 62.5 on 2026-11-20" in str(posts(env)[-1]["blocks"])


async def test_every_field_is_checked_and_errors_come_back_on_the_field(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    response = await submit_share(env, str(project.id), tried="", dp_value={"input": {"number": "12"}},
                                  dp_date={"input": {"selected_date": "2026-12-25"}})
    assert response.json() == {"response_action": "errors", "errors": {
        "tried": "Tell the community what you tried.",
        "dp_measure": "Choose the measure this value belongs to.",
        "dp_date": "That date is in the future: pick the date it was measured."}}
    response = await submit_share(env, "new", new={"title": {"input": ""},
                                                   "measures": {"input": "Outcomes are great"}})
    assert set(response.json()["errors"]) == {"title", "measures"}
    assert "outcome:, process: or balancing:" in response.json()["errors"]["measures"]
    assert len(await updates(env)) == 1 and len(posts(env)) == 2  # nothing stored or posted by the bad ones


async def test_someone_elses_project_cannot_be_chosen(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    env.slack.add_user("U0STRANGER", name="stranger")
    response = await submit_share(env, str(project.id), user_id="U0STRANGER")
    assert "project" in response.json()["errors"]
    # A team member may post.
    await submit_share(env, str(project.id), user_id=OTHER)
    assert (await updates(env))[-1].author_id == OTHER


# --- quick share --------------------------------------------------------------------------------


async def _make_project(env, title: str, user_id: str = MEMBER) -> QiProject:
    new = {"title": {"input": title}}
    await submit_share(env, "new", user_id=user_id, new=new)
    return (await projects(env))[-1]


async def test_quick_share_goes_to_the_only_active_project(env):
    project = await _make_project(env, "Discharge checklist")
    await env.driver.command("/qi-share", "Second cycle started on 4B")
    await env.settle()
    last = (await updates(env))[-1]
    assert (last.project_id, last.tried, last.pdsa_stage) == (project.id, "Second cycle started on 4B", "do")
    assert posts(env)[-1]["thread_ts"] == project.thread_ts
    reply = share_reply(env)
    assert reply["response_type"] == "ephemeral" and last.permalink in reply["text"]


async def test_quick_share_with_a_slug_and_as_a_general_update(env):
    first = await _make_project(env, "Discharge checklist")
    await _make_project(env, "Metabolic monitoring")
    await env.driver.command("/qi-share", "#discharge-checklist Audit done, 62% had a checklist")
    await env.settle()
    assert (await updates(env))[-1].project_id == first.id
    assert posts(env)[-1]["thread_ts"] == first.thread_ts

    # Two active projects and no slug: the member is asked (tests/sharing/test_sharing_quick_choice.py);
    # chosen as a general update, it is posted in the channel without a thread.
    await env.driver.command("/qi-share", "Great QI grand rounds today")
    await env.settle()
    assert len(await updates(env)) == 3
    question = env.slack.responses()[-1]
    general_choice = next(b for b in question["blocks"] if b.get("block_id") == "sharing_quick_to:")
    await env.driver.action("sharing_quick_to", value=general_choice["accessory"]["value"],
                            block_id="sharing_quick_to:", response_url=env.slack.response_url())
    await env.settle()
    general = (await updates(env))[-1]
    assert general.project_id is None and general.thread_ts is None
    assert posts(env)[-1]["thread_ts"] is None and "a general QI update" in str(posts(env)[-1]["blocks"])
    assert_golden("sharing_update_general", {"text": posts(env)[-1]["text"], "blocks": posts(env)[-1]["blocks"]})

    await env.driver.command("/qi-share", "#no-such-thing hello")
    await env.settle()
    assert "can't find a project called `#no-such-thing`" in env.slack.responses()[-1]["text"]
    assert len(await updates(env)) == 4


async def test_general_update_when_the_member_has_no_project(env):
    await env.driver.command("/qi-share", "Reading about run charts", user_id=OTHER)
    await env.settle()
    [update] = await updates(env)
    assert update.project_id is None and update.post_status == "posted"
    assert posts(env)[-1]["thread_ts"] is None


async def test_slugs_are_unique_per_team(env):
    await _make_project(env, "Falls prevention")
    await _make_project(env, "Falls prevention!", user_id=OTHER)
    assert [p.slug for p in await projects(env)] == ["falls-prevention", "falls-prevention-2"]


# --- nothing lost -------------------------------------------------------------------------------


async def test_a_5xx_leaves_the_update_pending_and_the_sweep_posts_it(env):
    env.slack.fail("chat.postMessage", status=500)
    await env.driver.command("/qi-share", "Tried huddles at shift change", user_id=OTHER)
    await env.settle()
    [update] = await updates(env)
    assert update.post_status == "pending" and posts(env) == []
    assert "will appear in <#C0COMMUNITY> shortly" in share_reply(env)["text"]
    assert_golden("sharing_reply_pending", share_reply(env))

    env.clock.advance(timedelta(minutes=3))
    assert await env.runtime.outbox.sweep() == 1
    [update] = await updates(env)
    assert update.post_status == "posted" and update.ts == posts(env)[0]["ts"]


async def test_a_waiting_update_is_posted_only_after_its_parent(env):
    env.slack.fail("chat.postMessage", status=503, times=None)
    await submit_share(env, "new")
    [project] = await projects(env)
    await env.driver.command("/qi-share", "Second test of the checklist")
    await env.settle()
    assert [u.post_status for u in await updates(env)] == ["pending", "pending"] and project.thread_ts is None
    assert len(env.slack.calls_to("chat.postMessage")) > 0 and posts(env) == []

    env.slack.clear_failures()
    env.clock.advance(timedelta(minutes=3))
    await env.runtime.outbox.sweep()  # the parent
    env.clock.advance(timedelta(minutes=3))
    await env.runtime.outbox.sweep()  # then the updates, into its thread
    parent, first, second = posts(env)
    assert "QI project: Metabolic monitoring on 4B" in parent["text"]
    assert first["thread_ts"] == second["thread_ts"] == parent["ts"]
    assert "Tried a screening checklist" in str(first["blocks"]) and "Second test" in str(second["blocks"])
    assert [u.post_status for u in await updates(env)] == ["posted", "posted"]


async def test_private_channel_without_the_bot_tells_admins_how_to_invite_it(env, make_settings):
    env.slack.add_channel("G0PRIVATE", name="qi-private", is_private=True, bot_member=False)
    env.runtime.settings = make_settings(slack_api_url=env.slack.api_url, community_channel_id="G0PRIVATE")
    await env.driver.command("/qi-share", "Tried huddles", user_id=OTHER)
    await env.settle()
    [update] = await updates(env)
    assert update.post_status == "failed"
    assert "could not post it" in env.slack.responses()[-1]["text"]
    assert_golden("sharing_reply_failed", env.slack.responses()[-1])

    env.clock.advance(timedelta(minutes=3))
    await env.runtime.outbox.sweep()
    [notice] = env.slack.messages(env.slack.dm_channel(ADMIN))
    assert "`/invite @QI Commons`" in notice["text"] and "channel_not_found" in notice["text"]
    assert_golden("sharing_admin_notice", {"text": notice["text"]})
    env.clock.advance(timedelta(minutes=30))
    await env.runtime.outbox.sweep()
    assert len(env.slack.messages(env.slack.dm_channel(ADMIN))) == 1  # once


async def test_public_channel_without_the_bot_is_joined(env, make_settings):
    # Installed without chat:write.public, Slack lets the bot post only where it is a member.
    env.slack.scopes = env.slack.scopes - {"chat:write.public"}
    env.slack.add_channel("C0OTHER", name="qi-other", bot_member=False)
    env.runtime.settings = make_settings(slack_api_url=env.slack.api_url, community_channel_id="C0OTHER")
    await env.driver.command("/qi-share", "Tried huddles", user_id=OTHER)
    await env.settle()
    assert env.slack.calls_to("conversations.join")[0]["channel"] == "C0OTHER"
    assert len(env.slack.messages("C0OTHER")) == 1


async def test_a_share_offers_cpd(env):
    await env.driver.command("/qi-share", "Tried huddles at shift change", user_id=OTHER)
    await env.settle()
    # Both answers go where the member typed the command, the offer after the confirmation.
    confirmation, offer = env.slack.responses()
    assert confirmation["text"].startswith(":white_check_mark: Shared!")
    assert "Log time on this as CPD?" in offer["text"] and offer["response_type"] == "ephemeral"


async def test_a_measure_of_another_project_is_refused_on_the_field(env):
    # e.g. picked in the form, then the member switched to another project
    await submit_share(env, "new")
    await submit_share(env, "new", user_id=OTHER, new={"title": {"input": "Falls on 4B"},
                                                       "measures": {"input": "Outcome: falls per 1,000 bed days"}})
    mine, theirs = await projects(env)
    response = await submit_share(env, str(mine.id), dp_measure={"input": {"selected": str(theirs.measures[0].id)}},
                                  dp_value={"input": {"number": "3"}}, dp_date={"input": {"selected_date": "2026-11-20"}})
    assert response.json()["errors"] == {"dp_measure": "Choose one of this project's measures."}
    assert len(await updates(env)) == 2


async def test_no_database_write_lock_is_held_while_slack_makes_the_permalink(env, monkeypatch):
    """A Slack call inside the outbox's transaction would block every other writer (all of SQLite)."""
    real = env.runtime.client.chat_getPermalink
    probes = []

    async def permalink_while_someone_writes(**kwargs):
        async def write():
            async with env.runtime.db.session() as session, session.begin():
                await session.execute(update(OutboxMessage).values(attempts=OutboxMessage.attempts))
        try:
            await asyncio.wait_for(write(), timeout=8)
            probes.append("written")
        except (TimeoutError, OperationalError):
            probes.append("blocked")
        return await real(**kwargs)

    monkeypatch.setattr(env.runtime.client, "chat_getPermalink", permalink_while_someone_writes)
    await env.driver.command("/qi-share", "Tried huddles at shift change")
    await env.settle()
    assert probes == ["written"]
    [update_row] = await updates(env)
    assert update_row.permalink and update_row.permalink in replies(env)[0]
