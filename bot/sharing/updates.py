"""QI updates: store what a member shares, route quick shares, kudos, and who may change what.

An update is stored (status `pending`) before anything is sent to Slack; the handlers then post it
through the outbox. A project's first update waits for the project's parent message, so the thread
exists before any reply is posted to it. Every query is scoped by team_id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sharing.projects import can_contribute, project_by_slug, projects_of
from storage.models import Kudos, MeasureDataPoint, OutboxMessage, QiMeasure, QiProject, QiUpdate

# The update text is also handed back in a button value (Slack's limit: 2,000) when a quick share is
# refused for PHI, so the member can edit it; the other limits keep each part well inside one block.
LIMITS = {"tried": 2000, "learned": 1000, "help_wanted": 500}
UPDATE_POST = "qi_update"
PARENT_POST = "qi_project_parent"
_SLUG_PREFIX = re.compile(r"#([a-z0-9][a-z0-9-]*)\b\s*", re.IGNORECASE)
# `/qi-share WORD`: what the command does rather than share. Text that starts with one of these words
# is asked about before it goes to the whole community channel.
SUBCOMMANDS = ("list", "help", "new")


@dataclass(frozen=True)
class UpdateFields:
    tried: str
    learned: str | None = None
    pdsa_stage: str | None = None
    progress_score: Decimal | None = None
    help_wanted: str | None = None


@dataclass(frozen=True)
class DataPoint:
    measure_id: int
    value: Decimal
    observed_on: date


@dataclass(frozen=True)
class UpdateView:
    """Everything an update's message shows."""

    id: int
    author_id: str | None
    project_id: int | None
    project_title: str | None
    tried: str
    learned: str | None
    pdsa_stage: str | None
    progress_score: Decimal | None
    help_wanted: str | None
    kudos: int
    data_point: str | None  # e.g. "% screened (outcome): 62 on 2026-11-20"
    post_status: str
    channel_id: str | None
    ts: str | None


@dataclass(frozen=True)
class QuickRoute:
    """Where a `/qi-share TEXT` goes, or why the member is asked first (`ask`, with their `choices`)."""

    project: QiProject | None
    text: str
    unknown_slug: str | None = None
    not_allowed: bool = False
    ask: str | None = None  # "project" (several could take it), or why it reads like a slip: see `slip`
    choices: tuple[QiProject, ...] = ()  # the member's active projects, most recently changed first


def slip(text: str) -> str | None:
    """Why the text is probably not meant for the whole channel: it starts with a subcommand word
    (`list please`), a `#` that names no project (`#`, `# tried…`), a `/` (the command typed twice), or it
    is a single word (`test`). None for an ordinary update."""
    words = text.split()
    first = words[0].lower().strip(".,:;!?") if words else ""
    if first in SUBCOMMANDS:
        return "subcommand"
    if text.startswith("#"):
        return "hash"
    if text.startswith("/"):
        return "slash"
    return "one word" if len(words) < 2 else None


async def route_quick_share(session: AsyncSession, *, team_id: str, user_id: str, is_admin: bool,
                            text: str) -> QuickRoute:
    """A leading `#slug` names the project. Otherwise the text goes to the member's only active project,
    or is a general update when they have none, unless it is ambiguous: several active projects, or text
    that reads like a command. Then nothing is decided; the member chooses among `choices`."""
    if match := _SLUG_PREFIX.match(text):
        body = text[match.end():].strip()
        project = await project_by_slug(session, team_id, match.group(1))
        if project is None:
            return QuickRoute(None, body, unknown_slug=match.group(1).lower())
        return QuickRoute(project, body, not_allowed=not can_contribute(project, user_id, is_admin))
    active = tuple(await projects_of(session, team_id, user_id, active_only=True))
    if reason := slip(text):
        return QuickRoute(None, text.lstrip("#").strip(), ask=reason, choices=active)
    if len(active) > 1:
        return QuickRoute(None, text, ask="project", choices=active)
    return QuickRoute(active[0] if active else None, text)


async def store_update(session: AsyncSession, *, team_id: str, author_id: str, project: QiProject | None,
                       fields: UpdateFields, data_point: DataPoint | None, now: datetime) -> QiUpdate:
    """Store the update as pending; the project takes on the stage and score the update reports."""
    update = QiUpdate(team_id=team_id, project_id=project.id if project else None, author_id=author_id,
                      tried=fields.tried, learned=fields.learned, pdsa_stage=fields.pdsa_stage,
                      progress_score=fields.progress_score, help_wanted=fields.help_wanted,
                      post_status="pending", created_at=now)
    session.add(update)
    await session.flush()
    if project is not None:
        project.pdsa_stage = fields.pdsa_stage or project.pdsa_stage
        project.progress_score = fields.progress_score or project.progress_score
        project.updated_at = now
    if data_point is not None and project is not None:
        measure = await session.scalar(select(QiMeasure).where(
            QiMeasure.team_id == team_id, QiMeasure.project_id == project.id, QiMeasure.id == data_point.measure_id))
        if measure is None:
            raise ValueError("the measure does not belong to this project")
        session.add(MeasureDataPoint(team_id=team_id, measure_id=measure.id, update_id=update.id,
                                     value=data_point.value, observed_on=data_point.observed_on,
                                     recorded_by=author_id, created_at=now))
    return update


