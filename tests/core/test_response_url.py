"""The bot answers through a response_url only when it is Slack's, and never follows a redirect away."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from aiohttp import web
from aiohttp.test_utils import TestServer

from handlers import response_url
from tests.sharing_helpers import CHANNEL, MEMBER, OTHER, button, posts, updates

SLACK_API = "https://slack.com/api/"
STANDIN_API = "http://127.0.0.1:8123/api/"


def test_only_slacks_webhook_host_and_the_configured_api_host_are_trusted():
    assert response_url.trusted("https://hooks.slack.com/commands/T1/2/abc", SLACK_API)
    assert response_url.trusted("https://hooks.slack.com:443/actions/T1/2/abc", SLACK_API)
    assert response_url.trusted("http://127.0.0.1:8123/response/1", STANDIN_API)
    for url in ("http://hooks.slack.com/commands/T1/2/abc",  # not TLS
                "https://hooks.slack.com.evil.example/commands",
                "https://evil.example/?u=https://hooks.slack.com/",
                "https://hooks.slack.com@evil.example/commands",
                "https://hooks.slack.com:8443/commands",
                "http://127.0.0.1:8124/response/1",  # the stand-in's host, another port
                "http://10.0.0.5/admin/reset",
                "https://hooks.slack.com:notaport/x", "http://[::1",
                "file:///etc/passwd", "", None, ["https://hooks.slack.com/x"]):
        assert not response_url.trusted(url, STANDIN_API), url
    assert not response_url.trusted("http://127.0.0.1:8123/response/1", SLACK_API)


async def test_a_command_with_a_foreign_response_url_is_answered_nowhere_else(env, internal_service):
    await env.driver.command("/qi-commons", "privacy", response_url=internal_service.url())  # answered after its ack
    await env.settle()
    assert internal_service.hits == []
    assert env.slack.responses() == []


async def test_a_share_with_a_foreign_response_url_is_still_stored_posted_and_confirmed_in_the_channel(
        env, internal_service):
    await env.driver.command("/qi-share", "Tried huddles at shift change", response_url=internal_service.url())
    await env.settle()
    assert internal_service.hits == []
    assert [u.tried for u in await updates(env)] == ["Tried huddles at shift change"]
    assert len(posts(env)) == 1
    confirmation, _cpd_offer = env.slack.ephemerals(user=MEMBER, channel=CHANNEL)  # told another way
    assert confirmation["text"].startswith(":white_check_mark: Shared!")


async def test_a_redirect_from_a_trusted_host_is_not_followed(internal_service):
    async def redirect(_request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(internal_service.url())

    app = web.Application()
    app.router.add_post("/response/1", redirect)
    async with TestServer(app, host="127.0.0.1") as trusted_host:
        client = SimpleNamespace(base_url=str(trusted_host.make_url("/api/")))
        sent = await response_url.post(client, str(trusted_host.make_url("/response/1")), {"text": "hi"})
        delivered = await response_url.delivered(client, str(trusted_host.make_url("/response/1")), text="hi")
    assert sent is not None and sent.status_code == 307
    assert not delivered
    assert internal_service.hits == []


async def test_respond_still_reaches_slack(env):
    url = env.slack.response_url()
    await env.driver.command("/qi-commons", "help", response_url=url)
    await env.settle()
    [reply] = env.slack.responses(url)
    assert "/qi-share" in json.dumps(reply["blocks"])


async def test_a_click_or_an_error_with_a_foreign_response_url_calls_nothing(env, internal_service):
    @env.app.command("/boom")
    async def boom(ack):
        await ack()
        await asyncio.sleep(0.05)  # fail in the work after the ack, as in test_requests
        raise RuntimeError("bug")

    await env.driver.command("/qi-share", "Tried huddles at shift change")
    await env.settle()
    message = posts(env)[-1]
    await env.driver.action("sharing_delete", value=button(message, "sharing_delete")["value"], message=message,
                            user_id=OTHER, response_url=internal_service.url("/click"))
    await env.driver.command("/boom", response_url=internal_service.url("/error"))
    await env.settle()
    assert internal_service.hits == []
    assert posts(env) == [message]  # the refused delete deleted nothing
