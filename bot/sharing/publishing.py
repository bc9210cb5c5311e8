"""Getting stored updates into the community channel, in order, through the outbox.

The handlers supply the message payloads (`Renderers`, Block Kit lives in handlers/); this module
decides what is posted when, and keeps the rows in step. It makes no Slack call itself.

A general update is a plain channel message. A project's first update first posts the project's
parent message; the update waits (pending, with no post queued) until the parent's `on_sent` hook
stores the thread ts and queues every waiting update as a threaded reply broadcast to the channel.
So a reply is never posted before its thread exists, however Slack fails in between.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outbox import Delivery, Lease
from bot.core.runtime import Runtime
from bot.sharing.projects import ProjectView, get_project, project_view
from bot.sharing.updates import (
    PARENT_POST,
    UPDATE_POST,
    UpdateView,
    get_update,
    update_view,
    updates_waiting_for_parent,
    view_of,
)
from storage.models import OutboxMessage, QiProject, QiUpdate

log = logging.getLogger(__name__)

ADMIN_NOTICE = "sharing_admin_notice"
_NO_UNFURL = {"unfurl_links": False, "unfurl_media": False}


@dataclass(frozen=True)
class Renderers:
    """The payloads the handlers build: an update's post, a project's card, an admin's notice text."""

    update: Callable[[UpdateView], dict[str, Any]]
    parent: Callable[[ProjectView], dict[str, Any]]
    admin_notice: Callable[[str, str], str]  # (channel, Slack error) -> text


@dataclass(frozen=True)
class Queued:
    """What `queue_post` queued for an update: the row to send first, leased in the queueing transaction."""

    taken: Lease | Delivery  # Delivery: it could not be leased now (see Outbox.take)
    parent_first: bool  # the row is the project's parent post; the update follows it


async def queue_post(runtime: Runtime, render: Renderers, session: AsyncSession, update: QiUpdate, *,
                     fresh: bool = False, lease: bool = True) -> Queued:
    """Queue what must go out first for a stored update, and lease it, in the caller's transaction (the
    one that stored it, so nothing stored is ever left without its post, and the first try costs no
    transaction of its own). Queued already? That row. Idempotent; `fresh` says the update was stored
    in this transaction, so nothing can be queued for it yet and there is nothing to look up.
    `lease=False` leaves the row to the drain (a demo's seed, paced by Slack)."""
    # Locked, so two first updates at once (two replicas) queue one parent post, not two.
    project = await session.get(QiProject, update.project_id, with_for_update=True) if update.project_id else None
    if project is not None and not project.thread_ts:
        waiting = await session.scalar(select(OutboxMessage).where(
            OutboxMessage.purpose == PARENT_POST, OutboxMessage.subject_id == project.id,
            OutboxMessage.status == "pending"))
        if waiting is None:
            waiting = await runtime.outbox.enqueue(
                session, team_id=update.team_id, method="chat.postMessage", purpose=PARENT_POST,
                subject_id=project.id,
                args={"channel": _channel(runtime, project), **render.parent(project_view(project)), **_NO_UNFURL})
        return Queued(await _take(runtime, session, waiting, lease), parent_first=True)
    queued = None if fresh else await session.scalar(select(OutboxMessage).where(
        OutboxMessage.purpose == UPDATE_POST, OutboxMessage.subject_id == update.id,
        OutboxMessage.status == "pending"))
    if queued is None:
        queued = await _queue_update(runtime, render, session, update, project, fresh=fresh)
    return Queued(await _take(runtime, session, queued, lease), parent_first=False)


async def _take(runtime: Runtime, session: AsyncSession, row: OutboxMessage, lease: bool) -> Lease | Delivery:
    return await runtime.outbox.take(session, row) if lease else Delivery(row.id, "pending", error="left to the drain")


async def publish(runtime: Runtime, render: Renderers, *, team_id: str, update_id: int,
                  queued: Queued | None = None) -> Delivery | None:
    """Post a stored update now if Slack lets us; None when it waits for its project's parent post.

    `queued` is what `queue_post` returned when the update was stored with its post (nothing to look up).
    """
    if queued is None:
        async with runtime.db.session() as session, session.begin():
            update = await get_update(session, team_id, update_id)
            assert update is not None
            if update.post_status != "pending":
                return None  # posted (or deleted) already: nothing more to send
            queued = await queue_post(runtime, render, session, update)
    delivery = await runtime.outbox.deliver(queued.taken)
    if not queued.parent_first or delivery.status == "dead":
        return delivery  # a dead parent is this update's failure too
    if delivery.status == "pending":
        return None  # the sweep posts the parent, then this update
    # The parent just went out and its hook queued this update (and any older waiting ones): send them now.
    async with runtime.db.session() as session:
        waiting = (await session.scalars(
            select(OutboxMessage.id).join(QiUpdate, QiUpdate.id == OutboxMessage.subject_id)
            .where(OutboxMessage.purpose == UPDATE_POST, OutboxMessage.status == "pending",
                   QiUpdate.project_id == select(QiUpdate.project_id).where(QiUpdate.id == update_id)
                   .scalar_subquery(), QiUpdate.id <= update_id)
            .order_by(QiUpdate.id))).all()
    result: Delivery | None = None
    for outbox_id in waiting:
        result = await runtime.outbox.attempt(outbox_id)
    return result


