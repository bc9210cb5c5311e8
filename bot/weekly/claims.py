"""Exactly-once scheduled posts: claim (team, channel, kind, period) in the database, then post.

The claim row and the outbox row that posts it commit in one transaction, before Slack is called:
- a second replica, a restart's catch-up, or a slow run overlapping the next tick inserts the same
  unique key, gets an IntegrityError, and posts nothing;
- a post that fails transiently stays pending in the outbox and the every-minute sweep retries that
  same row (one message, never two); when it lands the claim becomes `posted` with the Slack `ts`;
- a permanent failure (e.g. `channel_not_found`) marks the claim `failed`, which an operator's
  `qi-commons jobs run` may take over once the cause is fixed.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outbox import Delivery
from bot.core.runtime import Runtime
from storage.models import OutboxMessage, ScheduledPost

log = logging.getLogger(__name__)

PURPOSE = "scheduled_post"
ADMIN_NOTICE = "scheduled_post_failed"
# Which process holds a claim, for whoever reads the table during an incident.
INSTANCE = f"{socket.gethostname()}:{os.getpid()}"[:80]
# Claims a manual run may take over: nothing reached the channel for them.
RETAKEABLE = ("failed", "skipped")
# Claims whose post reached the channel or will (the outbox retries it).
LIVE = ("claimed", "posted")


@dataclass(frozen=True)
class PostKey:
    team_id: str
    channel_id: str
    kind: str  # prompt | digest
    period: str  # e.g. 2026-W48

    def where(self) -> tuple[Any, ...]:
        return (ScheduledPost.team_id == self.team_id, ScheduledPost.channel_id == self.channel_id,
                ScheduledPost.kind == self.kind, ScheduledPost.period == self.period)


@dataclass(frozen=True)
class Claim:
    post_id: int
    outbox_id: int


# Renders the admins' DM about a post Slack refused for good: (kind, channel id, Slack's error) -> mrkdwn.
FailureNotice = Callable[[str, str, str], str]


async def existing_claim(runtime: Runtime, key: PostKey) -> ScheduledPost | None:
    async with runtime.db.session() as session:
        return await session.scalar(select(ScheduledPost).where(*key.where()))


async def history(session: AsyncSession, team_id: str, kind: str) -> list[dict[str, Any]]:
    """The details of every run of `kind` that posted or is posting, oldest first (e.g. prompt ids)."""
    return list((await session.scalars(
        select(ScheduledPost.detail)
        .where(ScheduledPost.team_id == team_id, ScheduledPost.kind == kind, ScheduledPost.status.in_(LIVE))
        .order_by(ScheduledPost.claimed_at, ScheduledPost.id))).all())


async def latest_detail(session: AsyncSession, team_id: str, kind: str) -> dict[str, Any] | None:
    """The detail of the most recent run of `kind` that posted or is posting."""
    return await session.scalar(
        select(ScheduledPost.detail)
        .where(ScheduledPost.team_id == team_id, ScheduledPost.kind == kind, ScheduledPost.status.in_(LIVE))
        .order_by(ScheduledPost.claimed_at.desc(), ScheduledPost.id.desc()).limit(1))


async def record_skip(runtime: Runtime, key: PostKey, note: str) -> bool:
    """Write down that this period posts nothing (pause, skip date, holiday); False if already claimed."""
    try:
        async with runtime.db.session() as session, session.begin():
            session.add(ScheduledPost(team_id=key.team_id, channel_id=key.channel_id, kind=key.kind,
                                      period=key.period, status="skipped", detail={"note": note},
                                      claimed_by=INSTANCE, claimed_at=runtime.clock.now()))
    except IntegrityError:
        return False
    return True


async def claim(runtime: Runtime, key: PostKey, *, detail: dict[str, Any], message: dict[str, Any],
                take_over: bool = False) -> Claim | None:
    """Claim the period and queue its post in one transaction; None when someone else has it.

    `message` is the chat.postMessage body without the channel. With `take_over` (an operator's
    manual run) a failed or skipped claim is taken over; a claimed or posted one never is.
    """
    now = runtime.clock.now()
    try:
        async with runtime.db.session() as session, session.begin():
            post = ScheduledPost(team_id=key.team_id, channel_id=key.channel_id, kind=key.kind, period=key.period,
                                 status="claimed", detail=detail, claimed_by=INSTANCE, claimed_at=now)
            session.add(post)
            await session.flush()  # the unique key is checked here, before anything is queued
            return Claim(post.id, await _enqueue(runtime, session, key, post.id, message))
    except IntegrityError:
        if not take_over:
            return None
    async with runtime.db.session() as session, session.begin():
        post_id = await session.scalar(
            update(ScheduledPost).where(*key.where(), ScheduledPost.status.in_(RETAKEABLE))
            .values(status="claimed", detail=detail, claimed_by=INSTANCE, claimed_at=now, ts=None, posted_at=None)
            .returning(ScheduledPost.id))
        if post_id is None:
            return None
        return Claim(post_id, await _enqueue(runtime, session, key, post_id, message))


async def post(runtime: Runtime, claimed: Claim) -> Delivery:
    """Try the queued post now; a transient failure is left to the sweep."""
    return await runtime.outbox.attempt(claimed.outbox_id)


async def _enqueue(runtime: Runtime, session: AsyncSession, key: PostKey, post_id: int,
                   message: dict[str, Any]) -> int:
    row = await runtime.outbox.enqueue(session, team_id=key.team_id, method="chat.postMessage",
                                       args={"channel": key.channel_id, **message}, purpose=PURPOSE,
                                       subject_id=post_id)
    return row.id


async def mark_posted(session: AsyncSession, row: OutboxMessage, data: dict[str, Any]) -> None:
    """Outbox `on_sent` hook: the post landed, so the claim is `posted` with its Slack ts."""
    await session.execute(update(ScheduledPost).where(ScheduledPost.id == row.subject_id)
                          .values(status="posted", ts=data.get("ts"), posted_at=row.sent_at))


async def mark_failed(runtime: Runtime, notice: FailureNotice, session: AsyncSession, row: OutboxMessage) -> None:
    """Outbox `on_dead` hook: Slack refused the post for good, so mark the claim failed and queue
    `notice` to every admin in the same transaction, telling them how to fix it."""
    post = await session.get(ScheduledPost, row.subject_id)
    if post is None:
        return
    post.status = "failed"
    post.detail = {**post.detail, "note": f"Slack refused the post: {row.last_error}"}
    text = notice(post.kind, post.channel_id, row.last_error or "unknown_error")
    log.error("%s", text)
    for admin in runtime.settings.admin_user_ids:
        await runtime.outbox.enqueue(session, team_id=row.team_id, method="chat.postMessage",
                                     args={"channel": admin, "text": text}, purpose=ADMIN_NOTICE)
