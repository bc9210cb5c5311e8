"""Send the app what Slack sends: signed slash commands, block actions, view submissions and events.

Payloads follow Slack's real shapes so the requests go through Bolt's signature check and routing
unchanged. The same driver talks to a running `qi-commons run --http` (over_http) or dispatches
into an AsyncApp in-process (in_process) for fast tests; response_url targets come from the stand-in.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from sandbox.server import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    COMMUNITY_CHANNEL_ID,
    DEFAULT_MEMBER_ID,
    SlackStandIn,
)
from sandbox.signing import signed_headers

TEAM_DOMAIN = "qi-commons"
# Slack still sends its deprecated verification token; Bolt ignores it in favour of the signature.
VERIFICATION_TOKEN = "standin-verification-token"


@dataclass
class DriverResponse:
    """What the app answered Slack's request with (the ack), e.g. response_action errors."""

    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> dict[str, Any] | None:
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None


Transport = Callable[[str, dict[str, str]], Awaitable[DriverResponse]]


def _over_http(url: str) -> Transport:
    async def send(body: str, headers: dict[str, str]) -> DriverResponse:
        async with aiohttp.ClientSession() as session, session.post(url, data=body.encode(), headers=headers) as res:
            return DriverResponse(res.status, await res.text(), dict(res.headers))

    return send


def _in_process(app: AsyncApp) -> Transport:
    async def send(body: str, headers: dict[str, str]) -> DriverResponse:
        response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        return DriverResponse(response.status, response.body, response.first_headers())

    return send


def _over_socket(standin: SlackStandIn) -> Transport:
    """Socket Mode: the same payloads, unsigned, pushed down the app's WebSocket as envelopes."""

    async def send(body: str, headers: dict[str, str]) -> DriverResponse:
        if headers.get("Content-Type", "").startswith("application/json"):
            envelope_type, payload = "events_api", json.loads(body)
        else:
            form = dict(parse_qsl(body, keep_blank_values=True))
            if "payload" in form:
                envelope_type, payload = "interactive", json.loads(form["payload"])
            else:
                envelope_type, payload = "slash_commands", form
        ack = await standin.socket_send(envelope_type, payload)
        return DriverResponse(200, json.dumps(ack.get("payload") or {}), {})

    return send


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}


def _element_state(simple: Any) -> dict[str, Any]:
    if simple is None or isinstance(simple, str):
        return {"type": "plain_text_input", "value": simple}
    if not isinstance(simple, Mapping):
        raise TypeError(f"unsupported input state {simple!r}")
    if "type" in simple:
        return dict(simple)  # already in Slack's shape
    shapes: dict[str, Callable[[Any], dict[str, Any]]] = {
        "selected": lambda v: {"type": "static_select", "selected_option": _option(v) if v else None},
        "radio": lambda v: {"type": "radio_buttons", "selected_option": _option(v) if v else None},
        "selected_options": lambda v: {"type": "multi_static_select", "selected_options": [_option(o) for o in v]},
        "checked": lambda v: {"type": "checkboxes", "selected_options": [_option(o) for o in v]},
        "selected_user": lambda v: {"type": "users_select", "selected_user": v},
        "selected_users": lambda v: {"type": "multi_users_select", "selected_users": list(v)},
        "selected_conversation": lambda v: {"type": "conversations_select", "selected_conversation": v},
        "selected_channel": lambda v: {"type": "channels_select", "selected_channel": v},
        "selected_date": lambda v: {"type": "datepicker", "selected_date": v},
        "selected_time": lambda v: {"type": "timepicker", "selected_time": v},
        "number": lambda v: {"type": "number_input", "value": None if v is None else str(v)},
        "files": lambda v: {"type": "file_input", "files": [dict(f) for f in v]},
    }
    (key, value), *rest = simple.items()
    if rest or key not in shapes:
        raise TypeError(f"unsupported input state {dict(simple)!r}; use one of {sorted(shapes)} or Slack's shape")
    return shapes[key](value)


