import re
from dataclasses import replace

import pytest

from bot.learn.primers import topics
from bot.weekly.prompts import WeeklyPrompt, all_prompts, next_prompt

BANK = all_prompts()


def _rotate(count: int, history: list[str] | None = None, bank=None) -> list[str]:
    """Post ``count`` weekly prompts in a row, as the scheduler does, and return their ids."""
    history = list(history or [])
    posted = []
    for _ in range(count):
        prompt = next_prompt(history, bank)
        history.append(prompt.id)
        posted.append(prompt.id)
    return posted


def test_bank_is_big_enough_for_half_a_year_without_repeats():
    assert len(BANK) >= 26


def test_ids_are_unique_stable_slugs():
    ids = [prompt.id for prompt in BANK]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", prompt_id) for prompt_id in ids)


@pytest.mark.parametrize("prompt", BANK, ids=lambda prompt: prompt.id)
def test_prompt_text_fits_and_is_not_slack_markup(prompt: WeeklyPrompt):
    assert 0 < len(prompt.question) <= 200
    assert 0 < len(prompt.teaching_point) <= 280
    # Static text is posted unescaped: <!channel> would ping the whole department, & breaks entities.
    for text in (prompt.question, prompt.teaching_point, prompt.source or ""):
        assert not set("<>&") & set(text), text


def test_every_prompt_links_to_an_existing_learn_topic_and_every_topic_gets_prompts():
    topic_ids = {topic.id for topic in topics()}
    themes = {prompt.theme for prompt in BANK}
    assert themes <= topic_ids
    assert themes == topic_ids


def test_teaching_points_state_the_run_chart_and_credit_rules_correctly():
    by_id = {prompt.id: prompt.teaching_point for prompt in BANK}
    assert "6 or more consecutive points" in by_id["run-chart-shift"]
    assert "5 or more consecutive points" in by_id["run-chart-trend"]
    assert "Section 3" in by_id["cpd-moc-section-3"] and "3 credits per hour" in by_id["cpd-moc-section-3"]
    assert "article 2.5" in by_id["qi-vs-research-grey-zone"]


def test_first_pick_of_a_new_community_is_the_first_prompt():
    assert next_prompt([]) == BANK[0]


def test_26_weeks_in_a_row_never_repeat_a_prompt():
    posted = _rotate(26)
    assert len(set(posted)) == 26


def test_rotation_uses_the_whole_bank_then_starts_again_from_the_top():
    first_pass = _rotate(len(BANK))
    assert first_pass == [prompt.id for prompt in BANK]
    assert _rotate(len(BANK) + 2)[len(BANK) :] == [BANK[0].id, BANK[1].id]


def test_unknown_and_retired_ids_in_history_are_ignored():
    history = ["retired-prompt", BANK[0].id, "", "no-such-prompt", BANK[1].id]
    assert next_prompt(history) == BANK[2]
    # ...and they never keep a pass from completing.
    full_pass = ["retired-prompt", *(prompt.id for prompt in BANK), "no-such-prompt"]
    assert next_prompt(full_pass) == BANK[0]


def test_history_out_of_bank_order_picks_the_first_unused_prompt():
    assert next_prompt([BANK[2].id, BANK[0].id]) == BANK[1]


def test_a_prompt_added_mid_pass_comes_up_before_the_pass_ends():
    small = BANK[:4]
    new = replace(BANK[4], id="brand-new")
    history = [small[0].id, small[1].id]
    grown = (small[0], new, *small[1:])
    assert _rotate(3, history, grown) == ["brand-new", small[2].id, small[3].id]
    assert next_prompt([*history, "brand-new", small[2].id, small[3].id], grown) == small[0]


def test_a_prompt_removed_from_the_bank_does_not_stall_the_rotation():
    history = [prompt.id for prompt in BANK[:5]]
    shrunk = BANK[:2] + BANK[3:5]  # BANK[2] was used this pass, then retired
    assert next_prompt(history, shrunk) == shrunk[0]


def test_the_same_history_always_gives_the_same_prompt():
    history = [BANK[5].id, BANK[0].id]
    assert {next_prompt(history).id for _ in range(5)} == {BANK[1].id}


def test_an_empty_bank_is_reported_not_silently_skipped():
    with pytest.raises(ValueError, match="empty"):
        next_prompt([], bank=())
