"""The outbox: Slack calls we owe, written down before they are made and retried until they land.

A call is stored as a pending row (in the transaction of the change it announces), then tried at
once or by the drain. Each attempt leases the row with a conditional UPDATE (`leased_until`), so the
sender and any number of drainers never send one row twice at the same moment, and marks it *in
flight* before calling Slack:

- a clear answer ends the attempt: success (sent), a refusal Slack will repeat (`channel_not_found`,
  ...: dead, and the purpose's `on_dead` hook runs once), or a "not now" (429 with Retry-After, a
  Slack error that says it did nothing: pending with a backoff);
- anything else (timeout, connection reset, a 5xx, the process killed mid-call) may have posted. The
  row stays in flight; before it is tried again, a `chat.postMessage` is looked up in its channel by
  the outbox id it carries in its message `metadata`, and recorded if found instead of posted twice.

The outbox makes no retries inside a call (its client has no retry handlers): a long Retry-After is
a later attempt, never a sleep that outlives the lease. After an outage the first success makes the
rest due at once, and a channel's posts go out oldest first.

A drain keeps going while rows are due, so a fan-out (a nudge to thousands of members) goes out at
the pace Slack allows rather than a batch per drain tick: once Slack answers a method 429, the rest
of that method's rows wait out its Retry-After (held rows are not leased, so no lease is at risk)
instead of each being refused in turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import bindparam, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.clock import Clock
from bot.core.slack.payloads import GatedWebClient
from storage.db import Database
from storage.models import OutboxMessage, Workspace

log = logging.getLogger(__name__)

CALL_TIMEOUT = 10  # seconds; the lease below must outlast one call, and a call makes no retries
# Short, so a row a killed process left in flight is looked up again within half a minute of a restart.
LEASE = timedelta(seconds=20)
# Short and capped: after an outage everything is due again within half a minute.
BACKOFF = (timedelta(seconds=5), timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=30))
MAX_RETRY_AFTER = timedelta(minutes=10)
# A drain waits out a Retry-After this short itself and carries on; a longer one is left to a later drain.
DRAIN_PAUSE = timedelta(seconds=5)
# Delivered and abandoned rows still hold message text; keep them only long enough to investigate.
RETENTION = timedelta(days=30)
# Slack answered, and did nothing: safe to try again later.
NOT_NOW = {"ratelimited", "service_unavailable", "request_timeout", "fatal_error", "internal_error"}
METADATA_TYPE = "qi_commons_outbox"
# The lookup reads the channel's newest messages (a thread's first ones) rather than a time window,
# so it does not depend on our clock agreeing with Slack's; a lost attempt is at most minutes old.
LOOKUP_LIMIT = 200

SentHook = Callable[[AsyncSession, OutboxMessage, dict[str, Any]], Awaitable[None]]
DeadHook = Callable[[AsyncSession, OutboxMessage], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    outbox_id: int
    status: str  # sent | pending | dead | held (the app is not installed: kept until a reinstall)
    data: dict[str, Any] | None = None
    error: str | None = None
    retry_after: timedelta | None = None  # Slack said when to try again (429)

    @property
    def sent(self) -> bool:
        return self.status == "sent"


@dataclass(frozen=True)
class Lease:
    """A row leased for one try, in the transaction that took it; `deliver` makes the call after that commit
    without reading the row back. `in_flight`: an earlier attempt may have made the call already."""

    outbox_id: int
    method: str
    args: dict[str, Any]
    in_flight: datetime | None
    until: datetime


@dataclass(frozen=True)
class _Outcome:
    """What one call to Slack told us."""

    data: dict[str, Any] | None = None  # set on success
    error: str | None = None
    maybe_sent: bool = False  # no clear answer: the call may have gone through
    retry_after: timedelta | None = None


class Outbox:
    def __init__(self, db: Database, client: AsyncWebClient, clock: Clock, *,
                 may_join: Callable[[str], bool] = lambda channel: False) -> None:
        self.db, self.clock = db, clock
        # Our own client without retry handlers: the outbox is the retry, with its own lease.
        self.client = GatedWebClient(token=client.token, base_url=client.base_url, timeout=CALL_TIMEOUT)
        # Which public channels the bot may add itself to (the community channel an admin configured);
        # anywhere else it waits to be invited.
        self.may_join = may_join
        self._on_sent: dict[str, SentHook] = {}
        self._on_dead: dict[str, DeadHook] = {}
        # Whether rows may be waiting out a backoff: after a failure here, and at start (an earlier run may
        # have left some). Until then a success has no backoffs to cut short, and skips the UPDATE.
        self._backing_off = True

    def on_sent(self, purpose: str, hook: SentHook) -> None:
        """Run `hook` in the same transaction that marks a `purpose` row sent (e.g. store the ts)."""
        self._on_sent[purpose] = hook

    def on_dead(self, purpose: str, hook: DeadHook) -> None:
        self._on_dead[purpose] = hook

    async def enqueue(self, session: AsyncSession, *, team_id: str, method: str, args: dict[str, Any],
                      purpose: str | None = None, subject_id: int | None = None) -> OutboxMessage:
        """Add a call inside the caller's transaction (so it commits with the data it is about).

        The row is due at once; `send` or the drain picks it up.
        """
        now = self.clock.now()
        channel = args.get("channel") if isinstance(args.get("channel"), str) else None
        row = OutboxMessage(team_id=team_id, method=method, args=args, purpose=purpose, subject_id=subject_id,
                            channel_id=channel, status="pending", attempts=0, created_at=now, next_attempt_at=now)
        session.add(row)
        await session.flush()
        return row

    async def send(self, *, team_id: str, method: str, args: dict[str, Any], purpose: str | None = None,
                   subject_id: int | None = None) -> Delivery:
        """Store the call, leased for its first try in the same transaction, then try it now."""
        async with self.db.session() as session, session.begin():
            row = await self.enqueue(session, team_id=team_id, method=method, args=args, purpose=purpose,
                                     subject_id=subject_id)
            taken = await self.take(session, row)
        return await self.deliver(taken)

    async def pending(self, purpose: str, subject_id: int) -> list[int]:
        """The rows still owed for `subject_id` under `purpose`, oldest first."""
        async with self.db.session() as session:
            return list((await session.scalars(select(OutboxMessage.id).where(
                OutboxMessage.purpose == purpose, OutboxMessage.subject_id == subject_id,
                OutboxMessage.status == "pending").order_by(OutboxMessage.id))).all())

    async def attempt(self, outbox_id: int) -> Delivery:
        """One attempt at a row, unless another worker holds it or an older post to its channel is stuck."""
        async with self.db.session() as session, session.begin():
            row = await session.get(OutboxMessage, outbox_id)
            if row is None or row.status != "pending":
                return Delivery(outbox_id, row.status if row else "dead")
            taken = await self.take(session, row)
        return await self.deliver(taken)

    async def take(self, session: AsyncSession, row: OutboxMessage) -> Lease | Delivery:
        """Lease a pending row in the caller's transaction, to be delivered once it commits (never call Slack
        inside it); a Delivery saying why when it is not to be tried now.

        Taken in the transaction that stored the row, a share's post costs no transaction of its own.
        """
        now = self.clock.now()
        in_flight = row.in_flight_since  # the lease overwrites it; the lookup before a retry needs it
        # Every check is in the one conditional UPDATE, so the usual case (nothing in the way) costs one
        # round trip, not three; only a row it does not lease is looked at again to say why.
        leased = await session.execute(_LEASE, {"row_id": row.id, "now": now, "until": now + LEASE})
        if leased.rowcount == 1:
            return Lease(row.id, row.method, dict(row.args), in_flight, now + LEASE)
        if await session.scalar(select(_SHUT_OUT)):
            # The app was uninstalled or its token revoked: keep the call, don't try it on a dead token.
            row.status = "held"
            return Delivery(row.id, "held", error="the app is not installed")
        if await session.scalar(select(_older_than(_ROW)).where(_ROW.id == row.id)):
            return Delivery(row.id, "pending", error="an older post to this channel goes first")
        return Delivery(row.id, "pending", error="leased elsewhere")

    async def deliver(self, taken: Lease | Delivery) -> Delivery:
        """Make the call of a row `take` leased, its transaction committed; what `take` said instead, as it is."""
        if isinstance(taken, Delivery):
            return taken
        if self.clock.now() + timedelta(seconds=CALL_TIMEOUT) >= taken.until:
            # Too long since the lease was taken (a machine far behind): a call now could outlast it and
            # meet a drainer's. The lease lapses, and the drain looks for the post before sending it.
            return Delivery(taken.outbox_id, "pending", error="lease ran short")
        return await self._deliver(taken.outbox_id, taken.method, taken.args, taken.in_flight)

    async def _deliver(self, outbox_id: int, method: str, args: dict[str, Any], in_flight: datetime | None
                       ) -> Delivery:
        """The call for a leased row; `in_flight` when an earlier attempt may have made it already."""
        if in_flight is not None and method == "chat.postMessage":
            # An earlier attempt may have posted it: look before posting again.
            copies = await self._find_copies(outbox_id, args)
            if copies is None:
                return await self._finish(outbox_id, _Outcome(error="lookup failed", maybe_sent=True))
            if copies:
                data = {"ok": True, "channel": copies[0]["channel"], "ts": copies[0]["ts"], "found": True}
                return await self._finish(outbox_id, _Outcome(data=data), copies=[c["ts"] for c in copies])
        outcome = await self._call(outbox_id, method, args)
        return await self._finish(outbox_id, outcome)

    async def drain(self, limit: int = 200) -> int:
        """Try every due pending row, oldest first, keeping each channel's order; returns how many were sent.

        Rounds of `limit` rows follow each other while rows are due and some go out, pausing for a
        short Retry-After, so a queue of thousands drains at Slack's pace, not `limit` per drain.
        """
        sent = 0
        while True:
            round_sent, tried, retry_after = await self._drain_round(limit)
            sent += round_sent
            if retry_after is not None and retry_after <= DRAIN_PAUSE:
                await asyncio.sleep(retry_after.total_seconds())
                continue
            if retry_after is not None or tried < limit or round_sent == 0:
                return sent

    async def _drain_round(self, limit: int) -> tuple[int, int, timedelta | None]:
        """One batch of due rows: (sent, tried, the Retry-After Slack asked for, if it asked).

        A channel whose post could not go out now is skipped for the rest of the round, so a later
        post never overtakes an earlier one there; a method Slack rate-limited is skipped too, as
        every further call to it would be refused until the Retry-After has passed.
        """
        now = self.clock.now()
        async with self.db.session() as session:
            due = (await session.execute(
                select(OutboxMessage.id, OutboxMessage.channel_id, OutboxMessage.method)
                .where(OutboxMessage.status == "pending", *_due(now))
                .order_by(OutboxMessage.id).limit(limit))).all()
        sent, held, limited = 0, set[str](), dict[str, timedelta]()
        for outbox_id, channel, method in due:
            if (channel is not None and channel in held) or method in limited:
                continue
            try:
                delivery = await self.attempt(outbox_id)
            except Exception:  # noqa: BLE001 - one bad row (a failing hook) must not hold up the others
                # Its transaction rolled back, so it stays in flight and is looked up once the lease lapses.
                log.exception("Outbox row %s could not be processed; it is retried later", outbox_id)
                continue
            sent += delivery.sent
            if delivery.status == "pending" and channel is not None:
                held.add(channel)
            if delivery.retry_after is not None:
                limited[method] = delivery.retry_after
        return sent, len(due), min(limited.values(), default=None)

    async def sweep(self, limit: int = 200) -> int:
        """Forget old finished rows, then drain; returns how many were sent."""
        async with self.db.session() as session, session.begin():
            await session.execute(delete(OutboxMessage).where(
                OutboxMessage.status.in_(("sent", "dead")), OutboxMessage.created_at < self.clock.now() - RETENTION))
        return await self.drain(limit)

    # -- one attempt -----------------------------------------------------------------------------------

    async def _finish(self, outbox_id: int, outcome: _Outcome, copies: list[str] | None = None) -> Delivery:
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            if outcome.data is not None:
                ts = outcome.data.get("ts")
                # Marked sent and read back in one statement: the commonest end of a call, one round trip.
                row = await session.scalar(_SENT, {"row_id": outbox_id, "result": outcome.data, "now": now,
                                                   "copies": copies or ([ts] if isinstance(ts, str) else None)})
                assert row is not None
                if hook := self._on_sent.get(row.purpose or ""):
                    await hook(session, row, outcome.data)
                if self._backing_off:
                    self._backing_off = False
                    await self._due_again_after_success(session, now)
                return Delivery(outbox_id, "sent", outcome.data)
            row = await session.get(OutboxMessage, outbox_id)
            assert row is not None and outcome.error is not None
            row.attempts += 1
            row.leased_until = None
            row.last_error = outcome.error[:200]
            if not outcome.maybe_sent:
                row.in_flight_since = None
            if outcome.maybe_sent or outcome.retry_after is not None or _is_transient(outcome.error):
                self._backing_off = True
                wait = outcome.retry_after or BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
                row.next_attempt_at = now + min(wait, MAX_RETRY_AFTER)
                log.warning("Slack %s failed (%s); outbox row %s is retried in %ds", row.method, outcome.error,
                            outbox_id, wait.total_seconds())
                return Delivery(outbox_id, "pending", error=outcome.error, retry_after=outcome.retry_after)
            row.status = "dead"
            log.error("Slack %s failed permanently (%s) for outbox row %s", row.method, outcome.error, outbox_id)
            if hook := self._on_dead.get(row.purpose or ""):
                await hook(session, row)
            return Delivery(outbox_id, "dead", error=outcome.error)

    @staticmethod
    async def _due_again_after_success(session: AsyncSession, now: datetime) -> None:
        # Slack is answering again: rows waiting out a backoff need not wait any longer (a Retry-After
        # is Slack's own word and stands). Leased rows keep their lease.
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at > now,
                   OutboxMessage.leased_until.is_(None), OutboxMessage.last_error != "ratelimited")
            .values(next_attempt_at=now))

    async def _call(self, outbox_id: int, method: str, args: dict[str, Any]) -> _Outcome:
        if method == "chat.postMessage":
            # The outbox id travels with the message, so a lookup can tell whether it was posted.
            args = {**args, "metadata": {"event_type": METADATA_TYPE, "event_payload": {"outbox_id": outbox_id}}}
        outcome = await self._api_call(method, args)
        channel = args.get("channel")
        if outcome.error == "not_in_channel" and isinstance(channel, str) and self.may_join(channel):
            joined = await self._api_call("conversations.join", {"channel": channel})
            if joined.data is None:
                return joined
            outcome = await self._api_call(method, args)
        return outcome

    async def _api_call(self, method: str, args: dict[str, Any]) -> _Outcome:
        try:
            response = await self.client.api_call(method, json=args)
            return _Outcome(data=dict(response.data) if isinstance(response.data, dict) else {})
        except SlackApiError as exc:
            status = exc.response.status_code
            if status == 429:
                return _Outcome(error="ratelimited", retry_after=_retry_after(exc))
            if status >= 500:
                return _Outcome(error=f"http_{status}", maybe_sent=True)
            error = _slack_error(exc) or f"http_{status}"
            if error == "method_not_supported_for_channel_type":
                error = "not_in_channel"  # a private channel the bot was never invited to
            return _Outcome(error=error)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return _Outcome(error=f"connection: {type(exc).__name__}", maybe_sent=True)

    async def _find_copies(self, outbox_id: int, args: dict[str, Any]) -> list[dict] | None:
        """The messages an earlier attempt at this row posted ([] if none), or None if Slack can't say now."""
        channel = args.get("channel")
        if not isinstance(channel, str):
            return []
        if channel.startswith(("U", "W")):  # a DM by user id: Slack posts it in the DM channel
            opened = await self._api_call("conversations.open", {"users": channel})
            if opened.data is None:
                return None
            channel = (opened.data.get("channel") or {}).get("id") or channel
        lookup = {"channel": channel, "include_all_metadata": True, "limit": LOOKUP_LIMIT}
        if thread := args.get("thread_ts"):
            found = await self._api_call("conversations.replies", {**lookup, "ts": thread})
        else:
            found = await self._api_call("conversations.history", lookup)
        if found.data is None:
            return None
        return [{"channel": channel, "ts": message["ts"]} for message in found.data.get("messages") or []
                if _outbox_id_of(message) == outbox_id]


