"""The stand-in refuses what Slack refuses, in Slack's words: driven with the payloads Slack's SDK teams
recorded (../shared/slack/real-payloads/, read at test time) through the real slack_sdk client."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox import SlackStandIn
from sandbox.limits import generated_block_id
from sandbox.rates import POST_CHANNEL_BURST, RateLimits
from tests.real_payloads import sample


class Clock:
    """The stand-in's clock, moved only by the test."""

    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def slack(clock) -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn(clock=clock) as standin:
        yield standin


@pytest.fixture
def client(slack: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


async def refusal(call) -> dict:
    with pytest.raises(SlackApiError) as raised:
        await call
    return dict(raised.value.response.data)


def share_blocks(value: str) -> list[dict]:
    """The identifier refusal's shape: a section and an "Edit and share" button carrying the text."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "Please take the identifiers out."}},
            {"type": "actions", "elements": [{"type": "button", "action_id": "edit_share", "value": value,
                                              "text": {"type": "plain_text", "text": "Edit and share"}}]}]


# -- Block Kit limits, in Slack's error shape --------------------------------------------------------


async def test_a_button_value_over_2000_characters_is_refused_as_slack_refuses_it(slack, client):
    # issue 15: 1,995 characters with two postal codes became a 2,021-character value.
    answer = await refusal(client.chat_postMessage(channel="C0COMMUNITY", text="x", blocks=share_blocks("y" * 2021)))

    problem = "must be less than 2001 characters [json-pointer:/blocks/1/elements/0/value]"
    assert answer == {"ok": False, "error": "invalid_blocks", "errors": [problem],
                      "response_metadata": {"messages": [f"[ERROR] {problem}"]}}
    assert slack.messages("C0COMMUNITY") == []
    await client.chat_postMessage(channel="C0COMMUNITY", text="x", blocks=share_blocks("y" * 2000))


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral", "chat.update"])
async def test_every_message_method_checks_blocks(slack, client, method):
    posted = await client.chat_postMessage(channel="C0COMMUNITY", text="first")
    args = {"channel": "C0COMMUNITY", "user": "U0MEMBER1", "ts": posted["ts"], "text": "x",
            "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "h" * 151}}]}

    answer = await refusal(client.api_call(method, json=args))

    assert answer["error"] == "invalid_blocks"
    assert answer["errors"] == ["must be plain_text [json-pointer:/blocks/0/text/type]",
                                "must be less than 151 characters [json-pointer:/blocks/0/text/text]"]
    assert [m["text"] for m in slack.messages("C0COMMUNITY")] == ["first"]
    assert slack.ephemerals() == []


async def test_duplicate_block_ids_empty_text_and_unknown_types_are_refused(client):
    blocks = [{"type": "section", "block_id": "a", "text": {"type": "mrkdwn", "text": ""}},
              {"type": "divider", "block_id": "a"}, {"type": "banner"}]
    answer = await refusal(client.chat_postMessage(channel="C0COMMUNITY", text="x", blocks=blocks))
    assert answer["errors"] == ["must be more than 0 characters [json-pointer:/blocks/0/text/text]",
                                "duplicate block_id 'a' [json-pointer:/blocks/1/block_id]",
                                "unsupported type: banner [json-pointer:/blocks/2/type]"]


async def test_views_are_checked_and_refused_with_invalid_arguments(slack, client):
    too_long = {"type": "modal", "title": {"type": "plain_text", "text": "A title longer than Slack's"},
                "blocks": [], "private_metadata": "m" * 3001}
    answer = await refusal(client.views_open(trigger_id=slack.issue_trigger(), view=too_long))
    assert answer == {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]",
        "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]"]}}

    home = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    answer = await refusal(client.views_publish(user_id="U0MEMBER1", view=home))
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must provide no more than 100 items [json-pointer:/view/blocks]"]
    assert slack.home_view("U0MEMBER1") is None


async def test_slack_names_blocks_sent_without_a_block_id(slack, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Week 2"}},
              {"type": "divider", "block_id": "ours"}]
    sent = await client.chat_postMessage(channel="C0COMMUNITY", text="x", blocks=blocks)

    named = [b["block_id"] for b in sent["message"]["blocks"]]
    assert named == [generated_block_id(blocks[0], 0), "ours"]
    assert [b["block_id"] for b in slack.messages("C0COMMUNITY")[0]["blocks"]] == named
    assert slack.calls_to("chat.postMessage")[0]["blocks"] == blocks  # what the bot sent, as it sent it
    opened = await client.views_open(trigger_id=slack.issue_trigger(), view={
        "type": "modal", "title": {"type": "plain_text", "text": "Share"}, "blocks": blocks[:1]})
    assert opened["view"]["blocks"][0]["block_id"] == named[0]


# -- response_url ---------------------------------------------------------------------------------


async def post(url: str, body: object) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        return response.status, await response.text()


async def test_response_url_checks_blocks_and_answers_in_plain_text(slack):
    url = slack.response_url()

    assert await post(url, {"text": "x", "blocks": share_blocks("y" * 2021)}) == (400, "invalid_blocks")
    assert await post(url, {"replace_original": True}) == (400, "no_text")
    assert await post(url, ["not", "a", "message"]) == (400, "invalid_payload")
    assert slack.responses(url) == []
    assert await post(url, {"text": "ok", "blocks": share_blocks("y" * 2000)}) == (200, "ok")


async def test_response_url_is_good_for_30_minutes(slack, clock):
    early, late = slack.response_url(), slack.response_url()
    clock.at += 29 * 60
    assert await post(early, {"text": "in time"}) == (200, "ok")
    clock.at += 61
    assert await post(late, {"text": "too late"}) == (404, "expired_url")
    assert [r["text"] for r in slack.responses()] == ["in time"]


async def test_a_commands_ack_with_a_message_is_shown_as_slack_shows_it_and_a_bad_one_is_not(slack):
    url = slack.response_url()
    assert not slack.show_ack(url, {})  # a bare ack: Slack shows nothing
    assert not slack.show_ack(url, {"text": "x", "blocks": share_blocks("y" * 2021)})
    assert slack.show_ack(url, {"response_type": "ephemeral", "text": "Logged 2 hours"})
    assert [r["text"] for r in slack.responses(url)] == ["Logged 2 hours"]
    for i in range(5):  # the ack's message does not use up the response_url
        assert await post(url, {"text": f"later {i}"}) == (200, "ok")


# -- trigger_id ----------------------------------------------------------------------------------

MODAL = {"type": "modal", "callback_id": "qi_share", "title": {"type": "plain_text", "text": "Share"}, "blocks": []}


async def test_a_trigger_expires_3_seconds_after_the_request_that_carried_it(slack, client, clock):
    recorded = sample("slash_command_enterprise")["trigger_id"]  # "111.111.xxx", as Slack sent it
    fresh, stale = slack.issue_trigger(recorded), slack.issue_trigger()
    clock.at += 2.9
    assert (await client.views_open(trigger_id=fresh, view=MODAL))["ok"] is True
    clock.at += 0.2
    assert (await refusal(client.views_open(trigger_id=stale, view=MODAL)))["error"] == "expired_trigger_id"
    assert (await refusal(client.views_push(trigger_id=fresh, view=MODAL)))["error"] == "exchanged_trigger_id"
    never_issued = sample("block_actions_ephemeral_enterprise")["trigger_id"]
    assert (await refusal(client.views_open(trigger_id=never_issued, view=MODAL)))["error"] == "invalid_trigger_id"


# -- where the bot may post ------------------------------------------------------------------------


async def test_chat_write_public_lets_the_bot_post_in_public_channels_it_is_not_in(slack, client, clock):
    slack.add_channel("C0OUTSIDE", name="elsewhere", bot_member=False, members=["U0MEMBER1"])
    slack.add_channel("G0SECRET", name="secret", is_private=True, bot_member=False, members=["U0MEMBER1"])

    await client.chat_postMessage(channel="C0OUTSIDE", text="posted with chat:write.public")
    assert (await refusal(client.chat_postMessage(channel="G0SECRET", text="x")))["error"] == "channel_not_found"
    ephemeral = client.chat_postEphemeral(channel="C0OUTSIDE", user="U0MEMBER1", text="x")
    assert (await refusal(ephemeral))["error"] == "not_in_channel"  # the scope is for chat.postMessage only
    assert [m["text"] for m in slack.messages("C0OUTSIDE")] == ["posted with chat:write.public"]

    async with SlackStandIn(scopes={"chat:write", "commands"}, clock=clock) as narrow:
        narrow.add_channel("C0OUTSIDE", name="elsewhere", bot_member=False)
        narrow_client = AsyncWebClient(token="xoxb-test", base_url=narrow.api_url)
        assert (await refusal(narrow_client.chat_postMessage(channel="C0OUTSIDE", text="x")))["error"] == (
            "not_in_channel")


async def test_an_ephemeral_goes_only_to_a_member_of_the_channel(slack, client):
    payload = sample("block_actions_ephemeral_enterprise")
    clicker = payload["user"]["id"]  # W111, a Grid member
    slack.add_user(clicker, name=payload["user"]["name"], enterprise_id=payload["team"]["enterprise_id"],
                   channels=[])

    answer = await refusal(client.chat_postEphemeral(channel="C0COMMUNITY", user=clicker, text="only you"))
    assert answer["error"] == "user_not_in_channel"
    slack.join("C0COMMUNITY", clicker)
    await client.chat_postEphemeral(channel="C0COMMUNITY", user=clicker, text="only you")
    assert [e["text"] for e in slack.ephemerals(user=clicker)] == ["only you"]


# -- Slack Connect and Enterprise Grid people ------------------------------------------------------


async def test_a_slack_connect_person_shows_their_own_team_and_no_email_or_timezone(slack, client):
    payload = sample("view_submission_slack_connect")
    person = payload["user"]  # kaz, W111 of T-other-side, in a channel shared with the installed workspace
    slack.add_user(person["id"], name=person["name"], team_id=person["team_id"], tz=None,
                   enterprise_id=payload["enterprise"]["id"], enterprise_name=payload["enterprise"]["name"])

    user = (await client.users_info(user=person["id"]))["user"]

    assert (user["id"], user["team_id"], user["is_stranger"]) == ("W111", "T-other-side", True)
    assert "email" not in user["profile"] and "tz" not in user and "tz_offset" not in user
    assert user["enterprise_user"]["enterprise_id"] == "E-other-side"
    assert (await refusal(client.users_lookupByEmail(email="kaz@other-side.example")))["error"] == "users_not_found"
    member = (await client.users_info(user="U0MEMBER1"))["user"]
    assert (member["team_id"], member["tz"]) == ("T0001", "America/Toronto") and "is_stranger" not in member


# -- rate limits ---------------------------------------------------------------------------------


@pytest.fixture
async def limited(clock) -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn(clock=clock, rate_limits=RateLimits(post_per_minute=600)) as standin:
        yield standin


async def calls(client: AsyncWebClient, method: str, n: int, **args) -> list[int | str]:
    """What each of `n` calls got: 200 (answered, even with a Slack error), or the Retry-After of a 429."""
    answers: list[int | str] = []
    for _ in range(n):
        try:
            await client.api_call(method, json=args)
            answers.append(200)
        except SlackApiError as error:
            if error.response.status_code != 429:
                answers.append(error.response.status_code)
                continue
            assert error.response["error"] == "ratelimited"
            answers.append(error.response.headers["Retry-After"])
    return answers


@pytest.mark.parametrize(("method", "args", "per_minute"), [
    ("users.info", {"user": "U0MEMBER1"}, 100),  # Tier 4
    ("conversations.open", {"users": "U0MEMBER1"}, 50),  # Tier 3
    ("users.list", {}, 20),  # Tier 2
])
async def test_methods_are_limited_by_their_tier(limited, clock, method, args, per_minute):
    client = AsyncWebClient(token="xoxb-test", base_url=limited.api_url)
    burst = per_minute // 5
    answers = await calls(client, method, burst + 1, **args)
    # then Retry-After: the whole seconds until the next call of the tier's rate is due
    assert answers == [200] * burst + [str(math.ceil(60 / per_minute))]

    clock.at += 60  # a minute later the method is answered again, up to its burst
    assert (await calls(client, method, 1, **args)) == [200]
    limited_calls = [c for c in limited.calls if c.method == method and c.status == 429]
    assert len(limited_calls) == 1


async def test_chat_post_message_is_about_one_a_second_per_channel(limited, clock):
    client = AsyncWebClient(token="xoxb-test", base_url=limited.api_url)
    answers = await calls(client, "chat.postMessage", POST_CHANNEL_BURST + 1, channel="C0COMMUNITY", text="x")
    assert answers == [200] * POST_CHANNEL_BURST + ["1"]
    # Another channel (a DM) is not held up by the first one.
    assert await calls(client, "chat.postMessage", 1, channel="U0MEMBER1", text="x") == [200]
    clock.at += 1
    assert await calls(client, "chat.postMessage", 1, channel="C0COMMUNITY", text="x") == [200]
    assert len(limited.messages("C0COMMUNITY")) == POST_CHANNEL_BURST + 1


async def test_a_workspace_posts_no_faster_than_its_limit(clock):
    async with SlackStandIn(clock=clock, rate_limits=RateLimits(post_per_minute=60)) as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        people = [f"U0PERSON{n:02d}" for n in range(20)]
        for person in people:
            slack.add_user(person, name=person.lower())
        answers = [(await calls(client, "chat.postMessage", 1, channel=p, text="x"))[0] for p in people[:3]]
        # a burst of two seconds' posts, then one a second across all channels
        assert answers == [200] * 2 + ["1"]
        clock.at += 1
        assert await calls(client, "chat.postMessage", 1, channel=people[3], text="x") == [200]
        assert (await calls(client, "chat.postMessage", 1, channel=people[4], text="x")) == ["1"]


async def test_rate_limits_are_off_unless_asked_for(slack, client):
    assert await calls(client, "users.list", 30) == [200] * 30
