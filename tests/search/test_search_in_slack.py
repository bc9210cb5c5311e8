"""`/qi-commons search`, the Home's search box and "More results", driven as Slack drives them."""

from __future__ import annotations

import json
import logging

from bot.sharing import services
from bot.sharing.updates import UpdateFields
from sandbox import state_values
from tests.golden import assert_golden
from tests.search.corpus import ME, OTHER, TEAM, project, seed
from tests.sharing_helpers import NEW_PROJECT, submit_share


def _text(message) -> str:
    return json.dumps(message.get("blocks") or [], ensure_ascii=False) + message.get("text", "")


async def _search(env, text: str, user_id: str = ME):
    await env.driver.command("/qi-commons", f"search {text}", user_id=user_id)
    await env.settle()
    return env.slack.responses()[-1]


async def test_results_show_highlighted_words_owner_stage_date_and_the_thread(env):
    await seed(env)
    # One project shared through the app, so its card opened a thread in the channel.
    await submit_share(env, "new", new=dict(NEW_PROJECT, title={"input": "Night-time falls huddle"},
                                            aim={"input": "Fewer falls at night on 4B"}),
                       tried="A falls huddle at every night handover")
    reply = await _search(env, "falls")
    assert_golden("search_results", reply)
    text = _text(reply)
    assert "*falls*" in text and "*fall*" in text  # the matched words, whatever their form
    assert "Project · <@U0MEMBER1> · Do stage · 1 Dec 2026" in text and "Mentor · <@U0MENTOR1>" in text
    assert "https://qi-commons.slack.com/archives/C0COMMUNITY/p" in text  # the project's thread
    assert "another workspace" not in text


async def test_what_members_wrote_is_escaped_before_the_words_are_highlighted(env):
    await services.save_project(env.runtime, team_id=TEAM, user_id=ME, fields=project(
        "Falls <!channel> & co", "Fewer falls for <@U0ADMIN> & <https://evil.example|everyone>"))
    text = _text(await _search(env, "falls"))
    assert "<!channel>" not in text and "<@U0ADMIN>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt; &amp; co" in text
    assert "*falls* for &lt;@U0ADMIN&gt; &amp; &lt;https://evil.example|everyone&gt;" in text


async def test_more_results_replaces_the_reply_with_the_next_ten(env):
    for n in range(13):
        await services.share_update(env.runtime, team_id=TEAM, user_id=OTHER, project_id=None,
                                    fields=UpdateFields(tried=f"Handover huddle number {n}"))
    first = await _search(env, "handover huddle")
    [more] = [e for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await env.driver.action("search_more", value=more["value"], channel_id="C0COMMUNITY")
    await env.settle()
    second = env.slack.responses()[-1]
    assert second.get("replace_original") is True
    assert_golden("search_results_more", second)
    assert "Results 11–13" in _text(second) and "More results" not in _text(second)


async def test_nothing_found_says_what_to_try(env):
    await seed(env)
    reply = await _search(env, "zebrafish")
    assert_golden("search_no_results", reply)


async def test_bad_input_is_explained(env):
    cases = {"": "What would you like to find?", "the of and": "too common to search for",
             "x" * 250: "keep it under 200", "type:recipes falls": "`type:project`",
             "since:soon falls": "`since:2026-01`", '"*" -': "couldn't find a word"}
    for typed, expected in cases.items():
        reply = await _search(env, typed)
        assert expected in reply["text"], typed
        assert not reply.get("blocks")


async def test_a_query_that_looks_like_phi_is_refused_and_not_logged(env, caplog):
    await seed(env)
    caplog.set_level(logging.DEBUG)
    reply = await _search(env, "falls for patient 1234-567-897")
    assert "health card number" in reply["text"] and "1234" not in reply["text"]
    assert "1234-567-897" not in caplog.text


async def test_the_home_search_box_shows_results_under_it(env):
    await seed(env)
    home = await _home(env)
    assert any(e.get("action_id") == "home_open_search" for b in home["blocks"]
               for e in ([b["accessory"]] if "accessory" in b else b.get("elements", [])))
    await env.driver.action("home_open_search", view=home)
    await env.settle()
    modal = env.slack.opened_views[-1]["view"]
    assert_golden("search_modal", modal)
    response = await env.driver.submit_view("search_modal", state_values({"query": {"value": "readmission"}}),
                                            view=modal)
    answer = response.json()
    assert answer["response_action"] == "update"
    assert_golden("search_modal_results", answer["view"])
    assert "Réadmission à 30 jours" in json.dumps(answer["view"], ensure_ascii=False)
    refused = await env.driver.submit_view("search_modal", state_values({"query": {"value": "the"}}), view=modal)
    assert "too common" in refused.json()["errors"]["query"]


async def _home(env):
    await env.driver.event({"type": "app_home_opened", "user": ME, "channel": "D0HOME", "tab": "home"})
    await env.settle()
    return [c for c in env.slack.calls_to("views.publish") if c["user_id"] == ME][-1]["view"]
