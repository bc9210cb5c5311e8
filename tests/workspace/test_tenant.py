"""The installed workspace is the tenant: Slack Connect guests, Grid colleagues and org-wide installs.

Driven by payloads Slack's SDK teams recorded (tests/real_payloads.py): only what must point at the
test workspace is changed (ids, the action the bot put on its own message, fresh trigger ids).
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from bot.core.config import ConfigError
from bot.runners.service import _check_bot_token
from handlers.middleware import GUEST, ORG_WIDE
from sandbox import state_values
from storage.models import AuditLog, Kudos, Member, Nudge
from tests.charts.test_chart_in_slack import WAIT_AFTER, WAIT_BASELINE, _project
from tests.real_payloads import sample
from tests.sharing_helpers import CHANNEL, button, posts

CONNECT = sample("view_submission_slack_connect")  # kaz (W111) of T-other-side, in a shared channel
PARTNER, PARTNER_TEAM = CONNECT["user"]["id"], CONNECT["user"]["team_id"]
GRID_COLLEAGUE = "W0COLLEAGUE"  # of a sibling workspace in our Grid org, and a member of ours too
GRID_SIBLING = "W0SIBLING"  # of the sibling workspace only


@pytest.fixture
def people(env):
    env.slack.enterprise_id = "E0ORG"
    env.slack.add_user(PARTNER, name=CONNECT["user"]["name"], team_id=PARTNER_TEAM, tz=None,
                       enterprise_id=CONNECT["enterprise"]["id"], enterprise_name=CONNECT["enterprise"]["name"])
    env.slack.add_user(GRID_COLLEAGUE, name="grid.colleague", team_id="T0SIBLING", enterprise_id="E0ORG",
                       teams=["T0SIBLING", env.slack.team_id])
    env.slack.add_user(GRID_SIBLING, name="grid.sibling", team_id="T0SIBLING", enterprise_id="E0ORG")
    return env


async def _shared(env) -> dict:
    await env.driver.command("/qi-share", "Tried huddles at shift change")
    await env.settle()
    return posts(env)[-1]


def _click_as_recorded(env, message: dict, action_id: str, *, who: dict, team: dict, enterprise) -> dict:
    """Slack's recorded block_actions on a message, pointed at our message and clicked by `who`."""
    payload = sample("block_actions_message")
    [action] = payload["actions"]
    action.update(action_id=action_id, value=button(message, action_id)["value"], block_id="b")
    payload.update(user=who, team=team, enterprise=enterprise, channel={"id": CHANNEL},
                   trigger_id=env.slack.issue_trigger(), response_url=env.slack.response_url())
    payload["container"].update(message_ts=message["ts"], channel_id=CHANNEL)
    payload["message"] = {k: v for k, v in message.items() if k != "channel"}
    return payload


def _partner_click(env, message: dict, action_id: str) -> dict:
    return _click_as_recorded(env, message, action_id, who=CONNECT["user"], team=CONNECT["team"],
                              enterprise=CONNECT["enterprise"])


async def _count(env, model) -> int:
    async with env.runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


# -- Slack Connect ---------------------------------------------------------------------------------


async def test_a_partner_organisations_kudos_count_on_our_share(people):
    env = people
    message = await _shared(env)
    response = await env.driver.interactive(_partner_click(env, message, "sharing_kudos"))
    await env.settle()

    assert response.status == 200
    assert button(posts(env)[-1], "sharing_kudos")["text"]["text"] == ":clap: Kudos (1)"
    assert not any("deleted" in r.get("text", "") for r in env.slack.responses())
    async with env.runtime.db.session() as session:
        kudos = (await session.scalars(select(Kudos))).one()
        members = (await session.scalars(select(Member.slack_user_id))).all()
    assert (kudos.team_id, kudos.slack_user_id) == (env.slack.team_id, PARTNER)
    assert PARTNER not in members  # a guest is never put on our roster, so never in a digest or a nudge


async def test_a_partner_opens_a_run_chart_in_the_thread_of_a_share(people):
    env = people
    await _project(env, WAIT_BASELINE + WAIT_AFTER)
    [card] = [m for m in posts(env) if m.get("thread_ts") in (None, m["ts"]) and "QI project:" in m["text"]]
    await env.driver.interactive(_partner_click(env, card, "charts_run_chart"))
    await env.settle()
    [sent] = env.slack.files
    assert (sent.channel, sent.thread_ts) == (CHANNEL, card["ts"]) and "a signal of improvement" in sent.initial_comment


@pytest.mark.parametrize("action_id", ["sharing_edit", "sharing_delete"])
async def test_a_partner_is_kept_to_kudos_on_our_shares(people, action_id):
    env = people
    message = await _shared(env)
    await env.driver.interactive(_partner_click(env, message, action_id))
    await env.settle()

    assert env.slack.responses()[-1]["text"] == GUEST
    assert env.slack.responses()[-1]["response_type"] == "ephemeral"
    assert posts(env) == [message] and env.slack.opened_views == [] and env.slack.calls_to("chat.delete") == []


async def test_a_partner_cannot_use_our_commands_or_reach_cpd(people):
    env = people
    response = await env.driver.command("/cpd-log", "list", user_id=PARTNER)
    await env.settle()
    assert json.loads(response.body) == {"response_type": "ephemeral", "text": GUEST}
    # The refusal in the ack is all they see (Slack shows it as it shows a response_url answer).
    assert [r["text"] for r in env.slack.responses()] == [GUEST] and await _count(env, Member) == 0


