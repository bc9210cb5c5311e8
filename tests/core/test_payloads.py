"""One gate for every outgoing payload: fitted to Slack's limits where a person's text is too long,
refused as Slack would refuse it where our own payload is broken."""

from __future__ import annotations

import pytest

from bot.core.slack.payloads import PayloadRefused, fit_message, fit_view
from tests.golden import validate_blocks, validate_view


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_a_long_section_is_cut_with_an_ellipsis_and_stays_valid():
    fitted = fit_message({"text": "x" * 50_000, "blocks": [_section("a" * 3500)]})
    assert len(fitted["text"]) == 40_000 and fitted["text"].endswith("…")
    text = fitted["blocks"][0]["text"]["text"]
    assert len(text) == 3000 and text.endswith("…")
    validate_blocks(fitted["blocks"])


def test_a_button_that_cannot_carry_its_value_is_dropped_not_the_message():
    message = {"text": "Refused", "blocks": [
        _section("It looks like *Update* contains a postal code."),
        {"type": "actions", "elements": [{"type": "button", "action_id": "edit", "value": "y" * 2021,
                                          "text": {"type": "plain_text", "text": "Edit and share"}}]},
    ]}
    fitted = fit_message(message)
    assert [block["type"] for block in fitted["blocks"]] == ["section"]
    assert message["blocks"][1]["elements"][0]["value"] == "y" * 2021  # the caller's copy is untouched


def test_too_many_blocks_keep_the_first_and_say_how_many_more():
    fitted = fit_message({"blocks": [_section(f"row {n}") for n in range(70)]})
    assert len(fitted["blocks"]) == 50
    assert fitted["blocks"][-1]["elements"][0]["text"] == "… and 21 more not shown here."
    validate_blocks(fitted["blocks"])


def test_options_over_the_limit_are_left_off_and_long_labels_cut():
    select = {"type": "static_select", "action_id": "pick",
              "options": [{"text": {"type": "plain_text", "text": f"Topic {n} " + "z" * 80}, "value": str(n)}
                          for n in range(130)] + [{"text": {"type": "plain_text", "text": "bad"}, "value": "v" * 151}]}
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Find a mentor for my project"},
            "blocks": [{"type": "input", "label": {"type": "plain_text", "text": "Topic"}, "element": select}]}
    fitted = fit_view(view)
    options = fitted["blocks"][0]["element"]["options"]
    assert len(options) == 100 and all(len(o["text"]["text"]) <= 75 for o in options)
    assert fitted["title"]["text"] == "Find a mentor for my pr…"
    validate_view(fitted)


def test_what_fitting_cannot_mend_is_refused():
    with pytest.raises(PayloadRefused):
        fit_view({"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": [],
                  "private_metadata": "m" * 3001})
    with pytest.raises(PayloadRefused):
        fit_message({"blocks": [{"type": "actions", "elements": [
            {"type": "button", "action_id": "a" * 300, "text": {"type": "plain_text", "text": "Go"}}]}]})


async def test_the_refused_share_with_two_postal_codes_still_reaches_the_member(env):
    # 1,995 characters with two postal codes: the redacted text handed back in the Edit button grows
    # past Slack's 2,000 for a button value. The member must still be told, without the button.
    text = ("Tried a discharge huddle on 4B for the M5T 1R8 and M4C 1B5 catchments. " +
            "We learned a lot about handovers. " * 60)[:1995]
    url = env.slack.response_url()
    await env.driver.command("/qi-share", text, response_url=url)
    await env.settle()
    [reply] = env.slack.responses(url)
    assert "postal code" in reply["text"]
    assert all(b["type"] != "actions" for b in reply["blocks"])  # no button that Slack would refuse
    validate_blocks(reply["blocks"])


async def test_every_web_api_call_goes_through_the_gate(env):
    delivery = await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                             args={"channel": "C0COMMUNITY", "text": "ok",
                                                   "blocks": [_section("q" * 4000)]})
    assert delivery.sent
    [message] = env.slack.messages("C0COMMUNITY")
    assert len(message["blocks"][0]["text"]["text"]) == 3000
    broken = await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                           args={"channel": "C0COMMUNITY", "text": "x", "blocks": [
                                               {"type": "no_such_block"}]})
    assert (broken.status, broken.error) == ("dead", "invalid_blocks")
    assert len(env.slack.calls_to("chat.postMessage")) == 1  # the broken one never left the process
