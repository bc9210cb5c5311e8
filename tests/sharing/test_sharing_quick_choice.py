"""A quick share that is ambiguous asks first, ephemerally, with the choices; nothing goes to the channel.

Ambiguous: several active projects and no `#slug`, or text that reads like a command or a slip
(`/qi-share list please`, `/qi-share #`, `/qi-share test`).
"""

from __future__ import annotations

import json

import pytest

from bot.sharing import services
from tests.ack_order import slow_store
from tests.golden import assert_golden
from tests.sharing_helpers import MEMBER, OTHER, posts, projects, submit_share, updates

HEALTH_NUMBER = "1234-567-897"


async def _two_projects(env):
    for title in ("Discharge checklist", "Metabolic monitoring"):
        await submit_share(env, "new", new={"title": {"input": title}})
    return await projects(env)


async def _share(env, text: str, user_id: str = MEMBER) -> dict:
    before = (len(posts(env)), len(await updates(env)))
    env.slack.reset_calls()
    await env.driver.command("/qi-share", text, user_id=user_id, response_url=env.slack.response_url())
    await env.settle()
    assert (len(posts(env)), len(await updates(env))) == before, "nothing is posted or stored before they choose"
    assert env.slack.calls_to("chat.postMessage") == []
    reply = env.slack.responses()[-1]
    assert reply["response_type"] == "ephemeral"
    return reply


def _choices(reply: dict) -> dict[str, dict]:
    """The choice buttons by block id: `sharing_quick_to:<project id>`, or `sharing_quick_to:` for general."""
    return {b["block_id"]: b["accessory"] for b in reply["blocks"] if b.get("block_id", "").startswith("sharing_quick_to")}


async def _choose(env, reply: dict, block_id: str, *, value: str | None = None, user_id: str = MEMBER) -> str:
    url = env.slack.response_url()
    await env.driver.action("sharing_quick_to", value=value if value is not None else _choices(reply)[block_id]["value"],
                            block_id=block_id, user_id=user_id, response_url=url)
    await env.settle()
    return url


async def test_with_several_projects_it_asks_which_then_posts_to_the_one_chosen(env):
    first, second = await _two_projects(env)
    reply = await _share(env, "Great QI grand rounds today, ideas for both wards")
    assert_golden("sharing_quick_choice_projects", {"text": reply["text"], "blocks": reply["blocks"]})
    assert set(_choices(reply)) == {f"sharing_quick_to:{first.id}", f"sharing_quick_to:{second.id}", "sharing_quick_to:"}

    url = await _choose(env, reply, f"sharing_quick_to:{second.id}")
    last = (await updates(env))[-1]
    assert (last.project_id, last.tried) == (second.id, "Great QI grand rounds today, ideas for both wards")
    assert posts(env)[-1]["thread_ts"] == second.thread_ts
    first_answer, shared = env.slack.responses(url)[:2]
    assert first_answer.get("delete_original") is True  # the question goes, so it cannot be answered twice
    assert shared["text"].startswith(":white_check_mark: Shared!")


@pytest.mark.parametrize("text", ["#", "# ", "#   "])
async def test_a_bare_hash_asks_for_the_project_and_posts_nothing(env, text):
    await _two_projects(env)
    reply = await _share(env, text)
    assert reply["text"].startswith("Add your update after the project name, e.g. `/qi-share #project")
    assert reply["text"].endswith("Nothing was posted.")


async def test_a_hash_that_names_no_project_asks_which_one(env):
    first, _ = await _two_projects(env)
    reply = await _share(env, "# Tried huddles at shift change")
    assert reply["blocks"][0]["text"]["text"].startswith("*Which project is this for?* A project's short name "
                                                         "follows the `#` with no space")
    await _choose(env, reply, f"sharing_quick_to:{first.id}")
    assert ((await updates(env))[-1].project_id, (await updates(env))[-1].tried) == (
        first.id, "Tried huddles at shift change")


@pytest.mark.parametrize("text,meant", [("list please", "list"), ("List, please", "list"), ("help me", "help"),
                                        ("new project on falls", "new")])
