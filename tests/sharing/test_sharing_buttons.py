"""Buttons on a shared update: kudos toggle per member; only the author or an admin may edit or delete."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.sharing import services
from sandbox import state_values
from storage.models import AuditLog, Kudos
from tests.ack_order import slow_store
from tests.golden import assert_golden
from tests.sharing_helpers import ADMIN, CHANNEL, MEMBER, OTHER, button, posts, updates


async def _shared(env, text: str = "Tried huddles at shift change") -> dict:
    await env.driver.command("/qi-share", text)
    await env.settle()
    return posts(env)[-1]


async def _click(env, action_id: str, message: dict, user_id: str):
    response = await env.driver.action(action_id, value=button(message, action_id)["value"], message=message,
                                       user_id=user_id)
    await env.settle()
    return response


async def test_kudos_toggle_per_member_and_show_the_count(env):
    message = await _shared(env)
    await _click(env, "sharing_kudos", message, OTHER)
    await _click(env, "sharing_kudos", posts(env)[-1], ADMIN)
    assert button(posts(env)[-1], "sharing_kudos")["text"]["text"] == ":clap: Kudos (2)"
    assert env.slack.calls_to("chat.update")[-1]["ts"] == message["ts"]

    await _click(env, "sharing_kudos", posts(env)[-1], OTHER)  # a second click takes them back
    assert button(posts(env)[-1], "sharing_kudos")["text"]["text"] == ":clap: Kudos (1)"
    async with env.runtime.db.session() as session:
        assert (await session.scalars(select(Kudos.slack_user_id))).all() == [ADMIN]


async def test_another_members_delete_is_refused_and_changes_nothing(env):
    message = await _shared(env)
    await _click(env, "sharing_delete", message, OTHER)
    refusal = env.slack.responses()[-1]
    assert refusal["response_type"] == "ephemeral" and "Only the person who shared this update" in refusal["text"]
    assert posts(env) == [message] and env.slack.calls_to("chat.delete") == []
    assert [u.post_status for u in await updates(env)] == ["posted"]
    async with env.runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "qi_update.delete_refused", AuditLog.actor_id == OTHER)) == 1

    await _click(env, "sharing_edit", message, OTHER)
    assert "Only the person who shared this update" in env.slack.responses()[-1]["text"]
    assert env.slack.opened_views == []


async def test_the_author_deletes_and_the_message_goes(env):
    message = await _shared(env)
    # The Delete button asks for confirmation in Slack before it is sent.
    assert button(message, "sharing_delete")["confirm"]["confirm"]["text"] == "Delete"
    await _click(env, "sharing_delete", message, MEMBER)
    assert posts(env) == [] and env.slack.calls_to("chat.delete")[0] == {"channel": CHANNEL, "ts": message["ts"]}
    assert [u.post_status for u in await updates(env)] == ["deleted"]


async def test_an_admin_may_delete_any_update(env):
    message = await _shared(env)
    await _click(env, "sharing_delete", message, ADMIN)
    assert posts(env) == []


async def test_the_author_edits_and_the_message_follows(env):
    message = await _shared(env)
    await _click(env, "sharing_edit", message, MEMBER)
    opened = env.slack.opened_views[-1]["view"]
    assert opened["blocks"][0]["element"]["initial_value"] == "Tried huddles at shift change"
    assert_golden("sharing_modal_edit_update", {k: opened[k] for k in ("type", "title", "submit", "close", "blocks")})

    values = state_values({"tried": {"input": "Tried huddles at shift change, twice a day"},
                           "learned": {"input": "Short huddles work best"}, "help_wanted": {"input": None}})
    response = await env.driver.submit_view("sharing_edit_update", values, view=opened)
    await env.settle()
    assert response.status == 200 and not response.body
    [update] = await updates(env)
    assert (update.tried, update.learned) == ("Tried huddles at shift change, twice a day", "Short huddles work best")
    edited = posts(env)[-1]
    assert edited["ts"] == message["ts"] and "Short huddles work best" in str(edited["blocks"])
    assert ":pencil2: Your changes are saved" in env.slack.responses()[-1]["text"]

    # A forged submission from someone else is refused on the server, whatever the client shows.
    response = await env.driver.submit_view("sharing_edit_update", values, view=opened, user_id=OTHER)
    assert response.json()["errors"] == {"tried": "Only the author or an admin can edit this."}


async def test_an_edit_with_a_health_number_is_refused_on_the_field(env):
    message = await _shared(env)
    await _click(env, "sharing_edit", message, MEMBER)
    values = state_values({"tried": {"input": "Called about OHIP 1234-567-897 today"}})
    response = await env.driver.submit_view("sharing_edit_update", values, view=env.slack.opened_views[-1]["view"])
    assert response.json()["errors"]["tried"].startswith("Remove the Ontario health card number")
    [update] = await updates(env)
    assert update.tried == "Tried huddles at shift change"


async def test_an_edit_is_not_reported_as_lost_when_slack_cannot_confirm_it(env):
    """Every way of telling the author fails after the edit is saved: no "nothing was shared" apology, and
    the rest of the work (the author's Home) still happens."""
    message = await _shared(env)
    await env.driver.event({"type": "app_home_opened", "user": MEMBER, "tab": "home", "channel": "D0HOME"})
    await _click(env, "sharing_edit", message, MEMBER)
    opened = env.slack.opened_views[-1]["view"]
    env.slack.reset_calls()
    env.slack.fail("response_url", status=404)
    env.slack.fail("chat.postEphemeral", error="channel_not_found")
    env.slack.fail("chat.postMessage", error="cannot_dm_bot")
    values = state_values({"tried": {"input": "Tried huddles twice a day"}, "learned": {"input": None},
                           "help_wanted": {"input": None}})
    response = await env.driver.submit_view("sharing_edit_update", values, view=opened)
    await env.settle()
    assert response.status == 200
    [update] = await updates(env)
    assert update.tried == "Tried huddles twice a day"
    assert "Tried huddles twice a day" in str(posts(env)[-1]["blocks"])
    assert not [c for c in env.slack.calls_to("chat.postMessage") if "went wrong" in c.get("text", "")]
    assert [c["user_id"] for c in env.slack.calls_to("views.publish")] == [MEMBER]


async def test_kudos_is_stored_before_slack_is_told_the_click_was_taken(env, monkeypatch):
    message = await _shared(env)
    slow_store(monkeypatch, services, "toggle_kudos")
    response = await env.driver.action("sharing_kudos", value=button(message, "sharing_kudos")["value"],
                                       message=message, user_id=OTHER)
    async with env.runtime.db.session() as session:
        given = (await session.scalars(select(Kudos.slack_user_id))).all()
    assert response.status == 200 and given == [OTHER]
    await env.settle()
    assert button(posts(env)[-1], "sharing_kudos")["text"]["text"] == ":clap: Kudos (1)"


async def test_a_delete_is_stored_before_slack_is_told_the_click_was_taken(env, monkeypatch):
    message = await _shared(env)
    slow_store(monkeypatch, services, "delete_update")
    response = await env.driver.action("sharing_delete", value=button(message, "sharing_delete")["value"],
                                       message=message, user_id=MEMBER)
    assert response.status == 200 and [u.post_status for u in await updates(env)] == ["deleted"]
    await env.settle()
    assert posts(env) == [] and [u.post_status for u in await updates(env)] == ["deleted"]
    assert env.slack.responses()[-1]["text"] == "Deleted the update."
