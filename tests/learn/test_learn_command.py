"""`/qi-commons learn [topic]`: the topic list, every primer within Slack's limits, and suggestions."""

from __future__ import annotations

import pytest

from bot.learn.primers import topics
from handlers.learn.blocks import primer
from tests.golden import assert_golden, validate_blocks


async def _learn(env, text=""):
    await env.driver.command("/qi-commons", f"learn {text}".strip())
    await env.settle()
    return env.slack.responses()[-1]


async def test_without_a_topic_every_topic_is_a_button(env):
    reply = await _learn(env)
    assert_golden("learn_topic_list", {"text": reply["text"], "blocks": reply["blocks"]})
    values = [e["value"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values == [t.id for t in topics()]
    assert reply["response_type"] == "ephemeral"


@pytest.mark.parametrize("topic", topics(), ids=lambda t: t.id)
def test_every_primer_renders_within_block_kit_limits_with_its_sources(topic):
    text, blocks = primer(topic)
    validate_blocks(blocks)
    rendered = str(blocks)
    for source in topic.sources:
        assert source.url in rendered


async def test_qi_vs_research_gives_a_clear_sourced_answer(env):
    reply = await _learn(env, "QI vs research")
    assert_golden("learn_qi_vs_research", {"text": reply["text"], "blocks": reply["blocks"]})
    text = str(reply["blocks"])
    assert "TCPS 2" in text and "2.5" in text and "https://ethics.gc.ca/" in text


async def test_an_unknown_topic_suggests_close_ones(env):
    reply = await _learn(env, "run chrts")
    assert "no primer called `run chrts`" in reply["text"]
    values = [e["value"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "run-charts" in values and len(values) <= 3
    validate_blocks(reply["blocks"])


async def test_unknown_text_is_escaped(env):
    reply = await _learn(env, "<!channel> zzzz")
    assert "<!channel>" not in reply["text"] and "&lt;!channel&gt;" in reply["text"]
    assert len([e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]) == len(topics())


async def test_a_topic_button_shows_that_primer(env):
    await _learn(env)
    await env.driver.action("learn_open_topic_pdsa", value="pdsa", channel_id="C0COMMUNITY")
    await env.settle()
    reply = env.slack.responses()[-1]
    assert reply["blocks"][0]["text"]["text"] == "PDSA cycles: testing changes on a small scale"
    assert reply["replace_original"] is False


async def test_a_primer_links_to_the_communitys_own_projects_on_its_topic(env):
    from bot.sharing import services
    from tests.search.corpus import project

    for team, owner, title, aim in (
            ("T0001", "U0MEMBER2", "Run charts for falls on 4B", "Track falls weekly on a run chart"),
            ("T0001", "U0MEMBER1", "Discharge summaries", "Every summary sent within 48 hours"),
            ("T0OTHER", "U0MEMBER1", "Run charts in another workspace", "Track it weekly on a run chart")):
        await services.save_project(env.runtime, team_id=team, user_id=owner, fields=project(title, aim, stage="study"))
    reply = await _learn(env, "run charts")
    assert_golden("learn_run_charts_with_projects", {"text": reply["text"], "blocks": reply["blocks"]})
    [done] = [b["text"]["text"] for b in reply["blocks"] if "What has been done here" in b.get("text", {}).get("text", "")]
    assert "*Run charts for falls on 4B* by <@U0MEMBER2> (Study stage, November 2026)" in done
    assert "another workspace" not in done and "Discharge" not in done
    # The topic button shows the same.
    await env.driver.action("learn_open_topic_run-charts", value="run-charts", channel_id="C0COMMUNITY")
    await env.settle()
    assert "Run charts for falls on 4B" in str(env.slack.responses()[-1]["blocks"])
