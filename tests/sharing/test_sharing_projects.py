"""QI projects: the scale and slugs as data, and create / edit / pause / complete / list through Slack."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bot.sharing import services
from bot.sharing.projects import PROGRESS_SCALE, parse_measures, parse_tags, progress_label, slugify
from handlers.sharing.blocks import parent_message
from sandbox import state_values
from storage.models import QiProject
from tests.ack_order import slow_store
from tests.golden import assert_golden
from tests.sharing_helpers import NEW_PROJECT, OTHER, button, posts, projects, submit_share


def test_progress_scale_runs_from_intent_to_outstanding_results_in_half_steps():
    assert [score for score, _ in PROGRESS_SCALE] == [Decimal(n) / 2 for n in range(1, 11)]
    assert progress_label(Decimal("0.5")) == "0.5 · Intent to participate"
    assert progress_label(Decimal("5")) == "5.0 · Outstanding sustainable results"
    assert all(len(progress_label(score)) <= 75 for score, _ in PROGRESS_SCALE)


def test_slugs_measures_and_tags():
    assert slugify("Métabolic monitoring on 4B!") == "metabolic-monitoring-on-4b"
    assert slugify("🎉🎉") == "project"
    assert len(slugify("word " * 40)) <= 40 and not slugify("word " * 40).endswith("-")
    assert parse_measures("Outcome: % screened\n- process – checklist used\n\nBALANCING: LOS") == (
        (("outcome", "% screened"), ("process", "checklist used"), ("balancing", "LOS")), None)
    assert parse_measures("Screening rate")[1].startswith("Start each line with outcome:")
    assert parse_tags("#Inpatient, metabolic; inpatient") == ("inpatient", "metabolic")


async def test_new_project_without_an_update_then_listed(env):
    await env.driver.command("/qi-share", "new")
    await env.settle()
    form = env.slack.opened_views[-1]["view"]
    assert_golden("sharing_modal_project_new", {k: form[k] for k in ("type", "title", "submit", "close", "blocks")})
    values = state_values({**NEW_PROJECT, "stage": {"input": {"selected": "plan"}},
                           "progress": {"input": {"selected": "1.0"}}})
    response = await env.driver.submit_view("sharing_project", values, view=form)
    await env.settle()
    assert response.status == 200 and not response.body
    [project] = await projects(env)
    assert (project.title, project.progress_score, project.status) == ("Metabolic monitoring on 4B", Decimal("1.0"),
                                                                       "active")
    assert "`/qi-share #metabolic-monitoring-on-4b ...`" in env.slack.responses()[-1]["text"]
    assert posts(env) == []  # the parent message waits for the first update

    await env.driver.command("/qi-share", "list", user_id=OTHER)  # a team member sees it too
    await env.settle()
    listing = env.slack.responses()[-1]
    assert "*Metabolic monitoring on 4B*  `#metabolic-monitoring-on-4b`" in str(listing["blocks"])
    assert "no updates yet" in str(listing["blocks"])


async def test_list_shows_stage_progress_and_last_update_with_buttons(env):
    await submit_share(env, "new")
    env.clock.advance(timedelta(days=1))
    await env.driver.command("/qi-share", "list")
    await env.settle()
    listing = env.slack.responses()[-1]
    assert listing["response_type"] == "ephemeral"
    assert "PDSA stage: Do  ·  Progress: 2.5 · Changes tested, but no improvement yet  ·  last update Nov 25, 2026" \
        in str(listing["blocks"])
    assert_golden("sharing_list", {"text": listing["text"], "blocks": listing["blocks"]})

    message = {"ts": "1.0", "blocks": listing["blocks"], "text": listing["text"]}
    await env.driver.action("sharing_list_share", value=button(message, "sharing_list_share")["value"],
                            message=message)
    await env.settle()
    form = env.slack.opened_views[-1]["view"]
    assert form["callback_id"] == "sharing_share"
    assert form["blocks"][0]["element"]["initial_option"]["value"] == button(message, "sharing_list_share")["value"]

    await env.driver.command("/qi-share", "list", user_id="U0ADMIN")
    await env.settle()
    assert_golden("sharing_list_empty", {k: env.slack.responses()[-1][k] for k in ("text", "blocks")})


async def test_pause_resume_complete_from_the_list(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    await env.driver.command("/qi-share", "list")
    await env.settle()
    listing = env.slack.responses()[-1]
    message = {"ts": "1.0", "blocks": listing["blocks"], "text": listing["text"]}
    await env.driver.action("sharing_project_status", value=button(message, "sharing_project_status")["value"],
                            message=message)
    await env.settle()
    [project] = await projects(env)
    assert project.status == "paused"
    redrawn = env.slack.responses()[-1]
    assert redrawn["replace_original"] is True and "_paused_" in str(redrawn["blocks"])
    assert "Status: *paused*" in str(posts(env)[0]["blocks"])  # the card in the channel says so

    # A paused project is not an "only active project": a quick share becomes a general update.
    await env.driver.command("/qi-share", "Reading about huddles")
    await env.settle()
    assert posts(env)[-1]["thread_ts"] is None

    await env.driver.action("sharing_project_status", value=f"{project.id}:completed", message=message)
    await env.settle()
    assert (await projects(env))[0].status == "completed"
    await env.driver.action("sharing_project_status", value=f"{project.id}:active", message=message, user_id=OTHER)
    await env.settle()
    assert (await projects(env))[0].status == "active"  # team members may change it

    env.slack.add_user("U0STRANGER", name="stranger")
    await env.driver.action("sharing_project_status", value=f"{project.id}:paused", message=message,
                            user_id="U0STRANGER")
    await env.settle()
    assert (await projects(env))[0].status == "active"
    assert "Only the project's owner" in env.slack.responses()[-1]["text"]


async def test_edit_a_project_from_the_list(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    await env.driver.action("sharing_project_edit", value=str(project.id))
    await env.settle()
    form = env.slack.opened_views[-1]["view"]
    assert form["title"]["text"] == "Edit QI project"
    assert_golden("sharing_modal_project_edit", {k: form[k] for k in ("type", "title", "submit", "close", "blocks")})
    assert form["blocks"][2]["element"]["initial_value"] == (
        "Outcome: % of patients screened\nBalancing: time to discharge")
    values = state_values({**NEW_PROJECT, "title": {"input": "Metabolic screening on 4B"},
                           "measures": {"input": "Outcome: % of patients screened\nProcess: checklist used"},
                           "members": {"input": {"selected_users": []}},
                           "stage": {"input": {"selected": "study"}}, "progress": {"input": {"selected": "3.0"}}})
    await env.driver.submit_view("sharing_project", values, view=form)
    await env.settle()
    [project] = await projects(env)
    assert (project.title, project.slug, project.pdsa_stage) == ("Metabolic screening on 4B",
                                                                 "metabolic-screening-on-4b", "study")
    assert [(m.kind, m.name) for m in project.measures] == [("outcome", "% of patients screened"),
                                                           ("process", "checklist used")]
    assert project.members == []
    parent = posts(env)[0]
    assert parent["blocks"][0]["text"]["text"] == "QI project: Metabolic screening on 4B"
    assert env.slack.calls_to("chat.update")[-1]["ts"] == parent["ts"]

    # A former team member can no longer edit it.
    await env.driver.action("sharing_project_edit", value=str(project.id), user_id=OTHER)
    await env.settle()
    assert "Only the project's owner" in env.slack.responses()[-1]["text"]
    response = await env.driver.submit_view("sharing_project", values, view=form, user_id=OTHER)
    assert "title" in response.json()["errors"]


async def test_a_measure_with_data_cannot_be_dropped(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    outcome = project.measures[0]
    await submit_share(env, str(project.id), dp_measure={"input": {"selected": str(outcome.id)}},
                       dp_value={"input": {"number": "40"}}, dp_date={"input": {"selected_date": "2026-11-24"}})
    await env.driver.action("sharing_project_edit", value=str(project.id))
    await env.settle()
    values = state_values({**NEW_PROJECT, "measures": {"input": "Balancing: time to discharge"},
                           "stage": {"input": {"selected": "do"}}, "progress": {"input": {"selected": "2.5"}}})
    response = await env.driver.submit_view("sharing_project", values, view=env.slack.opened_views[-1]["view"])
    assert "has data points" in response.json()["errors"]["measures"]
    assert len((await projects(env))[0].measures) == 2


async def test_someone_elses_project_is_not_offered_from_a_forged_list_button(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    env.slack.add_user("U0STRANGER", name="stranger")
    await env.driver.action("sharing_list_share", value=str(project.id), user_id="U0STRANGER")
    await env.settle()
    picker = env.slack.opened_views[-1]["view"]["blocks"][0]["element"]
    assert [o["value"] for o in picker["options"]] == ["new"]


async def test_help_explains_and_shares_nothing(env):
    await env.driver.command("/qi-share", "help")
    await env.settle()
    reply = env.slack.responses()[-1]
    assert reply["response_type"] == "ephemeral" and "`/qi-share list`" in str(reply["blocks"])
    assert_golden("sharing_help", {"text": reply["text"], "blocks": reply["blocks"]})
    assert posts(env) == [] and await projects(env) == []


def test_a_card_whose_owner_was_forgotten_names_nobody():
    card = parent_message(QiProject(title="Falls", owner_id="", slug="falls", pdsa_stage="do", status="active",
                                    members=[], measures=[], tags=[]))
    assert card["text"] == "QI project: Falls (owner a former member)"
    assert "<@>" not in str(card)


async def test_a_forged_status_button_changes_nothing_and_says_why(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    await env.driver.action("sharing_project_status", value=f"{project.id}:deleted")
    await env.settle()
    [project] = await projects(env)
    assert project.status == "active"
    assert "out of date" in env.slack.responses()[-1]["text"]


async def test_a_status_change_is_stored_before_slack_is_told_the_click_was_taken(env, monkeypatch):
    await submit_share(env, "new")
    [project] = await projects(env)
    slow_store(monkeypatch, services, "change_project_status")
    await env.driver.command("/qi-share", "list")
    await env.settle()
    listing = env.slack.responses()[-1]
    message = {"ts": "1.0", "blocks": listing["blocks"], "text": listing["text"]}
    response = await env.driver.action("sharing_project_status", value=f"{project.id}:paused", message=message)
    [project] = await projects(env)
    assert response.status == 200 and project.status == "paused"
    await env.settle()
    redrawn = env.slack.responses()[-1]
    assert redrawn["replace_original"] is True and "_paused_" in str(redrawn["blocks"])