# One bot token, one installation: once Slack shut us out, every call would fail on it.
_SHUT_OUT = exists().where(Workspace.status != "active")
# An older post to the row's channel still owed, which the row waits behind to keep the channel's order.
# Only posts that already failed once (Slack was down): two fresh posts sent at the same moment go out
# together. Correlated to the outer row; `_ROW` names it where the query has no outer row of its own.
_OLDER = aliased(OutboxMessage, name="older")
_ROW = aliased(OutboxMessage, name="this_row")


def _older_than(row: Any) -> Any:
    return exists().where(_OLDER.channel_id == row.channel_id, row.method == "chat.postMessage",
                          _OLDER.status == "pending", _OLDER.method == "chat.postMessage", _OLDER.attempts > 0,
                          _OLDER.id < row.id)


# Built once: putting a statement together costs more CPU than running it, and this runs at every attempt.
_LEASE = (update(OutboxMessage)
          .where(OutboxMessage.id == bindparam("row_id"), OutboxMessage.status == "pending",
                 OutboxMessage.next_attempt_at <= bindparam("now"),
                 or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until <= bindparam("now")),
                 ~_SHUT_OUT, ~_older_than(OutboxMessage))
          .values(leased_until=bindparam("until"), in_flight_since=bindparam("now"))
          .execution_options(synchronize_session=False))


