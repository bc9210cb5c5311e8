"""Nudges: DMs we owe someone at a due time, sent only when it suits them.

A nudge is a row (who, what kind, about what, due when). The periodic sweep sends a due nudge only
inside the person's working hours in their own timezone (outside their quiet hours, weekdays only),
never when they turned reminders off, and never more than once a day per person; otherwise it waits
for a later sweep. Each row is claimed with a conditional UPDATE, and its DM is queued in the outbox
in that same transaction: a restart, a failure or a second replica can neither lose nor repeat it.

Features say what a kind of nudge sends (`runtime.on_nudge_due`) and add the time-driven steps of their own
that must run every sweep (`runtime.each_sweep`), so this module owns the timing rules and nothing about
content.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.members import ensure_member
from bot.core.runtime import Runtime
from bot.core.slack import LookupFailed
from storage.models import Member, Nudge

log = logging.getLogger(__name__)

# Saturday and Sunday are quiet all day, whatever the person's quiet hours.
WEEKEND = (5, 6)


async def schedule(session: AsyncSession, *, team_id: str, user_id: str, kind: str, subject_key: str,
                   due_at: datetime) -> None:
    """Owe `user_id` a `kind` nudge about `subject_key` at `due_at` (moves an earlier one of the same key)."""
    key = (Nudge.team_id == team_id, Nudge.slack_user_id == user_id, Nudge.kind == kind,
           Nudge.subject_key == subject_key)
    moved = await session.execute(update(Nudge).where(*key).values(due_at=due_at, status="due"))
    if moved.rowcount:
        return
    try:
        async with session.begin_nested():
            session.add(Nudge(team_id=team_id, slack_user_id=user_id, kind=kind, subject_key=subject_key,
                              due_at=due_at, status="due"))
    except IntegrityError:
        # Scheduled at the same moment elsewhere (two clicks): take that row over.
        await session.execute(update(Nudge).where(*key).values(due_at=due_at, status="due"))


async def schedule_once(session: AsyncSession, *, team_id: str, user_id: str, kind: str, subject_key: str,
                        due_at: datetime) -> bool:
    """Owe `user_id` a `kind` nudge about `subject_key` unless one was ever owed; True if this added it."""
    try:
        async with session.begin_nested():
            session.add(Nudge(team_id=team_id, slack_user_id=user_id, kind=kind, subject_key=subject_key,
                              due_at=due_at, status="due"))
    except IntegrityError:
        return False  # owed (or sent) before: once means once
    return True


async def cancel(session: AsyncSession, *, team_id: str, kind: str, subject_key: str,
                 user_id: str | None = None) -> None:
    """Drop nudges not yet sent about `subject_key` (for everyone, or only `user_id`)."""
    where = [Nudge.team_id == team_id, Nudge.kind == kind, Nudge.subject_key == subject_key,
             Nudge.status == "due"]
    if user_id is not None:
        where.append(Nudge.slack_user_id == user_id)
    await session.execute(update(Nudge).where(*where).values(status="cancelled"))


def in_working_hours(local: datetime, quiet_start: time, quiet_end: time) -> bool:
    """True when `local` (the person's wall-clock time) is a weekday outside their quiet hours.

    Quiet hours usually wrap midnight (18:00 to 08:00); a window that does not wrap (12:00 to 13:00)
    works too. Equal start and end means no quiet hours on weekdays.
    """
    if local.weekday() in WEEKEND:
        return False
    now = local.time().replace(tzinfo=None)
    if quiet_start == quiet_end:
        return True
    if quiet_start > quiet_end:
        quiet = now >= quiet_start or now < quiet_end
    else:
        quiet = quiet_start <= now < quiet_end
    return not quiet


async def member_timezone(runtime: Runtime, team_id: str, user_id: str) -> ZoneInfo:
    """The person's timezone: cached on their member row, else read from Slack's users.info and cached.

    The Slack call happens outside any transaction, so a slow answer never holds a database lock.
    """
    async with runtime.db.session() as session, session.begin():
        cached = (await ensure_member(runtime, session, team_id, user_id)).timezone
    if cached:
        try:
            return ZoneInfo(cached)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("Member %s has an unknown timezone %r; asking Slack again", user_id, cached)
    try:
        zone = ZoneInfo((await runtime.people.by_id(user_id)).timezone or runtime.settings.timezone)
    except (LookupFailed, ZoneInfoNotFoundError, ValueError) as exc:
        log.warning("Could not read the timezone of %s (%s); using the community's", user_id, exc)
        return runtime.settings.tz
    async with runtime.db.session() as session, session.begin():
        await session.execute(update(Member).where(Member.team_id == team_id, Member.slack_user_id == user_id)
                              .values(timezone=zone.key))
    return zone


async def sweep(runtime: Runtime) -> int:
    """Run the features' time-driven steps, then send the nudges that are due and welcome now."""
    for name, step in list(runtime.sweep_steps.items()):
        try:
            await step(runtime)
        except Exception:  # noqa: BLE001 - one feature's failure must not stop the others' nudges
            log.exception("Sweep step %s failed; it runs again next sweep", name)
    return await send_due(runtime)


async def send_due(runtime: Runtime) -> int:
    """Send due nudges to people inside their working hours, at most one a day each; returns how many."""
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        # No LIMIT: nudges waiting for someone's morning must not starve the ones that could go now.
        due = (await session.execute(
            select(Nudge.id, Nudge.team_id, Nudge.slack_user_id).where(Nudge.status == "due", Nudge.due_at <= now)
            .order_by(Nudge.due_at, Nudge.id))).all()
    zones: dict[tuple[str, str], ZoneInfo] = {}
    sent = 0
    for nudge_id, team_id, user_id in due:
        if (team_id, user_id) not in zones:
            zones[team_id, user_id] = await member_timezone(runtime, team_id, user_id)
        try:
            outbox_id = await _send_if_welcome(runtime, nudge_id, zones[team_id, user_id])
        except Exception:  # noqa: BLE001 - rolled back, so the nudge stays owed; the next one must still go
            log.exception("Sending nudge %s failed; it is tried again next sweep", nudge_id)
            continue
        if outbox_id is not None:
            sent += 1
            await runtime.outbox.attempt(outbox_id)
    return sent


async def _send_if_welcome(runtime: Runtime, nudge_id: int, zone: ZoneInfo) -> int | None:
    """Claim the nudge and queue its DM if now suits its person; the outbox row's id, else None."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        nudge = await session.get(Nudge, nudge_id)
        if nudge is None or nudge.status != "due":
            return None
        sender = runtime.nudge_senders.get(nudge.kind)
        if sender is None:
            log.error("No sender for nudge kind %s (row %s)", nudge.kind, nudge.id)
            return None
        member = await ensure_member(runtime, session, nudge.team_id, nudge.slack_user_id)
        if not member.reminders_enabled:
            nudge.status = "cancelled"
            return None
        local = now.astimezone(zone)
        if not in_working_hours(local, member.quiet_start, member.quiet_end):
            return None
        if await _nudged_on(session, nudge, local, zone):
            return None
        claimed = await session.execute(
            update(Nudge).where(Nudge.id == nudge_id, Nudge.status == "due")
            .values(status="sent", sent_at=now))
        if claimed.rowcount != 1:
            return None
        await session.refresh(nudge)
        outbox_id = await sender(runtime, session, nudge)
        if outbox_id is None:
            # Overtaken (the offer was answered, the pair ended): nothing went out, so it must not
            # use up the person's one nudge of the day.
            await session.execute(update(Nudge).where(Nudge.id == nudge_id)
                                  .values(status="cancelled", sent_at=None))
        return outbox_id


async def _nudged_on(session: AsyncSession, nudge: Nudge, local: datetime, zone: ZoneInfo) -> bool:
    """Did this person already get a nudge on `local`'s calendar day (in their own timezone)?"""
    last = await session.scalar(
        select(func.max(Nudge.sent_at))
        .where(Nudge.team_id == nudge.team_id, Nudge.slack_user_id == nudge.slack_user_id,
               Nudge.sent_at.is_not(None)))
    return last is not None and last.astimezone(zone).date() == local.date()