async def test_a_partner_submitting_a_view_in_a_shared_channel_changes_nothing(people):
    env = people
    payload = sample("view_submission_slack_connect")  # team = other side, view.app_installed_team_id = ours
    payload["view"].update(app_installed_team_id=env.slack.team_id, callback_id="member_settings",
                           state={"values": state_values({"digest": {"value": {"checked": ["mentoring"]}}})})
    payload["trigger_id"] = env.slack.issue_trigger()
    response = await env.driver.interactive(payload)
    await env.settle()

    answer = json.loads(response.body)
    assert answer["response_action"] == "update" and answer["view"]["blocks"][0]["text"]["text"] == GUEST
    assert await _count(env, Member) == 0


async def test_a_partner_joining_the_community_channel_gets_no_welcome(people):
    env = people
    payload = sample("member_joined_shared_channel")  # envelope team_id = the source team
    payload["event"].update(user=PARTNER, channel=CHANNEL, team=env.slack.team_id)
    payload["team_id"] = PARTNER_TEAM
    payload["authorizations"][0].update(team_id=env.slack.team_id, enterprise_id=None)
    assert (await env.driver.envelope(payload)).status == 200
    await env.settle()
    assert await _count(env, Nudge) == 0


# -- Enterprise Grid --------------------------------------------------------------------------------


async def test_a_grid_colleague_who_is_in_our_workspace_too_is_one_of_us(people):
    env = people
    await env.driver.command("/qi-commons", "settings", user_id=GRID_COLLEAGUE)
    await env.settle()
    view = env.slack.opened_views[-1]["view"]
    response = await env.driver.submit_view("member_settings", state_values({
        "profession": {"value": {"selected": "psychiatry"}},
        "career_stage": {"value": {"selected": "early-career"}},
        "cpd_framework": {"value": {"selected": "cfpc-mainpro"}},
        "reminders": {"value": {"checked": []}},
        "quiet_start": {"value": {"selected_time": "17:30"}},
        "quiet_end": {"value": {"selected_time": "09:00"}},
        "digest": {"value": {"checked": ["mentoring"]}}}), view=view, user_id=GRID_COLLEAGUE)
    await env.settle()
    assert response.status == 200 and not response.body
    async with env.runtime.db.session() as session:
        member = (await session.scalars(select(Member))).one()
    assert (member.team_id, member.slack_user_id, member.profession) == (env.slack.team_id, GRID_COLLEAGUE,
                                                                         "psychiatry")


async def test_a_grid_person_of_another_workspace_only_is_a_guest(people):
    env = people
    response = await env.driver.command("/find-mentor", user_id=GRID_SIBLING)
    await env.settle()
    assert json.loads(response.body)["text"] == GUEST and env.slack.opened_views == []


async def test_the_recorded_grid_click_of_our_own_workspace_works(people):
    env = people
    message = await _shared(env)
    recorded = sample("block_actions_ephemeral_enterprise")  # team T111 of E111, user W111 of T111
    who = {**recorded["user"], "team_id": env.slack.team_id}
    team = {**recorded["team"], "id": env.slack.team_id}
    env.slack.add_user(who["id"], name=who["name"], enterprise_id="E0ORG")
    await env.driver.interactive(_click_as_recorded(env, message, "sharing_kudos", who=who, team=team,
                                                    enterprise=None))
    await env.settle()
    assert button(posts(env)[-1], "sharing_kudos")["text"]["text"] == ":clap: Kudos (1)"


# -- org-wide installs are refused ----------------------------------------------------------------


async def test_an_org_wide_install_view_with_team_null_is_refused_not_a_500(env):
    payload = sample("view_submission_org_app_team_null")  # team: null, is_enterprise_install: true
    payload["view"].update(callback_id="member_settings",
                           state={"values": state_values({"digest": {"value": {"checked": []}}})})
    payload["trigger_id"] = env.slack.issue_trigger()
    response = await env.driver.interactive(payload)
    await env.settle()

    assert response.status == 200
    answer = json.loads(response.body)
    assert answer["response_action"] == "update" and answer["view"]["blocks"][0]["text"]["text"] == ORG_WIDE
    assert await _count(env, Member) == 0
    assert [c.method for c in env.slack.calls if c.method != "auth.test"] == []  # no apology DM: a refusal


async def test_an_org_wide_install_command_is_refused_with_what_to_do(env):
    recorded = sample("slash_command_enterprise")  # W111 of E111
    grid = {k: recorded[k] for k in ("enterprise_id", "enterprise_name")}
    env.slack.add_user(recorded["user_id"], name=recorded["user_name"], enterprise_id=recorded["enterprise_id"])
    refused = await env.driver.command("/qi-share", "Tried huddles", user_id=recorded["user_id"],
                                       fields={**grid, "is_enterprise_install": "true"})
    assert json.loads(refused.body) == {"response_type": "ephemeral", "text": ORG_WIDE}
    await env.settle()
    assert posts(env) == []

    # The same Grid person through a workspace install is served.
    await env.driver.command("/qi-share", "Tried huddles", user_id=recorded["user_id"], fields=grid)
    await env.settle()
    assert any("Tried huddles" in json.dumps(m) for m in posts(env))


async def test_an_org_wide_token_stops_the_start_with_what_to_do(env):
    env.slack.org_wide_install = True
    with pytest.raises(ConfigError, match="organisation-wide install.*install the app in one workspace"):
        await _check_bot_token(env.runtime)


async def test_a_guest_refusal_is_logged_without_naming_them(people, caplog):
    env = people
    caplog.set_level(logging.INFO, logger="handlers.middleware")
    await env.driver.command("/cpd-log", "list", user_id=PARTNER)
    # Only the product's own log lines: the stand-in's access log is Slack's side of the wire.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("handlers", "bot")))
    assert "Refused a guest from another organisation (/cpd-log)" in ours
    assert PARTNER not in ours  # who they are is not logged
    assert await _count(env, AuditLog) == 0