_SENT = (update(OutboxMessage).where(OutboxMessage.id == bindparam("row_id"))
         .values(status="sent", attempts=OutboxMessage.attempts + 1, leased_until=None, in_flight_since=None,
                 last_error=None, result=bindparam("result"), sent_at=bindparam("now"), copies=bindparam("copies"))
         .returning(OutboxMessage))


def _due(now: datetime) -> tuple[Any, ...]:
    # A lease left by a process that died lapses, and the row is looked up and tried again.
    return (OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until <= now))


def _outbox_id_of(message: dict[str, Any]) -> int | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_TYPE:
        return None
    value = (metadata.get("event_payload") or {}).get("outbox_id")
    return value if isinstance(value, int) else None


def _retry_after(exc: SlackApiError) -> timedelta:
    try:
        return timedelta(seconds=max(1, int(exc.response.headers.get("Retry-After", 1))))
    except (TypeError, ValueError):
        return timedelta(seconds=1)


def _slack_error(exc: SlackApiError) -> str | None:
    # A proxy or load balancer in front of Slack can answer with a non-JSON body.
    data = exc.response.data
    return data.get("error") if isinstance(data, dict) else None


def _is_transient(error: str) -> bool:
    return error in NOT_NOW or error.startswith(("http_", "connection"))