def _channel(runtime: Runtime, project: QiProject | None) -> str:
    return (project.channel_id if project and project.channel_id else None) or runtime.settings.community_channel_id or ""


async def _queue_update(runtime: Runtime, render: Renderers, session: AsyncSession, update: QiUpdate,
                        project: QiProject | None, *, fresh: bool = False) -> OutboxMessage:
    view = await view_of(session, update, fresh=fresh)
    args: dict[str, Any] = {"channel": _channel(runtime, project), **render.update(view), **_NO_UNFURL}
    if project is not None:
        # In the project's thread and in the channel: the channel sees it, the thread keeps the history.
        args.update(thread_ts=project.thread_ts, reply_broadcast=True)
        update.thread_ts = project.thread_ts
    return await runtime.outbox.enqueue(session, team_id=update.team_id, method="chat.postMessage", args=args,
                                        purpose=UPDATE_POST, subject_id=update.id)


async def refresh_message(runtime: Runtime, render: Renderers, *, team_id: str, update_id: int) -> None:
    """Show an edited update or a new kudos count on its posted message (the buttons exist only there)."""
    async with runtime.db.session() as session:
        view = await update_view(session, team_id, update_id)
    if view is not None and view.post_status == "posted" and view.channel_id and view.ts:
        await runtime.outbox.send(team_id=team_id, method="chat.update",
                                  args={"channel": view.channel_id, "ts": view.ts, **render.update(view)})


async def refresh_parent(runtime: Runtime, render: Renderers, *, team_id: str, project_id: int) -> None:
    """Keep the project's card in the channel in step with its stage, progress and details."""
    async with runtime.db.session() as session:
        project = await get_project(session, team_id, project_id)
        if project is None or not (project.channel_id and project.thread_ts):
            return
        args = {"channel": project.channel_id, "ts": project.thread_ts, **render.parent(project_view(project))}
    await runtime.outbox.send(team_id=team_id, method="chat.update", args=args)


# --- outbox hooks: they run in the transaction that marks the outbox row ---------------------------


async def update_posted(runtime: Runtime, session: AsyncSession, row: OutboxMessage, data: dict[str, Any]) -> None:
    posted = await session.execute(_POSTED, {"update_id": row.subject_id, "channel": data.get("channel"),
                                             "ts": data.get("ts"), "now": runtime.clock.now()})
    if posted.rowcount == 0 and await session.scalar(select(QiUpdate.id).where(
            QiUpdate.id == row.subject_id, QiUpdate.post_status == "deleted")):
        # Removed (e.g. its author was forgotten) while the post was in flight: take it down again.
        await runtime.outbox.enqueue(session, team_id=row.team_id, method="chat.delete",
                                     args={"channel": data.get("channel"), "ts": data.get("ts")})
    # No permalink here: this hook runs inside the outbox's write transaction, and a Slack call in it
    # would hold the database lock (all of SQLite) for as long as Slack takes. See note_permalink.


# One conditional UPDATE, built once: it runs for every post, and a deleted update stays deleted.
_POSTED = (sql_update(QiUpdate).where(QiUpdate.id == bindparam("update_id"), QiUpdate.post_status != "deleted")
           .values(post_status="posted", channel_id=bindparam("channel"), ts=bindparam("ts"),
                   posted_at=bindparam("now"))
           .execution_options(synchronize_session=False))


async def keep_permalink(runtime: Runtime, *, update_id: int, permalink: str) -> bool:
    """Keep a posted update's permalink; False when it is no longer posted (deleted while we asked Slack)."""
    async with runtime.db.autocommit() as session:  # one conditional UPDATE: no transaction needed
        kept = await session.execute(
            sql_update(QiUpdate).where(QiUpdate.id == update_id, QiUpdate.post_status == "posted")
            .values(permalink=permalink).execution_options(synchronize_session=False))
    return kept.rowcount == 1


async def parent_posted(runtime: Runtime, render: Renderers, session: AsyncSession, row: OutboxMessage,
                        data: dict[str, Any]) -> None:
    project = await session.get(QiProject, row.subject_id)
    if project is None:
        return
    project.channel_id, project.thread_ts = data.get("channel"), data.get("ts")
    for update in await updates_waiting_for_parent(session, project.id):
        await _queue_update(runtime, render, session, update, project)


async def update_failed(runtime: Runtime, render: Renderers, session: AsyncSession, row: OutboxMessage) -> None:
    update = await session.get(QiUpdate, row.subject_id)
    if update is not None and update.post_status == "pending":
        update.post_status = "failed"
    await _tell_admins(runtime, render, session, row)


async def parent_failed(runtime: Runtime, render: Renderers, session: AsyncSession, row: OutboxMessage) -> None:
    for update in await updates_waiting_for_parent(session, row.subject_id or 0):
        update.post_status = "failed"
    await _tell_admins(runtime, render, session, row)


async def _tell_admins(runtime: Runtime, render: Renderers, session: AsyncSession, row: OutboxMessage) -> None:
    """Tell every admin once, by DM, what went wrong and how to fix it."""
    channel = str(row.args.get("channel") or "")
    text = render.admin_notice(channel, row.last_error or "unknown_error")
    if not runtime.settings.admin_user_ids:
        log.error("No admins to tell: %s", text)
    for admin in runtime.settings.admin_user_ids:
        await runtime.outbox.enqueue(session, team_id=row.team_id, method="chat.postMessage",
                                     args={"channel": admin, "text": text}, purpose=ADMIN_NOTICE)
