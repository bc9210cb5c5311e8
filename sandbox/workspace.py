"""The browser sandbox: the Slack stand-in plus a Slack-like page that drives the real bot.

Everything a person does on the page becomes the request Slack would send, signed, to the bot's
`/slack/events` (slash commands, block actions, view submissions, app_home_opened); the page never
reaches into the bot or its database. What the bot does comes back through the Web API stand-in,
and the page hears about every change over server-sent events.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import logging
import mimetypes
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aiohttp import web

from sandbox.driver import DriverResponse, SlackDriver
from sandbox.server import BOT_ID, BOT_USER_ID, COMMUNITY_CHANNEL_ID, DEFAULT_MEMBER_ID, SlackStandIn

log = logging.getLogger(__name__)

# A sandbox control (post this week's prompt, move the clock, seed the demo...) answers one line to show.
Control = Callable[[], Awaitable[str]]
_HEARTBEAT_SECONDS = 15


@dataclass(frozen=True)
class _Target:
    """Where a response_url post lands: for whom, in which channel, replacing which message."""

    user: str
    channel: str
    message_ts: str | None = None
    ephemeral: bool = False


class BotUnreachable(Exception):
    """The bot did not answer the signed request (process gone, port closed)."""


class SandboxWorkspace(SlackStandIn):
    """`SlackStandIn` that also serves the page at `/` and turns what a person does into Slack's requests."""

    def __init__(self, *, signing_secret: str, bot_url: str = "", commands: list[dict[str, Any]] | None = None,
                 controls: Mapping[str, Control] | None = None, **kw: Any) -> None:
        # A person trying the bot sees it paced as Slack paces it.
        kw.setdefault("rate_limits", True)
        super().__init__(**kw)
        self.bot_url = bot_url
        self._signing_secret = signing_secret
        self.commands = commands or []
        self.controls = dict(controls or {})
        self._trigger_users: dict[str, str] = {}
        self._targets: dict[str, _Target] = {}
        self._stacks: dict[str, list[str]] = {}
        self._triggers = 0
        self.unrendered: list[str] = []  # what the page reported it could not draw
        self.titles: dict[str, str] = {}  # member id -> what the "you are" switcher says about them
        self.now: Callable[[], float] | None = None  # the bot's clock, so its signature check sees fresh requests

    # -- wiring --------------------------------------------------------------------------------------

    def _driver(self) -> SlackDriver:
        extra = {"now": self.now} if self.now is not None else {}
        return SlackDriver.over_http(self.bot_url, signing_secret=self._signing_secret, standin=self, **extra)

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._serve_page)
        app.router.add_get("/favicon.ico", self._no_icon)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/ui/state", self._state)
        app.router.add_get("/ui/events", self._events)
        app.router.add_get("/ui/files/{file_id}", self._file)
        app.router.add_post("/ui/command", self._command)
        app.router.add_post("/ui/message", self._user_message)
        app.router.add_post("/ui/action", self._action)
        app.router.add_post("/ui/submit", self._submit)
        app.router.add_post("/ui/file", self._pick_file)
        app.router.add_post("/ui/close", self._close)
        app.router.add_post("/ui/home", self._home_opened)
        app.router.add_post("/ui/control/{name}", self._control)
        app.router.add_post("/ui/warn", self._warn)

    def clear(self) -> None:
        """Back to an empty workspace: no messages, views or files (members and channels stay)."""
        for channel in self._channels.values():
            channel.messages.clear()
        for collection in (self._ephemerals, self.files, self.opened_views, self._responses, self.calls):
            collection.clear()
        for mapping in (self._views, self._home, self._stacks, self._targets, self._trigger_users):
            mapping.clear()

    # -- what the page shows -------------------------------------------------------------------------

    def members(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(u) for u in self._users.values() if not u["is_bot"]]

    def modal_stack(self, user_id: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(self._views[v]) for v in self._stacks.get(user_id, []) if v in self._views]

    def state(self, user_id: str) -> dict[str, Any]:
        # The channels this member sees: public ones, and the private ones (DMs included) they are in.
        channels = [c for c in self._channels.values()
                    if not c.is_private or user_id in c.members or (c.is_im and c.user == user_id)]
        return {
            "me": user_id,
            "bot": BOT_USER_ID,
            "community": COMMUNITY_CHANNEL_ID,
            "members": self.members(),
            "users": {u["id"]: u["real_name"] for u in self._users.values()},
            "titles": self.titles,
            "channels": [{"id": c.id, "name": c.name, "is_im": c.is_im, "is_mpim": c.is_mpim,
                          "is_private": c.is_private, "with": c.user,
                          "members": sorted(c.members - {BOT_USER_ID})} for c in channels],
            "messages": {c.id: [self._shown(m) for m in c.messages] for c in channels},
            "ephemerals": self.ephemerals(user=user_id),
            "home": self.home_view(user_id),
            "modals": self.modal_stack(user_id),
            "commands": self.commands,
            "controls": sorted(self.controls),
        }

    def _shown(self, message: dict[str, Any]) -> dict[str, Any]:
        shown = copy.deepcopy(message)
        for f in shown.get("files", []):
            stored = next((s for s in self.files if s.id == f["id"]), None)
            f["mimetype"] = mimetypes.guess_type(f["name"])[0] or "application/octet-stream"
            f["url"] = f"/ui/files/{f['id']}"
            f["size"] = len(stored.content) if stored else 0
        return shown

    @staticmethod
    async def _no_icon(_request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _serve_page(self, _request: web.Request) -> web.StreamResponse:
        return self._web_file("index.html")

    async def _static(self, request: web.Request) -> web.StreamResponse:
        return self._web_file(request.match_info["name"])

    @staticmethod
    def _web_file(name: str) -> web.Response:
        item = resources.files("sandbox") / "web" / name
        if "/" in name or name.startswith(".") or not item.is_file():
            raise web.HTTPNotFound()
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return web.Response(body=item.read_bytes(), content_type=content_type,
                            headers={"Cache-Control": "no-cache"})

    async def _state(self, request: web.Request) -> web.Response:
        # A page that has no one yet (or someone a reset removed) is the default member.
        user = request.query.get("user") or ""
        known = user in self._users and not self._users[user]["is_bot"]
        return web.json_response(self.state(user if known else DEFAULT_MEMBER_ID))

    async def _events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: one `change` whenever the workspace changed; the page then re-reads it."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        await response.write(b"event: change\ndata: {}\n\n")
        while True:
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), _HEARTBEAT_SECONDS)
                await response.write(b"event: change\ndata: {}\n\n")
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
            except (ConnectionResetError, asyncio.CancelledError):
                return response

    async def _file(self, request: web.Request) -> web.Response:
        stored = next((f for f in self.files if f.id == request.match_info["file_id"]), None)
        if stored is None:
            raise web.HTTPNotFound()
        content_type = mimetypes.guess_type(stored.filename)[0] or "application/octet-stream"
        disposition = "inline" if content_type.startswith("image/") else "attachment"
        return web.Response(body=stored.content, content_type=content_type,
                            headers={"Content-Disposition": f'{disposition}; filename="{stored.filename}"'})

    # -- what a person does --------------------------------------------------------------------------

    def _member(self, user_id: Any) -> str:
        if not isinstance(user_id, str) or user_id not in self._users or self._users[user_id]["is_bot"]:
            raise web.HTTPBadRequest(text=f"no sandbox member {user_id!r}")
        return user_id

    def _trigger_for(self, user_id: str) -> str:
        self._triggers += 1
        trigger_id = f"{self._triggers}.{abs(hash(user_id)) % 10**11}.sandbox{self._triggers:08d}"
        self._trigger_users[trigger_id] = user_id
        return self.issue_trigger(trigger_id)

    def _response_url_for(self, target: _Target) -> str:
        url = self.response_url()
        self._targets[url] = target
        return url

    async def _send(self, request: Callable[[SlackDriver], Awaitable[DriverResponse]]) -> DriverResponse:
        try:
            response = await request(self._driver())
        except OSError as exc:  # aiohttp's connection errors are OSErrors
            log.error("The bot at %s is not answering (%s): stop this sandbox with Ctrl-C and start it again "
                      "with `make run`.", self.bot_url, exc)
            raise BotUnreachable(str(exc)) from exc
        if response.status >= 400:
            log.warning("The bot answered HTTP %s: %s", response.status, response.body[:200])
        return response

    @staticmethod
    def _reply(response: DriverResponse, **more: Any) -> web.Response:
        return web.json_response({"status": response.status, "ok": response.status < 400, **more})

    async def _guarded(self, request: web.Request,
                       work: Callable[[dict[str, Any]], Awaitable[web.Response]]) -> web.Response:
        body = await request.json()
        try:
            return await work(body)
        except BotUnreachable as exc:
            return web.json_response({"ok": False, "error": "bot_unreachable", "detail": str(exc)}, status=502)

    async def type_command(self, user: str, command: str, text: str = "",
                           channel: str = COMMUNITY_CHANNEL_ID) -> DriverResponse:
        """A member types a slash command: Slack's signed request, and its ack shown as Slack shows it."""
        url = self._response_url_for(_Target(user, channel))
        response = await self._send(lambda d: d.command(command, text, user_id=user, channel_id=channel,
                                                        trigger_id=self._trigger_for(user), response_url=url))
        return response

    def show_ack(self, response_url: str, ack: dict[str, Any] | None) -> bool:
        shown = super().show_ack(response_url, ack)
        if shown and ack is not None and (target := self._targets.get(response_url)) is not None:
            self._respond(target, ack)
            self._notify()
        return shown

    async def _command(self, request: web.Request) -> web.Response:
        async def work(body: dict[str, Any]) -> web.Response:
            user = self._member(body.get("user"))
            channel = str(body.get("channel") or COMMUNITY_CHANNEL_ID)
            return self._reply(await self.type_command(user, str(body.get("command")),
                                                        str(body.get("text") or ""), channel))

        return await self._guarded(request, work)

    async def _user_message(self, request: web.Request) -> web.Response:
        """A member's own message: stored where they typed it (the bot subscribes to no message events)."""
        body = await request.json()
        user = self._member(body.get("user"))
        channel = self._channels.get(str(body.get("channel")))
        if channel is None or not str(body.get("text") or "").strip():
            raise web.HTTPBadRequest(text="a message needs a channel and some text")
        thread_ts = body.get("thread_ts") or None
        channel.messages.append({
            "type": "message", "ts": self._next_ts(), "channel": channel.id, "text": body["text"], "blocks": [],
            "user": user, "team": self.team_id, "thread_ts": thread_ts,
            "reply_broadcast": bool(thread_ts) and bool(body.get("broadcast")), "metadata": None,
        })
        self._notify()
        return web.json_response({"ok": True})

    async def press(self, user: str, source: Mapping[str, Any], action: Mapping[str, Any],
                    values: Mapping[str, Any] | None = None) -> DriverResponse:
        """A member uses an element: Slack's block_actions for it, from a message, an ephemeral or a view.

        `source` is {"kind": "message"|"ephemeral", "channel", "ts"} or {"kind": "view", "view_id"};
        `action` the element's action_id, block_id, type, value and selection fields.
        """
        fields = dict(action)
        action_id, block_id = fields.pop("action_id"), fields.pop("block_id", None) or "b"
        kw: dict[str, Any] = {"user_id": user, "block_id": block_id, "action_type": fields.pop("type", "button"),
                              "value": fields.pop("value", None), "fields": fields,
                              "trigger_id": self._trigger_for(user)}
        if source.get("kind") == "view":
            view = self._views.get(str(source.get("view_id")))
            if view is None:
                raise web.HTTPBadRequest(text="that view is gone")
            kw["view"] = {**copy.deepcopy(view), "state": {"values": dict(values or {})}}
        else:
            channel = str(source.get("channel"))
            ephemeral = source.get("kind") == "ephemeral"
            kw["channel_id"] = channel
            kw["response_url"] = self._response_url_for(_Target(user, channel, source.get("ts"), ephemeral=ephemeral))
            if ephemeral:
                kw["container"] = {"type": "message", "message_ts": source.get("ts"), "channel_id": channel,
                                   "is_ephemeral": True}
            else:
                kw["message"] = self._message(self._visible(channel), source.get("ts"))
        return await self._send(lambda d: d.action(action_id, **kw))

    async def _action(self, request: web.Request) -> web.Response:
        async def work(body: dict[str, Any]) -> web.Response:
            user = self._member(body.get("user"))
            return self._reply(await self.press(user, body.get("source") or {}, body.get("action") or {},
                                                body.get("values")))

        return await self._guarded(request, work)

    async def _submit(self, request: web.Request) -> web.Response:
        async def work(body: dict[str, Any]) -> web.Response:
            user = self._member(body.get("user"))
            view = self._top_view(user, body.get("view_id"))
            response = await self._send(lambda d: d.submit_view(
                view.get("callback_id", ""), body.get("values") or {}, user_id=user, view=view))
            ack = response.json() or {}
            action = ack.get("response_action")
            if response.status >= 400:
                return self._reply(response)
            if action == "errors":
                return self._reply(response, errors=ack.get("errors", {}))
            stack = self._stacks.setdefault(user, [])
            if action == "update":
                self._store_view({**ack["view"], "root_view_id": view["root_view_id"]}, stack[-1])
            elif action == "push":
                stack.append(self._store_view({**ack["view"], "previous_view_id": view["id"],
                                               "root_view_id": view["root_view_id"]})["id"])
            elif action == "clear":
                stack.clear()
            else:
                stack.pop()
            self._notify()
            return self._reply(response)

        return await self._guarded(request, work)

    async def _pick_file(self, request: web.Request) -> web.Response:
        """A file the person picked in a form's file input: kept as Slack keeps a member's upload, and its
        file object handed back for the form's state, as Slack puts it in view_submission."""
        body = await request.json()
        user = self._member(body.get("user"))
        name = str(body.get("name") or "").strip()
        try:
            content = base64.b64decode(str(body.get("content") or ""), validate=True)
        except binascii.Error:
            raise web.HTTPBadRequest(text="the file's content must be base64") from None
        if not name:
            raise web.HTTPBadRequest(text="a file needs a name")
        return web.json_response({"ok": True, "file": self.add_user_file(user, name, content,
                                                                         mimetype=body.get("type") or None)})

    async def _close(self, request: web.Request) -> web.Response:
        async def work(body: dict[str, Any]) -> web.Response:
            user = self._member(body.get("user"))
            view = self._top_view(user, body.get("view_id"))
            self._stacks[user].pop()
            self._notify()
            if view.get("notify_on_close"):
                return self._reply(await self._send(lambda d: d.close_view(view.get("callback_id", ""),
                                                                            user_id=user, view=view)))
            return web.json_response({"ok": True})

        return await self._guarded(request, work)

    async def _home_opened(self, request: web.Request) -> web.Response:
        async def work(body: dict[str, Any]) -> web.Response:
            user = self._member(body.get("user"))
            event: dict[str, Any] = {"type": "app_home_opened", "user": user, "channel": self.dm_channel(user),
                                     "tab": "home"}
            if (home := self.home_view(user)) is not None:
                event["view"] = home
            return self._reply(await self._send(lambda d: d.event(event)))

        return await self._guarded(request, work)

    async def _control(self, request: web.Request) -> web.Response:
        control = self.controls.get(request.match_info["name"])
        if control is None:
            raise web.HTTPNotFound(text="no such sandbox control")
        try:
            said = await control()
        except Exception as exc:  # noqa: BLE001 - shown on the page, like any failed request
            log.exception("The sandbox control %s failed", request.match_info["name"])
            return web.json_response({"ok": False, "error": str(exc)}, status=500)
        self._notify()
        return web.json_response({"ok": True, "said": said})

    async def _warn(self, request: web.Request) -> web.Response:
        """The page met a block or element it cannot draw: said in the terminal, not only in the browser."""
        body = await request.json()
        self.unrendered.append(f"{body.get('kind')} {body.get('type')}")
        log.warning("The sandbox page cannot show the %s %r; it shows a marker instead", body.get("kind"),
                    body.get("type"))
        return web.json_response({"ok": True})

    def _top_view(self, user: str, view_id: Any) -> dict[str, Any]:
        stack = self._stacks.get(user) or []
        if not stack or stack[-1] != view_id or view_id not in self._views:
            raise web.HTTPConflict(text="that modal is no longer open")
        return copy.deepcopy(self._views[view_id])

    # -- Slack's side effects the stand-in alone has no person for -----------------------------------

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super()._api_views_open(args)
        if (user := self._trigger_users.get(args["trigger_id"])) is not None:
            self._stacks[user] = [answer["view"]["id"]]
        return answer

    def _api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super()._api_views_push(args)
        if (user := self._trigger_users.get(args["trigger_id"])) is not None:
            stack = self._stacks.setdefault(user, [])
            previous = stack[-1] if stack else None
            self._views[answer["view"]["id"]]["previous_view_id"] = previous
            stack.append(answer["view"]["id"])
        return answer

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        answer = await super()._handle_response_url(request)
        target = self._targets.get(str(request.url))
        if answer.status == 200 and target is not None:
            self._respond(target, self._responses[-1][1])
            self._notify()
        return answer

    def _respond(self, target: _Target, body: dict[str, Any]) -> None:
        """What Slack does with a response_url post: ephemeral by default, in_channel, replace or delete."""
        text, blocks = body.get("text") or "", body.get("blocks") or []
        if _true(body.get("delete_original")) or _true(body.get("replace_original")):
            self._change_original(target, None if _true(body.get("delete_original")) else (text, blocks))
            return
        channel = self._channels.get(target.channel) or self._open_conversation([target.user])
        if body.get("response_type") == "in_channel":
            channel.messages.append({
                "type": "message", "ts": self._next_ts(), "channel": channel.id, "text": text, "blocks": blocks,
                "user": BOT_USER_ID, "bot_id": BOT_ID, "team": self.team_id, "thread_ts": body.get("thread_ts"),
                "reply_broadcast": False, "metadata": None,
            })
        else:
            self._ephemerals.append({"message_ts": self._next_ts(), "channel": channel.id, "user": target.user,
                                     "text": text, "blocks": blocks, "thread_ts": body.get("thread_ts")})

    def _change_original(self, target: _Target, content: tuple[str, list[Any]] | None) -> None:
        if target.ephemeral:
            found = next((e for e in self._ephemerals if e["message_ts"] == target.message_ts), None)
            if found is not None:
                if content is None:
                    self._ephemerals.remove(found)
                else:
                    found.update(text=content[0], blocks=content[1])
            return
        channel = self._channels.get(target.channel)
        message = next((m for m in channel.messages if m["ts"] == target.message_ts), None) if channel else None
        if channel is None or message is None:
            return
        if content is None:
            channel.messages.remove(message)
        else:
            message.update(text=content[0], blocks=content[1])


def _true(value: Any) -> bool:
    return value is True or value == "true"
