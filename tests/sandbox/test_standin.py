"""The Slack stand-in against the real slack_sdk client, and the signed-request driver against Bolt."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from sandbox import DriverResponse, SlackDriver, SlackStandIn, signature, signed_headers, state_values

SECRET = "test-signing-secret"


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn(bot_token="xoxb-test", team_id="T0001") as standin:
        yield standin


@pytest.fixture
def client(slack: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


async def error_of(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call
    return raised.value.response["error"]


# -- signing -----------------------------------------------------------------------------------------


def test_signature_matches_slacks_published_example():
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body) == expected
    headers = signed_headers("8f742231b10e8888abcd99yyyzzz85a5", body, timestamp=1531420618)
    assert headers["X-Slack-Signature"] == expected
    assert headers["X-Slack-Request-Timestamp"] == "1531420618"


# -- messages ----------------------------------------------------------------------------------------


async def test_post_update_delete_and_permalink_change_channel_state(slack, client):
    first = await client.chat_postMessage(channel="C0COMMUNITY", text="first")
    second = await client.chat_postMessage(channel="C0COMMUNITY", blocks=[{"type": "divider"}], text="second")
    assert first["channel"] == "C0COMMUNITY" and first["message"]["bot_id"] == "BQICOMMONS"
    assert float(second["ts"]) > float(first["ts"])

    await client.chat_update(channel="C0COMMUNITY", ts=first["ts"], text="first, edited")
    await client.chat_delete(channel="C0COMMUNITY", ts=second["ts"])
    [message] = slack.messages("C0COMMUNITY")
    assert (message["ts"], message["text"], message["user"]) == (first["ts"], "first, edited", "UBOTQI")

    link = await client.chat_getPermalink(channel="C0COMMUNITY", message_ts=first["ts"])
    assert link["permalink"] == f"https://qi-commons.slack.com/archives/C0COMMUNITY/p{first['ts'].replace('.', '')}"
    assert await error_of(client.chat_update(channel="C0COMMUNITY", ts=second["ts"], text="x")) == "message_not_found"
    assert await error_of(client.chat_delete(channel="C0COMMUNITY", ts=second["ts"])) == "message_not_found"


async def test_thread_replies_and_broadcast_are_stored(slack, client):
    parent = await client.chat_postMessage(channel="C0COMMUNITY", text="project update")
    reply = await client.chat_postMessage(channel="C0COMMUNITY", text="kudos", thread_ts=parent["ts"])
    await client.chat_postMessage(channel="C0COMMUNITY", text="shout", thread_ts=parent["ts"], reply_broadcast=True)

    stored = slack.messages("C0COMMUNITY")
    assert [(m["text"], m["thread_ts"], m["reply_broadcast"]) for m in stored] == [
        ("project update", None, False),
        ("kudos", parent["ts"], False),
        ("shout", parent["ts"], True),
    ]
    link = await client.chat_getPermalink(channel="C0COMMUNITY", message_ts=reply["ts"])
    assert link["permalink"].endswith(f"?thread_ts={parent['ts']}&cid=C0COMMUNITY")


async def test_channel_rules_mirror_slack(slack, client):
    slack.add_channel("C0OUTSIDE", name="elsewhere", bot_member=False)
    slack.add_channel("C0OLD", name="old", is_archived=True)
    slack.add_channel("G0SECRET", name="secret", is_private=True, bot_member=False)

    assert await error_of(client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    assert await error_of(client.chat_postEphemeral(channel="C0OUTSIDE", user="U0MEMBER1", text="x")) == (
        "not_in_channel")
    assert await error_of(client.chat_postMessage(channel="C0OLD", text="x")) == "is_archived"
    assert await error_of(client.chat_postMessage(channel="G0SECRET", text="x")) == "channel_not_found"
    assert await error_of(client.api_call("chat.postMessage", json={"channel": "C0COMMUNITY"})) == "no_text"

    joined = await client.conversations_join(channel="C0OUTSIDE")
    assert joined["channel"]["is_member"] is True
    slack.join("C0OUTSIDE", "U0MEMBER1")
    await client.chat_postEphemeral(channel="C0OUTSIDE", user="U0MEMBER1", text="now in")
    assert await error_of(client.conversations_join(channel="G0SECRET")) == "method_not_supported_for_channel_type"
    info = await client.conversations_info(channel="C0OUTSIDE")
    assert info["channel"]["name"] == "elsewhere" and info["channel"]["is_private"] is False


async def test_ephemeral_is_recorded_for_its_user(slack, client):
    sent = await client.chat_postEphemeral(channel="C0COMMUNITY", user="U0MEMBER1", text="only you")
    [ephemeral] = slack.ephemerals(user="U0MEMBER1")
    assert (ephemeral["message_ts"], ephemeral["text"], ephemeral["channel"]) == (
        sent["message_ts"], "only you", "C0COMMUNITY")
    assert slack.ephemerals(user="U0OTHER") == []
    assert slack.messages("C0COMMUNITY") == []


async def test_dm_and_mpim_ids_are_stable(slack, client):
    slack.add_user("U0MENTOR", name="mentor")
    dm = await client.conversations_open(users="U0MEMBER1")
    again = await client.conversations_open(users="U0MEMBER1")
    group = await client.conversations_open(users="U0MENTOR,U0MEMBER1")
    reordered = await client.conversations_open(users="U0MEMBER1,U0MENTOR")

    assert dm["channel"]["id"] == again["channel"]["id"] == slack.dm_channel("U0MEMBER1")
    assert dm["channel"]["id"].startswith("D")
    assert group["channel"]["id"] == reordered["channel"]["id"] and group["channel"]["id"].startswith("G")
    assert group["channel"]["id"] != dm["channel"]["id"]
    await client.chat_postMessage(channel=dm["channel"]["id"], text="hello mentee")
    assert [m["text"] for m in slack.messages(slack.dm_channel("U0MEMBER1"))] == ["hello mentee"]
    assert await error_of(client.conversations_open(users="U0GHOST")) == "user_not_found"


async def test_users_info_and_lookup(slack, client):
    slack.add_user("U0LEAD", name="lead", real_name="Dr. Lead", email="lead@hospital.example", is_admin=True)
    user = (await client.users_info(user="U0LEAD"))["user"]
    assert (user["real_name"], user["profile"]["email"], user["is_admin"], user["tz"]) == (
        "Dr. Lead", "lead@hospital.example", True, "America/Toronto")
    assert user["tz_offset"] in (-18000, -14400)
    found = await client.users_lookupByEmail(email="lead@hospital.example")
    assert found["user"]["id"] == "U0LEAD"
    assert await error_of(client.users_info(user="U0GHOST")) == "user_not_found"
    assert await error_of(client.users_lookupByEmail(email="ghost@x.example")) == "users_not_found"


# -- views -------------------------------------------------------------------------------------------

MODAL = {"type": "modal", "callback_id": "qi_share", "title": {"type": "plain_text", "text": "Share"}, "blocks": []}


async def test_views_open_needs_a_fresh_trigger(slack, client):
    trigger = slack.issue_trigger()
    opened = await client.views_open(trigger_id=trigger, view=MODAL)
    assert opened["view"]["id"].startswith("V") and opened["view"]["callback_id"] == "qi_share"
    assert slack.opened_views[0]["trigger_id"] == trigger
    assert await error_of(client.views_open(trigger_id=trigger, view=MODAL)) == "exchanged_trigger_id"
    assert await error_of(client.views_open(trigger_id="made-up", view=MODAL)) == "invalid_trigger_id"
    assert await error_of(client.api_call("views.open", json={"view": MODAL})) == "invalid_arguments"

    updated = await client.views_update(view_id=opened["view"]["id"], view={**MODAL, "private_metadata": "42"})
    assert updated["view"]["hash"] != opened["view"]["hash"]
    assert slack.view(opened["view"]["id"])["private_metadata"] == "42"
    stale = client.views_update(view_id=opened["view"]["id"], view=MODAL, hash=opened["view"]["hash"])
    assert await error_of(stale) == "hash_conflict"


async def test_views_publish_keeps_one_home_per_user(slack, client):
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    first = await client.views_publish(user_id="U0MEMBER1", view=home)
    second = await client.views_publish(user_id="U0MEMBER1", view={"type": "home", "blocks": []})
    assert first["view"]["id"] == second["view"]["id"]
    assert slack.home_view("U0MEMBER1")["blocks"] == []
    assert slack.home_view("UBOTQI") is None


# -- files -------------------------------------------------------------------------------------------


async def test_files_upload_v2_round_trip(slack, client):
    result = await client.files_upload_v2(
        channel="C0COMMUNITY", content=b"week,value\n1,3\n", filename="run-chart.csv", title="Run chart",
        initial_comment="This week's data",
    )
    [stored] = slack.files
    assert (stored.id, stored.title, stored.filename) == (result["file"]["id"], "Run chart", "run-chart.csv")
    assert (stored.channel, stored.content, stored.initial_comment) == (
        "C0COMMUNITY", b"week,value\n1,3\n", "This week's data")
    [shared] = slack.messages("C0COMMUNITY")
    assert shared["text"] == "This week's data" and shared["files"][0]["id"] == stored.id


async def test_files_delete_removes_the_file_and_its_place_in_the_message(slack, client):
    result = await client.files_upload_v2(channel="C0COMMUNITY", content=b"{}", filename="export.json",
                                          initial_comment="Your data")
    await client.files_delete(file=result["file"]["id"])
    assert slack.files == []
    [shared] = slack.messages("C0COMMUNITY")
    assert shared["text"] == "Your data" and shared["files"] == []
    with pytest.raises(SlackApiError) as again:
        await client.files_delete(file=result["file"]["id"])
    assert again.value.response["error"] == "file_not_found"


# -- failures ----------------------------------------------------------------------------------------


async def test_rate_limit_is_retried_after_retry_after(slack, retry_waits):
    retrying = AsyncWebClient(token="xoxb-test", base_url=slack.api_url,
                              retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    slack.fail("chat.postMessage", status=429, retry_after=2)

    sent = await retrying.chat_postMessage(channel="C0COMMUNITY", text="digest")

    assert sent["ok"] is True
    limited, delivered = [c for c in slack.calls if c.method == "chat.postMessage"]
    assert (limited.failed, limited.status, delivered.failed) == (True, 429, False)
    [waited] = retry_waits
    assert 2 <= waited < 3  # as long as the stand-in's Retry-After: 2 asked
    assert [m["text"] for m in slack.messages("C0COMMUNITY")] == ["digest"]


async def test_rate_limit_without_retry_handler_surfaces(slack, client):
    slack.fail("chat.postMessage", status=429, retry_after=1)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C0COMMUNITY", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"


async def test_server_error_then_recovery(slack, client):
    slack.fail("users.info", status=503)
    with pytest.raises(SlackApiError) as raised:
        await client.users_info(user="U0MEMBER1")
    assert raised.value.response.status_code == 503
    assert (await client.users_info(user="U0MEMBER1"))["user"]["id"] == "U0MEMBER1"
    assert [c.failed for c in slack.calls] == [True, False]


async def test_injected_slack_error_until_cleared(slack, client):
    slack.fail("chat.postMessage", error="channel_not_found", times=None)
    for _ in range(2):
        assert await error_of(client.chat_postMessage(channel="C0COMMUNITY", text="x")) == "channel_not_found"
    slack.clear_failures()
    await client.chat_postMessage(channel="C0COMMUNITY", text="x")
    assert len(slack.calls_to("chat.postMessage")) == 3


async def test_token_is_checked(slack):
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url)
    assert await error_of(wrong.auth_test()) == "invalid_auth"
    anonymous = AsyncWebClient(base_url=slack.api_url)
    assert await error_of(anonymous.auth_test()) == "not_authed"
    right = await AsyncWebClient(token="xoxb-test", base_url=slack.api_url).auth_test()
    assert (right["user_id"], right["bot_id"], right["team_id"]) == ("UBOTQI", "BQICOMMONS", "T0001")


async def test_unknown_method(slack, client):
    assert await error_of(client.api_call("chat.sing")) == "unknown_method"


async def test_wait_for_timeout_lists_the_calls_made(slack, client):
    await client.auth_test()
    with pytest.raises(AssertionError) as raised:
        await slack.wait_for("chat.postMessage", timeout=0.1)
    assert "chat.postMessage" in str(raised.value) and "auth.test" in str(raised.value)


async def test_wait_for_sees_calls_made_while_waiting(slack, client):
    later = asyncio.create_task(client.chat_postMessage(channel="C0COMMUNITY", text="later"))
    [args] = await slack.wait_for("chat.postMessage", where=lambda a: a["text"] == "later")
    assert args["channel"] == "C0COMMUNITY"
    await later


async def test_slow_slack_times_the_client_out(slack):
    impatient = AsyncWebClient(token="xoxb-test", base_url=slack.api_url, timeout=0.2)
    slack.delay("chat.postMessage", 1.0)
    with pytest.raises(asyncio.TimeoutError):
        await impatient.chat_postMessage(channel="C0COMMUNITY", text="slow")
    await impatient.chat_postMessage(channel="C0COMMUNITY", text="fast again")


async def test_response_url_allows_five_uses_and_can_fail(slack):
    url = slack.response_url()
    async with aiohttp.ClientSession() as session:
        slack.fail("response_url", status=500)
        async with session.post(url, json={"text": "lost"}) as res:
            assert res.status == 500
        statuses = []
        for n in range(6):
            async with session.post(url, json={"text": str(n)}) as res:
                statuses.append((res.status, await res.text()))
        async with session.post(slack.url + "response/999", json={"text": "?"}) as res:
            assert res.status == 404
    assert statuses == [(200, "ok")] * 5 + [(404, "used_url")]
    assert [r["text"] for r in slack.responses(url)] == ["0", "1", "2", "3", "4"]


# -- driver ------------------------------------------------------------------------------------------


@pytest.fixture
def app(slack: SlackStandIn) -> AsyncApp:
    app = AsyncApp(signing_secret=SECRET, token="xoxb-test",
                   client=AsyncWebClient(base_url=slack.api_url, token="xoxb-test"))

    @app.command("/ping")
    async def ping(ack, respond):
        await ack()
        await respond("pong")

    @app.view("qi_share")
    async def share(ack, view):
        title = view["state"]["values"]["title"]["input"]["value"]
        await ack(response_action="errors", errors={"title": f"got {title} / {view['private_metadata']}"})

    @app.action("like")
    async def like(ack, body, client):
        await ack()
        await client.chat_postMessage(channel=body["channel"]["id"], thread_ts=body["message"]["ts"],
                                      text=f"{body['user']['id']} liked {body['actions'][0]['value']}")

    return app


async def test_signed_command_is_acked_then_answered_on_response_url(slack, app):
    driver = SlackDriver.in_process(app, signing_secret=SECRET, standin=slack)
    url = slack.response_url()

    acked = await driver.command("/ping", response_url=url)

    assert acked.status == 200
    [answer] = await slack.wait_for_response(url)
    assert answer["text"] == "pong"


async def test_tampered_body_is_rejected_without_side_effects(slack, app):
    driver = SlackDriver.in_process(app, signing_secret=SECRET, standin=slack)
    url = slack.response_url()
    body = f"command=%2Fping&text=&team_id=T0001&user_id=U0MEMBER1&response_url={url}"
    headers = driver.sign(body)

    rejected = await driver.raw(body.replace("text=", "text=evil"), headers)

    assert rejected.status == 401
    assert slack.responses(url) == []
    stale = await driver.raw(body, driver.sign(body, timestamp=1531420618))
    assert stale.status == 401


async def test_view_submission_carries_state_and_ack_errors(slack, app):
    driver = SlackDriver.in_process(app, signing_secret=SECRET, standin=slack)
    values = state_values(title={"input": "Fewer falls"})

    answer = await driver.submit_view("qi_share", values, private_metadata="p1")

    assert answer.json() == {"response_action": "errors", "errors": {"title": "got Fewer falls / p1"}}


async def test_block_action_routes_with_message_and_channel(slack, app, client):
    driver = SlackDriver.in_process(app, signing_secret=SECRET, standin=slack)
    posted = await client.chat_postMessage(channel="C0COMMUNITY", text="a share")
    message = slack.messages("C0COMMUNITY")[0]

    acked = await driver.action("like", value="share-7", message=message)

    assert acked.status == 200
    [reply] = await slack.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == posted["ts"])
    assert reply["text"] == "U0MEMBER1 liked share-7"


async def test_command_body_has_slacks_fields(slack):
    sent: list[tuple[str, dict[str, str]]] = []

    async def capture(body: str, headers: dict[str, str]):
        sent.append((body, headers))
        return DriverResponse(200, "", {})

    driver = SlackDriver(signing_secret=SECRET, standin=slack, transport=capture)
    await driver.command("/cpd-log", "2h audit")
    body, headers = sent[0]
    fields = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    assert list(fields) == ["token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
                            "command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id"]
    assert (fields["command"], fields["text"], fields["channel_name"]) == ("/cpd-log", "2h audit", "qi-commons")
    assert fields["response_url"].startswith(slack.url + "response/")
    assert headers["X-Slack-Signature"] == signature(SECRET, headers["X-Slack-Request-Timestamp"], body)


def test_state_values_short_forms():
    values = state_values(
        {"title-block": {"title": "Fewer falls"}},
        stage={"pick": {"selected": "plan"}},
        team={"who": {"selected_users": ["U1", "U2"]}},
        due={"date": {"selected_date": "2025-01-31"}},
        tags={"tags": {"selected_options": ["a", "b"]}},
        where={"chan": {"selected_conversation": "C1"}},
        flags={"box": {"checked": ["feedback"]}},
    )
    assert values["title-block"]["title"] == {"type": "plain_text_input", "value": "Fewer falls"}
    assert values["stage"]["pick"]["selected_option"]["value"] == "plan"
    assert values["team"]["who"] == {"type": "multi_users_select", "selected_users": ["U1", "U2"]}
    assert values["due"]["date"] == {"type": "datepicker", "selected_date": "2025-01-31"}
    assert [o["value"] for o in values["tags"]["tags"]["selected_options"]] == ["a", "b"]
    assert values["where"]["chan"]["selected_conversation"] == "C1"
    assert values["flags"]["box"]["type"] == "checkboxes"
    with pytest.raises(TypeError):
        state_values(bad={"x": {"mystery": 1}})


async def test_event_carries_retry_headers(slack):
    sent: list[tuple[str, dict[str, str]]] = []

    async def capture(body: str, headers: dict[str, str]):
        sent.append((body, headers))
        return DriverResponse(200, "", {})

    driver = SlackDriver(signing_secret=SECRET, standin=slack, transport=capture)
    await driver.event({"type": "app_home_opened", "user": "U0MEMBER1", "tab": "home"}, event_id="Ev1", retry_num=1)
    body, headers = sent[0]
    envelope = json.loads(body)
    assert (envelope["type"], envelope["event_id"], envelope["event"]["type"]) == (
        "event_callback", "Ev1", "app_home_opened")
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")
    assert headers["Content-Type"] == "application/json"


async def test_driver_over_http_reaches_a_served_app(slack, app):
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        driver = SlackDriver.over_http(f"http://{host}:{port}/slack/events", signing_secret=SECRET, standin=slack)
        url = slack.response_url()
        assert (await driver.command("/ping", response_url=url)).status == 200
        assert (await slack.wait_for_response(url))[0]["text"] == "pong"
        body = "command=%2Fping"
        assert (await driver.raw(body, {**driver.sign(body), "X-Slack-Signature": "v0=forged"})).status == 401
    finally:
        await runner.cleanup()
