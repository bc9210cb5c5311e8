"""The weekly prompt: a question and a teaching point, rotating through the bank, with working buttons."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.learn.primers import find_topic
from bot.weekly.prompts import all_prompts
from handlers.learn.blocks import OPEN_TOPIC
from handlers.sharing.modals import SHARE
from handlers.weekly.blocks import SHARE_UPDATE
from handlers.weekly.jobs import run_weekly_job
from sandbox.server import COMMUNITY_CHANNEL_ID
from tests.conftest import MEMBER_ID
from tests.golden import assert_golden

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("America/Toronto"))


async def test_first_prompt_is_a_question_with_a_teaching_point_and_buttons(env):
    env.clock.set(MONDAY)
    await run_weekly_job(env.runtime, "prompt")

    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    assert_golden("prompt_weekly", {"text": message["text"], "blocks": message["blocks"]})
    first = all_prompts()[0]
    assert message["text"] == f"This week's question: {first.question}"
    assert first.teaching_point in message["blocks"][1]["text"]["text"]
    share, learn = message["blocks"][-1]["elements"]
    assert share["action_id"] == SHARE_UPDATE
    assert (learn["action_id"], learn["value"]) == (f"{OPEN_TOPIC}_{first.theme}", first.theme)


async def test_prompts_rotate_without_repeats_and_a_skipped_week_uses_no_prompt(env):
    outcomes = []
    for week in range(6):
        env.clock.set(MONDAY + timedelta(weeks=week))
        outcomes.append((await run_weekly_job(env.runtime, "prompt")).outcome)

    # Mon 28 Dec 2026 is Boxing Day (observed), a statutory holiday in Ontario.
    assert outcomes == ["posted", "posted", "posted", "posted", "skipped", "posted"]
    posted = [message["text"] for message in env.slack.messages(COMMUNITY_CHANNEL_ID)]
    assert posted == [f"This week's question: {prompt.question}" for prompt in all_prompts()[:5]]


async def test_learn_more_shows_the_primer_to_whoever_clicked(env):
    env.clock.set(MONDAY)
    await run_weekly_job(env.runtime, "prompt")
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)
    learn = message["blocks"][-1]["elements"][1]

    await env.driver.action(learn["action_id"], value=learn["value"], message=message, channel_id=COMMUNITY_CHANNEL_ID)
    await env.settle()

    [reply] = env.slack.responses()
    assert reply["response_type"] == "ephemeral"
    assert find_topic(learn["value"]).title in str(reply["blocks"])


async def test_share_an_update_opens_the_share_form_for_the_member(env):
    env.clock.set(MONDAY)
    await run_weekly_job(env.runtime, "prompt")
    [message] = env.slack.messages(COMMUNITY_CHANNEL_ID)

    await env.driver.action(SHARE_UPDATE, value="share", message=message, channel_id=COMMUNITY_CHANNEL_ID,
                            user_id=MEMBER_ID)
    await env.settle()

    [opened] = env.slack.opened_views
    assert opened["view"]["callback_id"] == SHARE
