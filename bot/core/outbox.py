"""The outbox: Slack calls we owe, written down before they are made and retried until they land.

A call is stored as a pending row, then tried at once. A transient failure (rate limit beyond the
client's own retries, 5xx, timeout, connection error) leaves the row pending with a backoff; the
sweep job retries it. A permanent failure (`channel_not_found`, `is_archived`, ...) marks it dead
and runs the purpose's `on_dead` hook once, so someone is told. Rows are leased with a conditional
UPDATE before each attempt, so the sender and any number of sweepers never send one row twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BACKOFF = (timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=5),
           timedelta(minutes=15), timedelta(minutes=30))
# Delivered and abandoned rows still hold message text; keep them only long enough to investigate.
RETENTION = timedelta(days=30)
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}

SentHook = Callable[[AsyncSession, OutboxMessage, dict[str, Any]], Awaitable[None]]
DeadHook = Callable[[AsyncSession, OutboxMessage], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    outbox_id: int
    status: str  # sent | pending | dead
    data: dict[str, Any] | None = None
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.status == "sent"


class Outbox:
    def __init__(self, db: Database, client: AsyncWebClient, clock: Clock) -> None:
        self.db, self.client, self.clock = db, client, clock
        self._on_sent: dict[str, SentHook] = {}
        self._on_dead: dict[str, DeadHook] = {}

    def on_sent(self, purpose: str, hook: SentHook) -> None:
        """Run `hook` in the same transaction that marks a `purpose` row sent (e.g. store the ts)."""
        self._on_sent[purpose] = hook

    def on_dead(self, purpose: str, hook: DeadHook) -> None:
        self._on_dead[purpose] = hook

    async def enqueue(self, session: AsyncSession, *, team_id: str, method: str, args: dict[str, Any],
                      purpose: str | None = None, subject_id: int | None = None) -> OutboxMessage:
        """Add a call inside the caller's transaction (so it commits with the data it is about)."""
        row = OutboxMessage(team_id=team_id, method=method, args=args, purpose=purpose, subject_id=subject_id,
                            status="pending", attempts=0, created_at=self.clock.now(),
                            next_attempt_at=self.clock.now() + LEASE)
        session.add(row)
        await session.flush()
        return row

    async def send(self, *, team_id: str, method: str, args: dict[str, Any], purpose: str | None = None,
                   subject_id: int | None = None) -> Delivery:
        """Store the call, then try it once now."""
        async with self.db.session() as session, session.begin():
            row = await self.enqueue(session, team_id=team_id, method=method, args=args, purpose=purpose,
                                     subject_id=subject_id)
        return await self.attempt(row.id, leased=True)

    async def attempt(self, outbox_id: int, *, leased: bool = False) -> Delivery:
        now = self.clock.now()
        if not leased and not await self._lease(outbox_id):
            return Delivery(outbox_id, "pending", error="leased elsewhere")
        async with self.db.session() as session:
            row = await session.get(OutboxMessage, outbox_id)
            if row is None or row.status != "pending":
                return Delivery(outbox_id, row.status if row else "dead")
            method, args = row.method, dict(row.args)
        error, data = await self._call(method, args)
        async with self.db.session() as session, session.begin():
            row = await session.get(OutboxMessage, outbox_id)
            assert row is not None
            row.attempts += 1
            if error is None:
                row.status, row.result, row.sent_at, row.last_error = "sent", data, now, None
                if hook := self._on_sent.get(row.purpose or ""):
                    await hook(session, row, data or {})
                return Delivery(outbox_id, "sent", data)
            row.last_error = error[:200]
            if _is_transient(error):
                row.next_attempt_at = now + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
                log.warning("Slack %s failed (%s); retrying outbox row %s later", method, error, outbox_id)
                return Delivery(outbox_id, "pending", error=error)
            row.status = "dead"
            log.error("Slack %s failed permanently (%s) for outbox row %s", method, error, outbox_id)
            if hook := self._on_dead.get(row.purpose or ""):
                await hook(session, row)
            return Delivery(outbox_id, "dead", error=error)

    async def sweep(self, limit: int = 50) -> int:
        """Retry due pending rows and forget old finished ones; returns how many were sent."""
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            await session.execute(delete(OutboxMessage).where(OutboxMessage.status.in_(("sent", "dead")),
                                                              OutboxMessage.created_at < now - RETENTION))
        async with self.db.session() as session:
            due = (await session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.next_attempt_at).limit(limit))).all()
        sent = 0
        for outbox_id in due:
            try:
                sent += (await self.attempt(outbox_id)).sent
            except Exception:  # noqa: BLE001 - one bad row (a failing hook) must not hold up the others
                # Its transaction rolled back, so it stays pending and is tried again once the lease lapses.
                log.exception("Outbox row %s could not be processed; it is retried later", outbox_id)
        return sent

    async def _lease(self, outbox_id: int) -> bool:
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id, OutboxMessage.status == "pending",
                       OutboxMessage.next_attempt_at <= now)
                .values(next_attempt_at=now + LEASE))
            return result.rowcount == 1

    async def _call(self, method: str, args: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
        client = self.client
        try:
            try:
                response = await client.api_call(method, json=args)
            except SlackApiError as exc:
                if _slack_error(exc) != "not_in_channel" or "channel" not in args:
                    raise
                # The bot can add itself to public channels; private ones need a person to invite it.
                await client.conversations_join(channel=args["channel"])
                response = await client.api_call(method, json=args)
            return None, dict(response.data) if isinstance(response.data, dict) else {}
        except SlackApiError as exc:
            status = exc.response.status_code
            if status >= 500 or status == 429:
                return f"http_{status}", None
            error = _slack_error(exc) or f"http_{status}"
            if error == "method_not_supported_for_channel_type":
                error = "not_in_channel"  # a private channel the bot was never invited to
            return error, None
        except (TimeoutError, aiohttp.ClientError) as exc:
            return f"connection: {type(exc).__name__}", None


def _slack_error(exc: SlackApiError) -> str | None:
    # A proxy or load balancer in front of Slack can answer with a non-JSON body.
    data = exc.response.data
    return data.get("error") if isinstance(data, dict) else None


def _is_transient(error: str) -> bool:
    return error in TRANSIENT_ERRORS or error.startswith(("http_", "connection"))
