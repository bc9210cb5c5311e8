"""A local Slack: the Web API methods QI Commons calls, answered from an in-memory workspace.

The app under test (or a person trying the bot) points `SLACK_API_URL` at `api_url`. Every call is
recorded, state changes like Slack's (messages, views, files, DMs), and any method can be made to
fail on purpose (429 + Retry-After, 5xx, a Slack error, a slow answer) to exercise the unhappy paths.
Errors mirror Slack's names and its habit of answering HTTP 200 with `{"ok": false}`.

It refuses what Slack refuses, by default:

- Block Kit limits on every message, view and response_url post (sandbox/limits.py), answered
  `invalid_blocks` with Slack's `errors` and `response_metadata.messages` (a view: `invalid_arguments`;
  a response_url: HTTP 400 `invalid_blocks`); blocks sent without a block_id get one, as in Slack;
- a trigger_id is good once, within 3 s of the request that carried it (`issue_trigger`);
- a response_url is good for 5 posts within 30 minutes;
- without `chat:write.public` the bot posts only where it is a member; a private channel it is not in
  does not exist (`channel_not_found`); an ephemeral goes only to a member of the channel
  (`user_not_in_channel`);
- a file a member picks in a `file_input` (`add_user_file`) comes back in view_submission state as Slack
  sends it, and its `url_private` answers only a bearer bot token with `files:read` (otherwise, as
  Slack does, a redirect to the sign-in page);
- Slack Connect people (another team, no e-mail or timezone shown) and Enterprise Grid people
  (`W…` ids, `enterprise_user`) are `add_user(..., team_id=..., enterprise_id=...)`.

Rate limits are the one thing off unless asked for (`rate_limits=True`): the suite posts in bursts
that Slack would pace, and a test that waits out Retry-After is slow. The tests of the stand-in
itself, bench/fanout.py and the browser sandbox (`qi-commons sandbox`) turn them on: per method and
workspace by Slack's tiers, and chat.postMessage about one a second per channel (`RateLimits`).

Time (trigger and response_url lifetimes, rate limits) is the stand-in's own clock, `now()`: a
test moves it with `advance(seconds)`.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web

from sandbox.limits import generated_block_id, message_problems, view_problems
from sandbox.rates import RateLimits

BOT_USER_ID = "UBOTQI"
BOT_ID = "BQICOMMONS"
APP_ID = "AQICOMMONS"
COMMUNITY_CHANNEL_ID = "C0COMMUNITY"
DEFAULT_MEMBER_ID = "U0MEMBER1"
WORKSPACE_URL = "https://qi-commons.slack.com/"

# Form-encoded callers send structured arguments as JSON strings; JSON callers send them as-is.
_JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")
_RESPONSE_URL_USES = 5
_RESPONSE_URL_LIFETIME = 30 * 60  # seconds
_TRIGGER_LIFETIME = 3  # seconds
# What the app's manifest asks for (manifest.yml); a test can install the app with fewer.
DEFAULT_SCOPES = frozenset({"commands", "chat:write", "chat:write.public", "channels:join", "channels:read",
                            "groups:read", "channels:history", "groups:history", "im:history", "im:write",
                            "mpim:write", "users:read", "users:read.email", "files:write", "files:read"})
# Fixed epoch so message timestamps (and golden fixtures built from them) repeat run to run.
_TS_EPOCH_MICROS = 1_700_000_000_000_000


class SlackError(Exception):
    """A Web API error answered as `{"ok": false, "error": ...}`, with Slack's details of what was wrong."""

    def __init__(self, error: str, problems: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.problems = problems or []

    def answer(self) -> dict[str, Any]:
        if not self.problems:
            return {"ok": False, "error": self.error}
        answer: dict[str, Any] = {"ok": False, "error": self.error}
        if self.error == "invalid_blocks":
            answer["errors"] = list(self.problems)
        answer["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in self.problems]}
        return answer


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    failed: bool = False
    status: int = 200
    error: str | None = None


@dataclass(frozen=True)
class StoredFile:
    id: str
    title: str
    filename: str
    channel: str | None
    content: bytes
    initial_comment: str | None
    thread_ts: str | None
    alt_txt: str | None = None  # what a screen reader says for an image


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int | None
    after_effect: bool = False  # the call takes effect, then the answer fails (a 5xx after the post)


@dataclass
class _Delay:
    seconds: float
    remaining: int | None


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None
    members: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        if self.is_im:
            return {"id": self.id, "created": 1700000000, "is_im": True, "is_org_shared": False,
                    "user": self.user, "is_user_deleted": False, "is_open": True}
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "created": 1700000000,
            "is_channel": not self.is_private,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_member": BOT_USER_ID in self.members,
            "num_members": len(self.members),
        }


_Injection = TypeVar("_Injection", _Failure, _Delay)


def _take(queue: list[_Injection]) -> _Injection | None:
    """Consume one use of the first queued failure/delay; `remaining=None` never runs out."""
    if not queue:
        return None
    item = queue[0]
    if item.remaining is not None:
        item.remaining -= 1
        if item.remaining <= 0:
            queue.pop(0)
    return item


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the Web API shows it: no stand-in bookkeeping, no empty fields."""
    hidden = ("channel", "reply_broadcast")
    return copy.deepcopy({k: v for k, v in message.items() if v not in (None, []) and k not in hidden})


def _named(blocks: list[Any]) -> list[Any]:
    """Blocks as Slack keeps them: one sent without a block_id gets one (what actions then carry)."""
    return [b if "block_id" in b else {**b, "block_id": generated_block_id(b, n)} for n, b in enumerate(blocks)]


def _stable_id(prefix: str, key: str) -> str:
    return prefix + hashlib.sha1(key.encode()).hexdigest()[:10].upper()


class SlackStandIn:
    """An aiohttp Slack Web API on 127.0.0.1; use `async with SlackStandIn() as slack:`."""

    def __init__(self, bot_token: str = "xoxb-test", team_id: str = "T0001", *, port: int = 0,
                 app_token: str = "xapp-test", host: str = "127.0.0.1", scopes: Iterable[str] = DEFAULT_SCOPES,
                 rate_limits: bool | RateLimits = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.bot_token = bot_token
        self.scopes = frozenset(scopes)
        self.rate_limits = RateLimits() if rate_limits is True else rate_limits or None
        self._clock = clock
        self._skew = 0.0
        self._host = host
        self.app_token = app_token
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.team_id = team_id
        self.enterprise_id: str | None = None  # set to make the workspace part of an Enterprise Grid org
        self.org_wide_install = False  # a token of an org-wide install: auth.test says is_enterprise_install
        self._port = port
        self._runner: web.AppRunner | None = None
        self._base: str | None = None
        self.calls: list[Call] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, _Channel] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home: dict[str, str] = {}
        self._issued_triggers: dict[str, float] = {}  # trigger_id -> when the request carrying it was sent
        self._used_triggers: set[str] = set()
        self.opened_views: list[dict[str, Any]] = []
        self._uploads: dict[str, dict[str, Any]] = {}
        self.files: list[StoredFile] = []
        self._user_files: dict[str, tuple[dict[str, Any], bytes]] = {}  # id -> (Slack's file object, content)
        self._response_urls: dict[str, list[dict[str, Any]]] = {}
        self._response_url_issued: dict[str, float] = {}
        self._responses: list[tuple[str, dict[str, Any]]] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, list[_Delay]] = {}
        self._counter = 0
        self._ts_micros = _TS_EPOCH_MICROS
        self._changed = asyncio.Event()
        self.add_channel(COMMUNITY_CHANNEL_ID, name="qi-commons")
        self.add_user(BOT_USER_ID, name="qi-commons", real_name="QI Commons", is_bot=True)
        self.add_user(DEFAULT_MEMBER_ID, name="member", real_name="Dr. Member", email="member@hospital.example")

    # -- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/files-pri/{team_file}/{name}", self._handle_file_download)
        app.router.add_get("/files-pri/{team_file}/download/{name}", self._handle_file_download)
        app.router.add_get("/signin", self._handle_signin)
        app.router.add_post("/response/{n}", self._handle_response_url)
        app.router.add_get("/socket", self._handle_socket)
        self._add_routes(app)
        # A short shutdown grace so a test's stop() never waits on a deliberately delayed answer.
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        host, port = self._runner.addresses[0][:2]
        self._base = f"http://{host}:{port}/"

    def _add_routes(self, app: web.Application) -> None:
        """More routes on the same server; the browser workspace (sandbox.workspace) adds its page here."""

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._base is None:
            raise RuntimeError("SlackStandIn is not started")
        return self._base

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    # -- seeding -----------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        email: str | None = None,
        tz: str | None = "America/Toronto",
        tz_offset: int | None = None,
        is_admin: bool = False,
        is_bot: bool = False,
        team_id: str | None = None,
        enterprise_id: str | None = None,
        enterprise_name: str = "Sandbox Org",
        teams: Iterable[str] | None = None,
        channels: Iterable[str] = (COMMUNITY_CHANNEL_ID,),
    ) -> dict[str, Any]:
        """A person (or bot) of the workspace, a member of `channels` (the community channel by default).

        `team_id` other than the workspace's is a Slack Connect person from a partner organisation:
        Slack shows no e-mail for them and, unless given, no timezone. `enterprise_id` makes an
        Enterprise Grid person (ids start with W there) with Slack's `enterprise_user`, whose `teams`
        (their home team unless given) are the org's workspaces they belong to: a Grid colleague of
        another workspace who is also in ours lists ours there. Slack calls a person a stranger only
        when they are of another organisation: not in our workspace and not of our enterprise.
        """
        home_team = team_id or self.team_id
        real = real_name or name
        profile = _compact({"email": email, "real_name": real, "display_name": name,
                            "real_name_normalized": real, "display_name_normalized": name, "team": home_team})
        user: dict[str, Any] = {
            "id": user_id, "team_id": home_team, "name": name, "real_name": real, "deleted": False,
            "is_admin": is_admin, "is_owner": False, "is_bot": is_bot, "is_app_user": False, "profile": profile,
        }
        if tz is not None:
            now = datetime.now(UTC).astimezone(ZoneInfo(tz))
            offset = tz_offset if tz_offset is not None else int((now.utcoffset() or timedelta()).total_seconds())
            user.update(tz=tz, tz_label=now.tzname(), tz_offset=offset)
        their_teams = list(teams or [home_team])
        if self.team_id not in their_teams and (enterprise_id is None or enterprise_id != self.enterprise_id):
            user["is_stranger"] = True  # what users.info says of someone from another organisation
        if enterprise_id is not None:
            user["enterprise_user"] = {"id": user_id, "enterprise_id": enterprise_id,
                                       "enterprise_name": enterprise_name, "is_admin": is_admin,
                                       "is_owner": False, "teams": their_teams}
        self._users[user_id] = user
        for channel_id in channels if not is_bot else ():
            self.join(channel_id, user_id)
        return user

    def join(self, channel_id: str, user_id: str) -> None:
        """Make `user_id` a member of a channel (a person joining it; the bot being invited)."""
        self._channels[channel_id].members.add(user_id)

    def leave(self, channel_id: str, user_id: str) -> None:
        self._channels[channel_id].members.discard(user_id)

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        is_private: bool = False,
        bot_member: bool = True,
        is_archived: bool = False,
        members: Iterable[str] = (),
    ) -> None:
        """A channel; `members` are the people in it besides the bot (`bot_member`)."""
        joined = {BOT_USER_ID} if bot_member else set()
        self._channels[channel_id] = _Channel(channel_id, name, is_private, is_archived, members=joined | set(members))

    # -- recording and state views -----------------------------------------------------------------

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        self.calls.clear()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Current messages of a channel (after updates and deletes), oldest first."""
        if channel not in self._channels:
            raise KeyError(f"no channel {channel!r} in the stand-in; known: {sorted(self._channels)}")
        return copy.deepcopy(self._channels[channel].messages)

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
        return [copy.deepcopy(e) for e in self._ephemerals
                if (user is None or e["user"] == user) and (channel is None or e["channel"] == channel)]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        view_id = self._home.get(user_id)
        return copy.deepcopy(self._views[view_id]) if view_id else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        view = self._views.get(view_id)
        return copy.deepcopy(view) if view else None

    def user(self, user_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self._users.get(user_id))

    def channel(self, channel_id: str) -> dict[str, Any] | None:
        """A channel as conversations.info describes it, or None."""
        found = self._channels.get(channel_id)
        return found.info() if found else None

    def dm_channel(self, user_id: str) -> str:
        """The bot's DM with `user_id` (opened if need be); the id is stable for a user."""
        return self._open_conversation([user_id]).id

    def response_url(self) -> str:
        """A fresh response_url, as Slack puts in a command or action: 5 posts within 30 minutes from now."""
        url = f"{self.url}response/{len(self._response_urls) + 1}"
        self._response_urls[url] = []
        self._response_url_issued[url] = self.now()
        return url

    def issue_trigger(self, trigger_id: str | None = None) -> str:
        """A trigger_id for a request Slack sends now; views.open/push take it once, within 3 s."""
        if trigger_id is None:
            # A count of its own: ids of views, files and DMs (and the fixtures that show them) stay put.
            n = len(self._issued_triggers) + 1
            trigger_id = f"{n}.{self.team_id}.{_stable_id('', str(n)).lower()}"
        self._issued_triggers[trigger_id] = self.now()
        return trigger_id

    # -- the stand-in's clock ----------------------------------------------------------------------

    def now(self) -> float:
        """Seconds on the stand-in's clock (trigger and response_url lifetimes, rate limits)."""
        return self._clock() + self._skew

    def advance(self, seconds: float) -> None:
        """Move the stand-in's clock on, as if `seconds` had passed for Slack."""
        self._skew += seconds

    def responses(self, url: str | None = None) -> list[dict[str, Any]]:
        """JSON bodies posted to response_url targets, all of them or those to `url`."""
        return [copy.deepcopy(body) for target, body in self._responses if url is None or target == url]

    # -- failure injection -------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        after_effect: bool = False,
    ) -> None:
        """Make the next `times` calls to `method` fail (None: until clear_failures).

        With `after_effect` the call still does what it asks (the message is posted) before the
        failure is answered, as when Slack's answer is lost on the way back.

        `method` is a Web API method or "response_url". Queued failures are used in order.
        """
        self._failures.setdefault(method, []).append(_Failure(status, error, retry_after, times, after_effect))

    def delay(self, method: str, seconds: float, times: int | None = 1) -> None:
        self._delays.setdefault(method, []).append(_Delay(seconds, times))

    def clear_failures(self) -> None:
        self._failures.clear()
        self._delays.clear()

    # -- waiting -----------------------------------------------------------------------------------

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Args of calls to `method` (failed ones included), once at least `count` match `where`."""

        def matching() -> list[dict[str, Any]]:
            return [a for a in self.calls_to(method) if where is None or where(a)]

        if await self._until(lambda: len(matching()) >= count, timeout):
            return matching()
        made = "\n".join(f"  {self._describe(c)}" for c in self.calls) or "  (none)"
        filtered = " matching `where`" if where else ""
        raise AssertionError(
            f"timed out after {timeout}s waiting for {count} call(s) to {method}{filtered}; "
            f"got {len(matching())}. Calls made:\n{made}"
        )

    async def wait_for_response(self, url: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        if await self._until(lambda: len(self.responses(url)) >= count, timeout):
            return self.responses(url)
        raise AssertionError(
            f"timed out after {timeout}s waiting for {count} post(s) to {url}; got {self.responses(url)}; "
            f"all response_url posts: {self._responses}"
        )

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until `condition()` holds for the workspace's state; False after `timeout` seconds."""
        return await self._until(condition, timeout)

    async def _until(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return condition()
        return True

    def _notify(self) -> None:
        # Waiters hold the old event; a fresh one makes the next wait block until the next change.
        self._changed.set()
        self._changed = asyncio.Event()

    @staticmethod
    def _describe(call: Call) -> str:
        args = json.dumps(call.args, default=str)
        args = args if len(args) <= 200 else args[:197] + "..."
        outcome = "ok" if not call.failed else (call.error or f"HTTP {call.status}")
        return f"{call.method} {args} -> {outcome}"

    # -- HTTP plumbing -----------------------------------------------------------------------------

    async def _injected(self, method: str) -> _Failure | None:
        delay = _take(self._delays.get(method, []))
        if delay is not None:
            await asyncio.sleep(delay.seconds)
        return _take(self._failures.get(method, []))

    async def _handle_api(self, request: web.Request) -> web.Response:
        at = time.time()
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.method == "POST":
            args.update(await request.post())
        for key in _JSON_ARGS:
            if isinstance(args.get(key), str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass  # left as sent: the method answers invalid_arguments / invalid_blocks
        token = args.pop("token", None)
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ")

        failure = await self._injected(method)
        if failure is None and self.rate_limits is not None:
            channel = args.get("channel") if isinstance(args.get("channel"), str) else None
            wait = self.rate_limits.retry_after(method, channel, self.now())
            if wait is not None:
                failure = _Failure(429, "ratelimited", wait, None)
        status, headers = 200, {}
        if failure is not None and failure.after_effect:
            self._answer(method, args, token)
        if failure is not None:
            status = failure.status
            error = failure.error or ("ratelimited" if status == 429 else None)
            retry_after = failure.retry_after if failure.retry_after is not None else (1 if status == 429 else None)
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
            payload: dict[str, Any] | None = {"ok": False, "error": error} if error else None
        else:
            payload = self._answer(method, args, token)
            error = payload.get("error")

        self.calls.append(Call(method, args, dict(request.headers), at, failed=failure is not None or error is not None,
                               status=status, error=error))
        self._notify()
        if payload is None:
            # A proxy-style failure without a Slack body, as a real 5xx usually is.
            return web.Response(status=status, text=f"{status} stand-in failure", headers=headers)
        return web.json_response(payload, status=status, headers=headers)

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token:
            return {"ok": False, "error": "not_authed"}
        if method == "apps.connections.open":
            # Socket Mode: only the app-level token may open a connection.
            if token != self.app_token:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://{self.url.removeprefix('http://')}socket?ticket={self._next_id('tk')}"}
        if token != self.bot_token:
            return {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            return {"ok": True, **handler(args)}
        except SlackError as e:
            return e.answer()

    # -- Socket Mode ---------------------------------------------------------------------------------

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()  # answers the client's pings itself (autoping)
        await socket.prepare(request)
        self._sockets.append(socket)
        self._notify()
        await socket.send_json({"type": "hello", "num_connections": len(self._sockets),
                                "connection_info": {"app_id": APP_ID}, "debug_info": {"host": "standin"}})
        try:
            async for message in socket:
                if message.type != web.WSMsgType.TEXT:
                    continue
                ack = json.loads(message.data)
                waiter = self._socket_acks.pop(ack.get("envelope_id", ""), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(ack)
        finally:
            self._sockets.remove(socket)
            self._notify()
        return socket

    @property
    def socket_connections(self) -> int:
        return len(self._sockets)

    async def wait_for_socket(self, timeout: float = 10.0) -> None:
        if not await self._until(lambda: bool(self._sockets), timeout):
            raise AssertionError(f"no Socket Mode connection within {timeout} s")

    async def socket_send(self, envelope_type: str, payload: dict[str, Any], *, timeout: float = 5.0) -> dict[str, Any]:
        """Push an envelope (`slash_commands`, `interactive` or `events_api`) and return the app's ack."""
        if not self._sockets:
            raise AssertionError("no Socket Mode connection")
        envelope_id = self._next_id("env")
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._socket_acks[envelope_id] = waiter
        await self._sockets[-1].send_json({"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                                           "accepts_response_payload": envelope_type != "events_api",
                                           "retry_attempt": 0, "retry_reason": ""})
        return await asyncio.wait_for(waiter, timeout)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        upload = self._uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="file_not_found")
        upload["content"] = await request.read()
        return web.Response(text=f"OK - {len(upload['content'])}")

    def add_user_file(self, user_id: str, name: str, content: bytes, *, mimetype: str | None = None) -> dict[str, Any]:
        """A file a member picked in a modal's `file_input`: Slack's file object, as the element's state
        in view_submission carries it (`state_values(x={"value": {"files": [file]}})`)."""
        file_id = self._next_id("F")
        stem = f"{self.url}files-pri/{self.team_id}-{file_id}"
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
        found = {
            "id": file_id, "created": 1700000000, "timestamp": 1700000000, "name": name, "title": name,
            "mimetype": mimetype or mimetypes.guess_type(name)[0] or "text/plain", "filetype": filetype,
            "pretty_type": filetype.upper(), "user": user_id, "user_team": self.team_id, "editable": True,
            "size": len(content), "mode": "snippet" if filetype in ("csv", "text", "txt") else "hosted",
            "is_external": False, "external_type": "", "is_public": False, "public_url_shared": False,
            "display_as_bot": False, "username": "", "url_private": f"{stem}/{name}",
            "url_private_download": f"{stem}/download/{name}",
            "permalink": f"{WORKSPACE_URL}files/{user_id}/{file_id}/{name}",
            "permalink_public": f"https://slack-files.com/{self.team_id}-{file_id}-0a1b2c3d4e",
            "comments_count": 0, "is_starred": False, "shares": {}, "channels": [], "groups": [], "ims": [],
            "has_more_shares": False, "has_rich_preview": False, "file_access": "visible",
        }
        self._user_files[file_id] = (found, content)
        return copy.deepcopy(found)

    async def _handle_file_download(self, request: web.Request) -> web.Response:
        """A file's url_private: only with the bot token in `Authorization: Bearer` and the files:read
        scope. Slack answers anything else with a redirect to the workspace's sign-in page (an HTML
        page, status 200), so a client that follows redirects gets HTML instead of the file."""
        team, _, file_id = request.match_info["team_file"].partition("-")
        found = self._user_files.get(file_id)
        self.calls.append(Call("files-pri", {"file": file_id}, dict(request.headers), time.time()))
        authorization = request.headers.get("Authorization", "")
        if (authorization != f"Bearer {self.bot_token}" or "files:read" not in self.scopes
                or found is None or team != self.team_id or found[0]["name"] != request.match_info["name"]):
            raise web.HTTPFound(f"{self.url}signin?redir={request.path}")
        return web.Response(body=found[1], content_type=found[0]["mimetype"])

    async def _handle_signin(self, request: web.Request) -> web.Response:
        return web.Response(text="<!DOCTYPE html><html><head><title>Sign in | Slack</title></head>"
                                 "<body>Sign in to qi-commons</body></html>", content_type="text/html")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        url = str(request.url)
        bodies = self._response_urls.get(url)
        if bodies is None:
            return web.Response(status=404, text="no_service")
        failure = await self._injected("response_url")
        if failure is not None:
            return web.Response(status=failure.status, text=failure.error or "stand-in failure")
        if self.now() - self._response_url_issued[url] > _RESPONSE_URL_LIFETIME:
            return web.Response(status=404, text="expired_url")
        if len(bodies) >= _RESPONSE_URL_USES:
            return web.Response(status=404, text="used_url")
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        # Slack's webhooks answer in plain text: the error's name, and nothing is posted.
        if message_problems(body):
            return web.Response(status=400, text="invalid_blocks")
        if not (body.get("text") or body.get("blocks") or body.get("attachments") or _flag(body.get("delete_original"))):
            return web.Response(status=400, text="no_text")
        bodies.append(body)
        self._responses.append((url, body))
        self._notify()
        return web.Response(text="ok")

    def show_ack(self, response_url: str, ack: dict[str, Any] | None) -> bool:
        """A slash command's ack that carries a message: Slack shows it to the member as it shows a
        response_url post (without using up the URL), and shows nothing for a message it would refuse."""
        if not ack or not (ack.get("text") or ack.get("blocks")) or message_problems(ack):
            return False
        self._responses.append((response_url, ack))
        self._notify()
        return True

    # -- workspace helpers -------------------------------------------------------------------------

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:09d}"

    def _next_ts(self) -> str:
        self._ts_micros += 100
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def _known_user(self, user_id: Any) -> dict[str, Any]:
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise SlackError("user_not_found")
        return user

    def _open_conversation(self, users: list[str]) -> _Channel:
        others = sorted(set(users) - {BOT_USER_ID})
        if not others:
            raise SlackError("cannot_dm_bot")
        if len(others) == 1:
            channel_id = _stable_id("D", others[0])
            if channel_id not in self._channels:
                self._channels[channel_id] = _Channel(channel_id, others[0], is_private=True, is_im=True,
                                                      user=others[0], members={BOT_USER_ID, others[0]})
        else:
            channel_id = _stable_id("G", ",".join(others))
            if channel_id not in self._channels:
                name = "mpdm-" + "--".join(self._users[u]["name"] for u in others) + "-1"
                self._channels[channel_id] = _Channel(channel_id, name, is_private=True, is_mpim=True,
                                                      members={BOT_USER_ID, *others})
        return self._channels[channel_id]

    def _visible(self, channel_id: Any) -> _Channel:
        # A private channel the bot is not in does not exist as far as the bot can tell.
        found = self._channels.get(channel_id) if isinstance(channel_id, str) else None
        if found is None or (found.is_private and BOT_USER_ID not in found.members):
            raise SlackError("channel_not_found")
        return found

    def _postable(self, channel_id: Any, *, public_scope: bool = False) -> _Channel:
        """Where the bot may post; `public_scope` when `chat:write.public` lets it post in any public channel."""
        if isinstance(channel_id, str) and channel_id in self._users:
            return self._open_conversation([channel_id])  # Slack posts to the DM when given a user id
        found = self._visible(channel_id)
        if found.is_archived:
            raise SlackError("is_archived")
        allowed = public_scope and not found.is_private and "chat:write.public" in self.scopes
        if BOT_USER_ID not in found.members and not allowed:
            raise SlackError("not_in_channel")
        return found

    def _message(self, channel: _Channel, ts: str) -> dict[str, Any]:
        for message in channel.messages:
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    @staticmethod
    def _content(args: dict[str, Any]) -> tuple[str, list[Any]]:
        """A message's text and blocks as Slack stores them, or Slack's refusal."""
        if problems := message_problems(args):
            raise SlackError("invalid_blocks", problems)
        text, blocks = args.get("text") or "", args.get("blocks") or []
        if not text and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        return text, _named(blocks)

    @staticmethod
    def _new_view(args: dict[str, Any], kind: str | None) -> dict[str, Any]:
        view = args.get("view")
        if not isinstance(view, dict) or (kind is not None and view.get("type") != kind):
            raise SlackError("invalid_arguments", [f"must be a {kind or 'modal or home'} view [json-pointer:/view]"])
        if problems := view_problems(view):
            raise SlackError("invalid_arguments", problems)
        return {**view, "blocks": _named(view.get("blocks") or [])}

    def _store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or self._next_id("V")
        self._counter += 1
        stored = {
            "id": view_id, "team_id": self.team_id, "type": view["type"], "blocks": [], "private_metadata": "",
            "callback_id": "", "external_id": "", "state": {"values": {}}, "clear_on_close": False,
            "notify_on_close": False, "root_view_id": view_id, "previous_view_id": None, "app_id": APP_ID,
            "app_installed_team_id": self.team_id, "bot_id": BOT_ID, **view,
            "hash": f"1700000000.{self._counter:08d}",
        }
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    def _use_trigger(self, args: dict[str, Any]) -> str:
        trigger_id = args.get("trigger_id")
        if not trigger_id:
            raise SlackError("invalid_arguments")
        if trigger_id not in self._issued_triggers:
            raise SlackError("invalid_trigger_id")
        if trigger_id in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        if self.now() - self._issued_triggers[trigger_id] > _TRIGGER_LIFETIME:
            raise SlackError("expired_trigger_id")
        self._used_triggers.add(trigger_id)
        return trigger_id

    # -- Web API methods (`_api_` + method with dots as underscores) --------------------------------

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = {"url": WORKSPACE_URL, "team": "QI Commons", "user": "qi-commons", "team_id": self.team_id,
                  "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": self.org_wide_install}
        if self.enterprise_id is not None:
            answer["enterprise_id"] = self.enterprise_id
        if self.org_wide_install:
            answer["team_id"] = None  # an org-level token belongs to the org, not to one workspace
        return answer

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(args.get("channel"), public_scope=True)
        text, blocks = self._content(args)
        thread_ts = args.get("thread_ts") or None
        message = {
            "type": "message", "ts": self._next_ts(), "channel": channel.id, "text": text, "blocks": blocks,
            "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "team": self.team_id,
            "thread_ts": thread_ts, "reply_broadcast": bool(thread_ts) and _flag(args.get("reply_broadcast")),
            "metadata": args.get("metadata"),
        }
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": _public(message)}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(args.get("channel"))
        user = self._known_user(args.get("user"))
        if user["id"] not in channel.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self._content(args)
        ephemeral = {"message_ts": self._next_ts(), "channel": channel.id, "user": user["id"], "text": text,
                     "blocks": blocks, "thread_ts": args.get("thread_ts") or None}
        self._ephemerals.append(ephemeral)
        return {"message_ts": ephemeral["message_ts"]}

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible(args.get("channel"))
        message = self._message(channel, args.get("ts"))
        text, blocks = self._content(args)
        message.update(text=text, blocks=blocks)
        return {"channel": channel.id, "ts": message["ts"], "text": text,
                "message": _public(message)}

    def _api_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible(args.get("channel"))
        channel.messages.remove(self._message(channel, args.get("ts")))
        return {"channel": channel.id, "ts": args["ts"]}

    def _api_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible(args.get("channel"))
        message = self._message(channel, args.get("message_ts"))
        permalink = f"{WORKSPACE_URL}archives/{channel.id}/p{message['ts'].replace('.', '')}"
        if message["thread_ts"] and message["thread_ts"] != message["ts"]:
            permalink += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
        return {"channel": channel.id, "permalink": permalink}

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"channel": {"id": self._visible(args["channel"]).id}, "no_op": True, "already_open": True}
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        for user_id in users:
            self._known_user(user_id)
        channel = self._open_conversation(users)
        return {"channel": channel.info() if _flag(args.get("return_im")) else {"id": channel.id}}

    def _api_conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channels.get(str(args.get("channel")))
        if channel is None:
            raise SlackError("channel_not_found")
        if channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise SlackError("is_archived")
        already = BOT_USER_ID in channel.members
        channel.members.add(BOT_USER_ID)
        return {"channel": channel.info(), **({"warning": "already_in_channel"} if already else {})}

    def _api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages (and thread replies also sent to the channel), newest first, as Slack does."""
        channel = self._visible(args.get("channel"))
        shown = [m for m in channel.messages if not m["thread_ts"] or m["thread_ts"] == m["ts"] or m["reply_broadcast"]]
        return self._page(shown, args)

    def _api_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent first, then the replies, oldest first, as Slack does."""
        channel = self._visible(args.get("channel"))
        parent = self._message(channel, args.get("ts"))
        thread = [parent, *(m for m in channel.messages if m["thread_ts"] == parent["ts"] and m is not parent)]
        return self._page(thread, args, newest_first=False)

    @staticmethod
    def _page(messages: list[dict[str, Any]], args: dict[str, Any], *, newest_first: bool = True) -> dict[str, Any]:
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        limit = int(args.get("limit") or 100)
        kept = [m for m in messages if oldest < float(m["ts"]) < latest]
        kept.sort(key=lambda m: float(m["ts"]), reverse=newest_first)
        # Slack leaves message metadata out unless asked for it.
        with_metadata = _flag(args.get("include_all_metadata"))
        shown = [{k: v for k, v in _public(m).items() if with_metadata or k != "metadata"} for m in kept[:limit]]
        return {"messages": shown, "has_more": len(kept) > limit}

    def _api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self._visible(args.get("channel")).info()}

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._new_view(args, "modal")
        external_id = view.get("external_id")
        if external_id and any(v["external_id"] == external_id for v in self._views.values()):
            raise SlackError("duplicate_external_id")
        trigger_id = self._use_trigger(args)
        stored = self._store_view(view)
        self.opened_views.append({"method": "views.open", "trigger_id": trigger_id, "view": stored})
        return {"view": stored}

    def _api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._new_view(args, "modal")
        trigger_id = self._use_trigger(args)
        stored = self._store_view(view)
        self.opened_views.append({"method": "views.push", "trigger_id": trigger_id, "view": stored})
        return {"view": stored}

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._new_view(args, None)
        view_id = args.get("view_id") or next(
            (v["id"] for v in self._views.values() if args.get("external_id") and
             v["external_id"] == args["external_id"]), None)
        current = self._views.get(view_id or "")
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        kept = {"type": current["type"], "external_id": current["external_id"],
                "root_view_id": current["root_view_id"], "previous_view_id": current["previous_view_id"]}
        return {"view": self._store_view({**kept, **view}, view_id)}

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._known_user(args.get("user_id"))
        view = self._new_view(args, "home")
        current = self._views.get(self._home.get(user["id"], ""))
        if current and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = self._store_view(view, current["id"] if current else None)
        self._home[user["id"]] = stored["id"]
        return {"view": stored}

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": copy.deepcopy(self._known_user(args.get("user")))}

    def _api_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email") or "").lower()
        for user in self._users.values():
            if user["profile"].get("email", "").lower() == email and email:
                return {"user": copy.deepcopy(user)}
        raise SlackError("users_not_found")

    def _api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not str(args.get("length") or "").isdigit():
            raise SlackError("invalid_arguments")
        file_id = self._next_id("F")
        self._uploads[file_id] = {"filename": args["filename"], "length": int(args["length"]), "content": None,
                                  "alt_txt": args.get("alt_txt")}
        return {"upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}

    def _api_files_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        """The file goes, and with it its place in the message that shared it (Slack leaves the comment)."""
        found = next((f for f in self.files if f.id == args.get("file")), None)
        if found is None:
            raise SlackError("file_not_found")
        self.files.remove(found)
        for channel in self._channels.values():
            for message in channel.messages:
                if message.get("files"):
                    message["files"] = [f for f in message["files"] if f["id"] != found.id]
        return {}

    def _api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments")
        uploads: list[dict[str, Any]] = []
        for entry in entries:
            upload = self._uploads.get(entry.get("id")) if isinstance(entry, dict) else None
            if upload is None or upload["content"] is None:
                raise SlackError("file_not_found")
            uploads.append(upload)
        channel = self._postable(args["channel_id"]) if args.get("channel_id") else None
        thread_ts = args.get("thread_ts") or None
        comment = args.get("initial_comment") or None
        answered = []
        for entry, upload in zip(entries, uploads, strict=True):
            stored = StoredFile(entry["id"], entry.get("title") or upload["filename"], upload["filename"],
                                channel.id if channel else None, upload["content"], comment, thread_ts,
                                upload["alt_txt"])
            self.files.append(stored)
            answered.append({
                "id": stored.id, "created": 1700000000, "name": stored.filename, "title": stored.title,
                "mimetype": mimetypes.guess_type(stored.filename)[0] or "application/octet-stream",
                "size": len(stored.content), "user": BOT_USER_ID,
                "permalink": f"{WORKSPACE_URL}files/{BOT_USER_ID}/{stored.id}/{stored.filename}",
                "channels": [stored.channel] if stored.channel else [],
            })
        if channel is not None:
            channel.messages.append({
                "type": "message", "ts": self._next_ts(), "channel": channel.id, "text": comment or "",
                "blocks": [], "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "team": self.team_id,
                "thread_ts": thread_ts, "reply_broadcast": False, "metadata": None,
                "files": [{"id": f["id"], "name": f["name"], "title": f["title"]} for f in answered],
            })
        return {"files": answered}