async def get_update(session: AsyncSession, team_id: str, update_id: int) -> QiUpdate | None:
    return await session.scalar(select(QiUpdate).where(QiUpdate.team_id == team_id, QiUpdate.id == update_id))


def can_change_update(update: QiUpdate, user_id: str, is_admin: bool) -> bool:
    """Only the author or an admin may edit or delete an update, whatever buttons others see."""
    return is_admin or (update.author_id is not None and update.author_id == user_id)


def edit_update(update: QiUpdate, fields: UpdateFields, now: datetime) -> None:
    update.tried, update.learned, update.help_wanted = fields.tried, fields.learned, fields.help_wanted
    update.pdsa_stage, update.progress_score = fields.pdsa_stage, fields.progress_score
    update.updated_at = now


async def toggle_kudos(session: AsyncSession, *, team_id: str, update_id: int, user_id: str,
                       now: datetime) -> bool:
    """Give kudos, or take them back if already given; True when the member now gives kudos."""
    removed = await session.execute(delete(Kudos).where(Kudos.team_id == team_id, Kudos.update_id == update_id,
                                                        Kudos.slack_user_id == user_id))
    if removed.rowcount:
        return False
    try:
        async with session.begin_nested():
            session.add(Kudos(team_id=team_id, update_id=update_id, slack_user_id=user_id, created_at=now))
    except IntegrityError:
        pass  # a double click: the first one already gave them
    return True


async def update_view(session: AsyncSession, team_id: str, update_id: int) -> UpdateView | None:
    update = await get_update(session, team_id, update_id)
    return await view_of(session, update) if update is not None else None


async def view_of(session: AsyncSession, update: QiUpdate, *, fresh: bool = False) -> UpdateView:
    """What an update's post shows, for an update loaded in this session; `fresh`: stored in this very
    transaction, so nobody can have given it kudos yet."""
    project = await session.get(QiProject, update.project_id) if update.project_id else None
    kudos = 0 if fresh else await session.scalar(
        select(func.count()).select_from(Kudos).where(Kudos.update_id == update.id))
    point = (await session.execute(
        select(MeasureDataPoint, QiMeasure).join(QiMeasure, QiMeasure.id == MeasureDataPoint.measure_id)
        .where(MeasureDataPoint.update_id == update.id).limit(1))).first()
    data_point = None
    if point is not None:
        value, measure = point
        data_point = (f"{measure.name} ({measure.kind}): {value.value.normalize():f}"
                      f"{' ' + measure.unit if measure.unit else ''} on {value.observed_on.isoformat()}")
    return UpdateView(id=update.id, author_id=update.author_id, project_id=update.project_id,
                      project_title=project.title if project else None, tried=update.tried, learned=update.learned,
                      pdsa_stage=update.pdsa_stage, progress_score=update.progress_score,
                      help_wanted=update.help_wanted, kudos=kudos or 0, data_point=data_point,
                      post_status=update.post_status, channel_id=update.channel_id, ts=update.ts)


async def parent_post_pending(session: AsyncSession, project_id: int) -> bool:
    return await session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.purpose == PARENT_POST, OutboxMessage.subject_id == project_id,
        OutboxMessage.status == "pending")) > 0


async def updates_waiting_for_parent(session: AsyncSession, project_id: int) -> list[QiUpdate]:
    """Pending updates of a project that have no post queued yet (they wait for the thread), oldest first."""
    queued = select(OutboxMessage.subject_id).where(OutboxMessage.purpose == UPDATE_POST,
                                                    OutboxMessage.subject_id.is_not(None))
    return list((await session.scalars(
        select(QiUpdate).where(QiUpdate.project_id == project_id, QiUpdate.post_status == "pending",
                               QiUpdate.id.not_in(queued))
        .order_by(QiUpdate.id))).all())


async def last_update_at(session: AsyncSession, project_ids: list[int]) -> dict[int, datetime]:
    rows = await session.execute(
        select(QiUpdate.project_id, func.max(QiUpdate.created_at))
        .where(QiUpdate.project_id.in_(project_ids), QiUpdate.post_status != "deleted")
        .group_by(QiUpdate.project_id))
    return {project_id: at for project_id, at in rows.all()}
