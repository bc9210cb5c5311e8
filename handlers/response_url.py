"""Answers through a `response_url`, sent only to Slack.

A request's body names its `response_url`, and a URL we POST to on someone's say-so is a way into
the hospital network (server-side request forgery). So we post only to Slack's own webhook host
(or the Web API's host, which is the local stand-in when SLACK_API_URL points at one), and never
follow a redirect: a redirect from a trusted host to elsewhere would undo the check.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse

from bot.core.slack import sessions
from bot.core.slack.payloads import PayloadRefused, fit_message
from bot.core.slack.trust import origin

log = logging.getLogger(__name__)

SLACK_WEBHOOKS = ("https", "hooks.slack.com", 443)
TIMEOUT = 30.0  # seconds


def trusted(url: Any, api_url: str) -> bool:
    """Whether `url` is Slack's: https://hooks.slack.com/..., or on the Web API's own host."""
    if not isinstance(url, str):
        return False
    found = origin(url)
    return found is not None and found in (SLACK_WEBHOOKS, origin(api_url))


async def post(client: AsyncWebClient, url: Any, message: dict[str, Any]) -> WebhookResponse | None:
    """POST `message` to `url` if it is Slack's; None (and a log line) when it is not.

    `client` is the Web API client: its base URL is the one other host we trust.
    """
    if not trusted(url, client.base_url):
        log.warning("Dropped an answer to a response_url that is not Slack's (host %r)", _host(url))
        return None
    try:
        message = fit_message(message)
    except PayloadRefused as error:
        log.error("Refused to answer a response_url: %s", error)
        return None
    async with sessions.session(TIMEOUT).post(
            url, data=json.dumps(message), headers={"Content-Type": "application/json;charset=utf-8"},
            allow_redirects=False) as response:
        body = await response.text()
        if response.status != 200:
            log.warning("response_url answered %s", response.status)
        return WebhookResponse(url=url, status_code=response.status, body=body, headers=dict(response.headers))


async def delivered(client: AsyncWebClient, url: Any, **message: Any) -> bool:
    """Post a message to a response_url; True when Slack took it."""
    response = await post(client, url, _build_message(**message))
    return response is not None and response.status_code == 200


def _host(url: Any) -> str:
    found = origin(url) if isinstance(url, str) else None
    return found[1] if found else "unreadable"


class CheckedRespond(AsyncRespond):
    """Bolt's `respond()`, through `post`: what every listener's `respond` argument is."""

    def __init__(self, client: AsyncWebClient, response_url: str | None) -> None:
        super().__init__(response_url=response_url)
        self._client = client

    async def __call__(self, text: str | dict = "", **fields: Any) -> WebhookResponse | None:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        message = _build_message(**text) if isinstance(text, dict) else _build_message(text=text, **fields)
        return await post(self._client, self.response_url, message)