def state_values(
    blocks: Mapping[str, Mapping[str, Any]] | None = None, /, **more: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Slack's `view.state.values` from a short form, by block id then action id.

    A string is a plain_text_input value; {"selected": v} a static_select; {"selected_options": [...]},
    {"checked": [...]}, {"radio": v}, {"selected_user(s)": ...}, {"selected_conversation": c},
    {"selected_channel": c}, {"selected_date": "2025-01-31"}, {"selected_time": "09:30"},
    {"number": 3}, {"files": [slack.add_user_file(...)]}; a dict with a "type" key is taken as already in Slack's shape.
    """
    merged = {**(blocks or {}), **more}
    return {block: {action: _element_state(v) for action, v in actions.items()} for block, actions in merged.items()}


class SlackDriver:
    """Builds Slack's request payloads and sends them, signed, through a transport."""

    def __init__(
        self, *, signing_secret: str, standin: SlackStandIn, team_id: str | None = None, transport: Transport,
        now: Callable[[], float] = time.time,
    ) -> None:
        # `now` is the app's clock, so requests are fresh to an app whose clock a test has frozen.
        self._now = now
        self._secret = signing_secret
        self._slack = standin
        self.team_id = team_id or standin.team_id
        self._send = transport
        self._counter = 0

    @classmethod
    def over_http(cls, url: str, **kw: Any) -> SlackDriver:
        """`url` is the app's request URL, e.g. http://127.0.0.1:3000/slack/events."""
        return cls(transport=_over_http(url), **kw)

    @classmethod
    def over_socket(cls, standin: SlackStandIn, **kw: Any) -> SlackDriver:
        """Send through the stand-in's Socket Mode connection to a running `qi-commons run --socket`."""
        return cls(transport=_over_socket(standin), standin=standin, signing_secret="unused-in-socket-mode", **kw)

    @classmethod
    def in_process(cls, app: AsyncApp, **kw: Any) -> SlackDriver:
        return cls(transport=_in_process(app), **kw)

    def sign(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        return signed_headers(self._secret, body, timestamp=int(self._now()) if timestamp is None else timestamp)

    async def raw(self, body: str, headers: dict[str, str]) -> DriverResponse:
        """Send exactly this body and these headers (tampered or stale requests)."""
        return await self._send(body, headers)

    # -- slash commands ----------------------------------------------------------------------------

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = DEFAULT_MEMBER_ID,
        user_name: str | None = None,
        channel_id: str = COMMUNITY_CHANNEL_ID,
        trigger_id: str | None = None,
        response_url: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> DriverResponse:
        """A slash command; `fields` adds or changes form fields (e.g. a recorded payload's enterprise ones)."""
        channel = self._slack.channel(channel_id) or {}
        form = {  # the order Slack sends them in
            "token": VERIFICATION_TOKEN,
            "team_id": self._home_team(user_id),
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel.get("is_im") else channel.get("name", channel_id),
            "user_id": user_id,
            "user_name": user_name or self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url or self._slack.response_url(),
            "trigger_id": self._trigger(trigger_id),
            **(fields or {}),
        }
        body = urlencode(form)
        response = await self._send(body, self.sign(body))
        if response.status == 200:
            self._slack.show_ack(form["response_url"], response.json())
        return response

    # -- interactivity -----------------------------------------------------------------------------

    async def action(
        self,
        action_id: str,
        *,
        value: str | None = None,
        user_id: str = DEFAULT_MEMBER_ID,
        block_id: str = "b",
        action_type: str = "button",
        selected_option: str | Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | None = None,
        message: Mapping[str, Any] | None = None,
        channel_id: str | None = None,
        container: Mapping[str, Any] | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> DriverResponse:
        """A block_actions payload for one element.

        With `view` the action comes from a modal or the Home tab; with `message` (e.g. one of
        `standin.messages(channel)`) from that message; with neither from an ephemeral message in
        `channel_id`, which Slack sends without the message itself. `fields` adds element fields
        such as selected_date or selected_users.
        """
        action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": action_type,
                                  "action_ts": f"{time.time():.6f}"}
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            option = _option(selected_option) if isinstance(selected_option, str) else dict(selected_option)
            action["selected_option"] = option
        action.update(fields or {})

        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger(trigger_id),
            **self._teams(user_id),
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            payload["container"] = dict(container or {"type": "view", "view_id": view.get("id")})
            payload["view"] = {"state": {"values": {}}, **view}
            payload["state"] = payload["view"]["state"]
        else:
            channel = channel_id or (message or {}).get("channel") or COMMUNITY_CHANNEL_ID
            payload["channel"] = {"id": channel, "name": (self._slack.channel(channel) or {}).get("name", channel)}
            if message is not None:
                payload["message"] = {k: v for k, v in message.items() if v is not None and k != "channel"}
                default = {"type": "message", "message_ts": message.get("ts"), "channel_id": channel,
                           "is_ephemeral": False}
            else:
                default = {"type": "message", "message_ts": f"{time.time():.6f}", "channel_id": channel,
                           "is_ephemeral": True}
            payload["container"] = dict(container or default)
            payload["state"] = {"values": {}}
            payload["response_url"] = response_url or self._slack.response_url()
        return await self._interactive(payload)

    async def submit_view(
        self,
        callback_id: str,
        values: Mapping[str, Mapping[str, Any]],
        *,
        user_id: str = DEFAULT_MEMBER_ID,
        view: Mapping[str, Any] | None = None,
        private_metadata: str | None = None,
        view_id: str | None = None,
        external_id: str | None = None,
        title: str = "QI Commons",
    ) -> DriverResponse:
        """A view_submission; `values` is Slack's state.values (see `state_values`).

        Pass `view` (e.g. `standin.opened_views[-1]["view"]`) to echo back the view the bot opened,
        as Slack does: its id, blocks, hash and private_metadata.
        """
        payload = self._view_payload("view_submission", callback_id, user_id, view, private_metadata, view_id,
                                     external_id, title)
        payload["view"]["state"] = {"values": {b: dict(a) for b, a in values.items()}}
        payload["response_urls"] = []
        payload["trigger_id"] = self._trigger()
        return await self._interactive(payload)

    async def close_view(
        self,
        callback_id: str,
        *,
        user_id: str = DEFAULT_MEMBER_ID,
        view: Mapping[str, Any] | None = None,
        private_metadata: str | None = None,
        view_id: str | None = None,
        external_id: str | None = None,
        title: str = "QI Commons",
        is_cleared: bool = False,
    ) -> DriverResponse:
        """A view_closed (sent only for views opened with notify_on_close)."""
        payload = self._view_payload("view_closed", callback_id, user_id, view, private_metadata, view_id,
                                     external_id, title)
        payload["is_cleared"] = is_cleared
        return await self._interactive(payload)

    # -- events ------------------------------------------------------------------------------------

    async def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> DriverResponse:
        """An event_callback; `retry_num` marks it as Slack's redelivery (same event_id to re-send)."""
        now = time.time()
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": {"event_ts": f"{now:.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or self._next("Ev"),
            "event_time": int(now),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": BOT_USER_ID,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }
        body = json.dumps(envelope)
        headers = signed_headers(self._secret, body, timestamp=int(self._now()), content_type="application/json")
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return await self._send(body, headers)

    async def envelope(self, payload: Mapping[str, Any]) -> DriverResponse:
        """Sign and send an event envelope exactly as given (e.g. a payload Slack's SDK teams recorded)."""
        body = json.dumps(payload)
        headers = signed_headers(self._secret, body, timestamp=int(self._now()), content_type="application/json")
        return await self._send(body, headers)

    # -- internals ---------------------------------------------------------------------------------

    def _next(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:09d}"

    def _trigger(self, trigger_id: str | None = None) -> str:
        # Issued by the stand-in as the request goes: views.open takes it once within 3 s, as at Slack.
        return self._slack.issue_trigger(trigger_id)

    def _user_name(self, user_id: str) -> str:
        return (self._slack.user(user_id) or {}).get("name", user_id)

    def _home_team(self, user_id: str) -> str:
        return (self._slack.user(user_id) or {}).get("team_id") or self.team_id

    def _user(self, user_id: str) -> dict[str, str]:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self._home_team(user_id)}

    def _teams(self, user_id: str) -> dict[str, Any]:
        """`team` and `enterprise` as Slack names them: the clicker's own (a partner's, in a shared channel)."""
        home = self._home_team(user_id)
        team: dict[str, Any] = {"id": home, "domain": TEAM_DOMAIN if home == self.team_id else home.lower()}
        grid = (self._slack.user(user_id) or {}).get("enterprise_user")
        if grid is None:
            return {"team": team, "enterprise": None}
        team.update(enterprise_id=grid["enterprise_id"], enterprise_name=grid["enterprise_name"])
        return {"team": team, "enterprise": {"id": grid["enterprise_id"], "name": grid["enterprise_name"]}}

    def _view_payload(
        self,
        kind: str,
        callback_id: str,
        user_id: str,
        view: Mapping[str, Any] | None,
        private_metadata: str | None,
        view_id: str | None,
        external_id: str | None,
        title: str,
    ) -> dict[str, Any]:
        base = dict(view or {})
        the_id = view_id or base.get("id") or "VSUB1"
        echoed = {
            "id": the_id, "team_id": self._home_team(user_id), "type": "modal", "blocks": [],
            "title": {"type": "plain_text", "text": title}, "close": None, "submit": None,
            "clear_on_close": False, "notify_on_close": False, "root_view_id": the_id, "previous_view_id": None,
            "hash": "1700000000.submitted", "app_id": APP_ID, "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID, "state": {"values": {}},
            **base,
            "callback_id": callback_id,
            "private_metadata": private_metadata if private_metadata is not None else base.get("private_metadata", ""),
            "external_id": external_id if external_id is not None else base.get("external_id", ""),
        }
        return {
            "type": kind,
            **self._teams(user_id),
            "user": self._user(user_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "view": echoed,
            "is_enterprise_install": False,
        }

    async def interactive(self, payload: Mapping[str, Any]) -> DriverResponse:
        """Sign and send an interactivity payload exactly as given (e.g. one Slack's SDK teams recorded)."""
        return await self._interactive(dict(payload))

    async def _interactive(self, payload: dict[str, Any]) -> DriverResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self._send(body, self.sign(body))
