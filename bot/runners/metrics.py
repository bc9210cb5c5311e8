"""`GET /metrics` in Prometheus' text format: what an operator graphs and alerts on.

Requests and ack latency are counted as they happen; the outbox and the weekly posts are read from
the database at scrape time (the database is the source of truth, so nothing can drift).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import func, select

from bot.core.runtime import Runtime
from bot.runners.logs import new_request_id
from storage.models import OutboxMessage, ScheduledPost

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Slack wants an ack within 3 s: buckets around that.
ACK_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


def request_kind(body: dict[str, Any]) -> str:
    if body.get("command"):
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return kind if kind in ("block_actions", "view_submission", "view_closed", "block_suggestion", "shortcut",
                            "message_action") else "other"


class Metrics:
    def __init__(self) -> None:
        # One registry per app, so tests (and two apps in one process) never share counters.
        self.registry = CollectorRegistry()
        self.requests = Counter("qi_requests", "Requests from Slack, by kind", ["kind"], registry=self.registry)
        self.ack_seconds = Histogram("qi_ack_seconds", "Time from a request's arrival to its acknowledgement",
                                     ["kind"], buckets=ACK_BUCKETS, registry=self.registry)
        self.outbox = Gauge("qi_outbox_rows", "Slack calls owed or given up on, by status and purpose",
                            ["status", "purpose"], registry=self.registry)
        self.last_post = Gauge("qi_weekly_post_last_success_timestamp_seconds",
                               "When each kind of weekly post last reached the channel", ["kind"],
                               registry=self.registry)
        self.scheduler = Gauge("qi_scheduler_running", "1 while the scheduler runs", registry=self.registry)

    async def middleware(self, body: dict[str, Any], req: AsyncBoltRequest,
                         next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Bolt middleware: counts the request and times it until the listener acknowledged it."""
        new_request_id()
        kind = request_kind(body)
        started = time.perf_counter()
        try:
            return await next()
        finally:
            self.requests.labels(kind).inc()
            self.ack_seconds.labels(kind).observe(time.perf_counter() - started)

    async def scrape(self, runtime: Runtime) -> bytes:
        async with runtime.db.session() as session:
            owed = (await session.execute(
                select(OutboxMessage.status, OutboxMessage.purpose, func.count())
                .where(OutboxMessage.status.in_(("pending", "held", "dead")))
                .group_by(OutboxMessage.status, OutboxMessage.purpose))).all()
            posted = (await session.execute(
                select(ScheduledPost.kind, func.max(ScheduledPost.posted_at))
                .where(ScheduledPost.status == "posted").group_by(ScheduledPost.kind))).all()
        self.outbox.clear()
        for status in ("pending", "held", "dead"):  # always present, so an alert can test for > 0
            self.outbox.labels(status, "all").set(0)
        for status, purpose, count in owed:
            self.outbox.labels(status, purpose or "other").set(count)
            self.outbox.labels(status, "all").inc(count)
        for kind, at in posted:
            if at is not None:
                self.last_post.labels(kind).set(at.timestamp())
        self.scheduler.set(1 if runtime.scheduler_running else 0)
        return generate_latest(self.registry)
