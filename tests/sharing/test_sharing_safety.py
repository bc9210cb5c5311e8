"""PHI guard and safe formatting on every way in: quick share, the form, and what reaches Slack."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import QiUpdate
from tests.golden import assert_golden, validate_blocks
from tests.sharing_helpers import open_form, posts, projects, submit_share, updates

HEALTH_NUMBER = "1234-567-897"  # passes the Luhn check


async def test_quick_share_with_a_health_number_never_reaches_slack_or_the_database(env):
    await submit_share(env, "new")
    env.slack.reset_calls()
    text = f"Reviewed the chart of OHIP {HEALTH_NUMBER} with the team"
    await env.driver.command("/qi-share", text)
    await env.settle()

    assert len(await updates(env)) == 1  # only the earlier share
    assert env.slack.calls_to("chat.postMessage") == []
    reply = env.slack.responses()[-1]
    assert reply["response_type"] == "ephemeral"
    assert "*Your update* contains an Ontario health card number" in reply["text"]
    shown = reply["text"] + str(reply["blocks"][0])
    assert HEALTH_NUMBER not in shown and "1234" not in shown  # the value is never echoed
    # Their text rides in the Edit button (not our database), ready to fix, with the identifier removed:
    # it never goes back to Slack.
    edit = reply["blocks"][1]["elements"][0]
    redacted = "Reviewed the chart of OHIP [identifier removed] with the team"
    assert edit["value"] == redacted
    assert HEALTH_NUMBER not in str(env.slack.responses())
    assert_golden("sharing_phi_refusal", {"text": reply["text"], "blocks": reply["blocks"]})

    [project] = await projects(env)
    await env.driver.action("sharing_phi_edit", value=edit["value"], block_id=reply["blocks"][1]["block_id"])
    await env.settle()
    form = env.slack.opened_views[-1]["view"]
    assert form["blocks"][0]["element"]["initial_option"]["value"] == str(project.id)
    tried = next(b for b in form["blocks"] if b.get("block_id") == "tried")
    assert tried["element"]["initial_value"] == redacted


@pytest.mark.parametrize("field,text,kind", [
    ("tried", "Called the patient at 416-555-0199 to follow up", "phone number"),
    ("learned", "Patient DOB: 1984-03-12 was missing on the form", "date of birth"),
    ("help_wanted", "Email jane.doe@gmail.com for the list", "e-mail address"),
])
async def test_the_form_refuses_identifiers_on_the_field_and_keeps_nothing(env, field, text, kind):
    values = {"tried": "Tried a checklist", "learned": None, "help_wanted": None, field: text}
    response = await submit_share(env, "new", **values)
    errors = response.json()["errors"]
    assert list(errors) == [field] and kind in errors[field]
    assert await updates(env) == [] and await projects(env) == [] and posts(env) == []


async def test_the_form_checks_project_fields_too(env):
    response = await submit_share(env, "new", new={"title": {"input": "Falls on 4B"},
                                                   "aim": {"input": "Follow up MRN 00123456 first"}})
    assert "medical record" in response.json()["errors"]["aim"]
    assert await projects(env) == []


async def test_near_misses_are_shared(env):
    text = ("Team meeting on 2026-11-20 in room 4-210 (ext 4521): screening went from 12/30 to 24/30, "
            "best since 2019. Contact qi.lead@uhn.ca. Version 2.5 of the checklist, ward 4B, ratio 3:1.")
    await env.driver.command("/qi-share", text)
    await env.settle()
    [update] = await updates(env)
    assert update.tried == text and update.post_status == "posted"


async def test_mentions_and_links_in_a_share_ping_and_link_nobody(env):
    text = ("<!channel> <!here> <!everyone> <@U123> <#C123> <!subteam^S1> <https://evil.example|trusted> "
            "& done — café, élèves, très bien 🎉")
    await env.driver.command("/qi-share", text)
    await env.settle()
    [message] = posts(env)
    body = message["blocks"][1]["text"]  # general update: intro, then what we tried
    assert body["verbatim"] is True
    assert body["text"] == (
        "*What we tried*\n&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U123&gt; &lt;#C123&gt; "
        "&lt;!subteam^S1&gt; &lt;https://evil.example|trusted&gt; &amp; done — café, élèves, très bien 🎉")
    assert "<!" not in message["text"] and "<https" not in message["text"] and "<@U123>" not in message["text"]
    assert "&lt;!channel&gt;" in message["text"]
    [update] = await updates(env)
    assert update.tried == text  # stored as typed; escaping happens only on the way to Slack


async def test_a_5000_character_update_is_refused_with_the_limit(env):
    await env.driver.command("/qi-share", "x" * 5000)
    await env.settle()
    reply = env.slack.responses()[-1]["text"]
    assert "5,000 characters" in reply and "at most 2,000" in reply and "Nothing was posted" in reply
    assert await updates(env) == [] and posts(env) == []

    response = await submit_share(env, "new", tried="x" * 2001)
    assert response.json()["errors"]["tried"] == "Please keep this under 2,000 characters (it has 2,001)."


async def test_text_that_escaping_makes_long_is_split_within_block_limits(env):
    form = await open_form(env)
    assert next(b for b in form["blocks"] if b.get("block_id") == "tried")["element"]["max_length"] == 2000
    await submit_share(env, "new", view=form, tried="<&>" * 666, learned="&" * 1000)
    parent, reply = posts(env)
    validate_blocks(reply["blocks"])
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    assert "".join(sections).count("&lt;&amp;&gt;") == 666
    assert "".join(sections).count("&amp;") == 666 + 1000


async def test_an_identifier_where_the_project_name_goes_is_refused_without_repeating_it(env):
    await env.driver.command("/qi-share", "#416-555-0199 called back about the audit")
    await env.settle()
    reply = env.slack.responses()[-1]
    assert "*Your update* contains a phone number" in reply["text"]
    assert "416" not in reply["text"] + str(reply["blocks"][0])
    assert await updates(env) == [] and posts(env) == []


async def test_project_title_and_aim_reach_the_channel_as_literal_text(env):
    await submit_share(env, "new", new={"title": {"input": "<!channel> & <@U123>"},
                                        "aim": {"input": "<https://evil.example|trusted> by June"}})
    parent, reply = posts(env)
    assert parent["text"] == "QI project: &lt;!channel&gt; &amp; &lt;@U123&gt; (owner <@U0MEMBER1>)"
    aim = parent["blocks"][1]["text"]
    assert aim == {"type": "mrkdwn", "verbatim": True,
                   "text": "*Aim*\n&lt;https://evil.example|trusted&gt; by June"}
    assert reply["blocks"][0]["text"]["text"] == "<@U0MEMBER1> shared an update on *&lt;!channel&gt; &amp; &lt;@U123&gt;*"
    assert "<!channel>" not in reply["text"] and "&lt;!channel&gt;" in reply["text"]


async def test_a_quick_share_is_committed_before_slack_is_told_it_was_taken(env):
    response = await env.driver.command("/qi-share", "Tried a discharge checklist on 4B")
    # The ack has come back to Slack: the update must already be in the database, so no crash from here
    # on can lose what the member believes was taken.
    async with env.runtime.db.session() as session:
        stored = (await session.scalars(select(QiUpdate.tried))).all()
    assert response.status == 200 and stored == ["Tried a discharge checklist on 4B"]
    await env.settle()


async def test_a_quick_share_that_cannot_be_stored_is_refused_in_the_ack_and_nothing_is_posted(env, monkeypatch):
    from bot.sharing import services

    async def broken(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(services, "quick_share", broken)
    response = await env.driver.command("/qi-share", "Tried a discharge checklist on 4B")
    assert response.status == 200
    assert "could not save your update" in response.json()["text"]
    await env.settle()
    assert env.slack.messages("C0COMMUNITY") == []