async def test_text_that_starts_like_a_command_asks_first(env, text, meant):
    await _two_projects(env)
    reply = await _share(env, text)
    assert f"Did you mean `/qi-share {meant}`?" in reply["blocks"][0]["text"]["text"]
    run = next(b for b in reply["blocks"] if b.get("block_id") == "sharing_quick_command")["elements"][0]
    assert run["value"] == meant and len(_choices(reply)) == 3
    if text == "list please":
        assert_golden("sharing_quick_choice_command", {"text": reply["text"], "blocks": reply["blocks"]})
        await env.driver.action("sharing_quick_command", value=run["value"], response_url=env.slack.response_url())
        await env.settle()
        assert env.slack.responses()[-1]["text"] == "Your QI projects (2)"


@pytest.mark.parametrize("text", ["test", "/qi-share Tried huddles", "hello!"])
async def test_a_one_word_share_or_a_repeated_command_asks_even_without_projects(env, text):
    reply = await _share(env, text, user_id=OTHER)
    question = reply["blocks"][0]["text"]["text"]
    assert question.startswith("*Share this with the whole community channel?*")
    assert ("It starts with `/`, like a command" if text.startswith("/") else "It is a single word") in question
    assert list(_choices(reply)) == ["sharing_quick_to:"]  # no projects: only a general update
    await _choose(env, reply, "sharing_quick_to:", user_id=OTHER)
    [update] = await updates(env)
    assert update.project_id is None and update.author_id == OTHER and posts(env)[-1]["thread_ts"] is None


async def test_cancel_shares_nothing(env):
    await _two_projects(env)
    await _share(env, "Huddles at shift change went well")
    url = env.slack.response_url()
    await env.driver.action("sharing_quick_cancel", value="cancel", response_url=url)
    await env.settle()
    [answer] = env.slack.responses(url)
    assert answer["text"] == "Nothing was shared." and answer["replace_original"] is True
    assert len(await updates(env)) == 2


async def test_a_clear_quick_share_still_posts_at_once(env):
    """A `#slug`, or a member with one active project, goes straight out as before."""
    project, _ = await _two_projects(env)
    await env.driver.command("/qi-share", f"#{project.slug} Second cycle started on 4B")
    await env.settle()
    assert (await updates(env))[-1].project_id == project.id
    await submit_share(env, "new", user_id=OTHER, new={"title": {"input": "Falls on 4B"}})
    await env.driver.command("/qi-share", "Audit of falls done this week", user_id=OTHER)
    await env.settle()
    assert (await updates(env))[-1].tried == "Audit of falls done this week"


async def test_a_choice_is_checked_again_when_it_comes_back(env):
    """The text and the project ride in the buttons: a forged click is held to the same rules."""
    first, _ = await _two_projects(env)
    env.slack.add_user("U0STRANGER", name="stranger")
    reply = await _share(env, "Huddles at shift change went well")
    await _choose(env, reply, f"sharing_quick_to:{first.id}", user_id="U0STRANGER")
    assert "Only the team of `#discharge-checklist` can post to it" in env.slack.responses()[-1]["text"]
    await _choose(env, reply, "sharing_quick_to:", value=f"Called OHIP {HEALTH_NUMBER} about it")
    assert "Ontario health card number" in env.slack.responses()[-1]["text"]
    assert HEALTH_NUMBER not in json.dumps(env.slack.responses())
    await _choose(env, reply, "sharing_quick_to:999999", value="Huddles at shift change went well")
    assert "That project no longer exists" in env.slack.responses()[-1]["text"]
    await _choose(env, reply, "sharing_quick_to:not-an-id", value="Huddles at shift change went well")
    assert "That project no longer exists" in env.slack.responses()[-1]["text"]
    assert len(await updates(env)) == 2 and len(posts(env)) == 4


async def test_the_chosen_share_is_stored_before_slack_is_told_the_click_was_taken(env, monkeypatch):
    first, second = await _two_projects(env)
    reply = await _share(env, "Great QI grand rounds today, ideas for both wards")
    slow_store(monkeypatch, services, "share_chosen")
    url = env.slack.response_url()
    response = await env.driver.action("sharing_quick_to", value=_choices(reply)[f"sharing_quick_to:{second.id}"]["value"],
                                       block_id=f"sharing_quick_to:{second.id}", response_url=url)
    # The ack is back: the update is already stored, so no crash from here on can lose it.
    assert response.status == 200
    assert [(u.project_id, u.tried) for u in await updates(env)][-1] == (
        second.id, "Great QI grand rounds today, ideas for both wards")
    await env.settle()
    first_answer, shared = env.slack.responses(url)[:2]
    assert first_answer.get("delete_original") is True and shared["text"].startswith(":white_check_mark: Shared!")
    assert posts(env)[-1]["thread_ts"] == second.thread_ts
