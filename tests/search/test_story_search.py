"""Value stories in search: found when their tellers let anyone read them, never a story told to the
admins alone, an anonymous one never naming its teller, and gone with forget-me."""

from __future__ import annotations

from handlers.report.blocks import STORY_ASK, STORY_MODAL
from tests.conftest import MEMBER_ID, OTHER_ID
from tests.golden import assert_golden
from tests.report.test_value_stories import _story


async def _tell(env, user_id: str, consent: str, what: str) -> None:
    await env.driver.action(STORY_ASK, value="2026-11", user_id=user_id, channel_id=env.slack.dm_channel(user_id))
    await env.settle()
    await env.driver.submit_view(STORY_MODAL, _story(what=what, consent=consent), user_id=user_id,
                                 view=env.slack.opened_views[-1]["view"])
    await env.settle()


async def _search(env, words: str, user_id: str = MEMBER_ID) -> str:
    await env.driver.command("/qi-commons", f"search {words}", user_id=user_id)
    await env.settle()
    return str(env.slack.responses()[-1])


async def test_a_shared_story_is_found_with_its_teller_and_an_anonymous_one_without(env):
    await _tell(env, MEMBER_ID, "named", "The pharmacist's audit of clozapine bloods changed our rounds")
    await _tell(env, OTHER_ID, "anonymous", "Seeing the lithium monitoring run chart made us start our own")
    await _tell(env, OTHER_ID, "admins", "The quetiapine review only the admins should read")

    named = await _search(env, "clozapine", user_id=OTHER_ID)
    assert "A member's value story" in named and f"<@{MEMBER_ID}>" in named and "applied value" in named
    assert "*clozapine*" in named  # the matched word in bold in the snippet

    anonymous = await _search(env, "lithium")
    assert "A member's value story" in anonymous and "told anonymously" in anonymous
    assert OTHER_ID not in anonymous
    assert_golden("search_results_story", {k: env.slack.responses()[-1][k] for k in ("text", "blocks")})

    assert "Nothing found" in await _search(env, "quetiapine")
    assert "Nothing found" in await _search(env, "type:project lithium")
    assert "A member's value story" in await _search(env, "type:story monitoring")


async def test_forget_me_takes_a_tellers_stories_out_of_search_at_once(env):
    await _tell(env, OTHER_ID, "anonymous", "Seeing the lithium monitoring run chart made us start our own")
    assert "A member's value story" in await _search(env, "lithium")
    await env.driver.command("/qi-commons", "forget-me", user_id=OTHER_ID)
    await env.driver.action("privacy_forget_confirm", value="confirm", user_id=OTHER_ID)
    await env.settle()
    assert "Nothing found" in await _search(env, "lithium")
