"""Data points typed in one line (`/qi-share #slug data falls=3 2026-11-30`): stored, audited, one transaction.

Who may add: the project's owner, its team and admins, as for updates. A point on a date the measure
already has is not stored until the member says whether it replaces the old one or sits beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy import select

from bot.charts.measure_charts import ChartUnavailable, choose_measure
from bot.core.audit import record
from bot.core.members import get_member, member_today
from bot.core.runtime import Runtime
from storage.models import MeasureDataPoint, QiMeasure, QiProject

OLDEST = timedelta(days=3653)  # ten years back
Mode = Literal["new", "replace", "keep_both"]


class NotAllowed(Exception):
    """Only the project's team (and admins) add its data."""


@dataclass(frozen=True)
class Reading:
    measure: str  # what the member typed: a name, part of one, or its number
    value: Decimal
    measure_id: int | None = None  # instead, when a button carries the reading back


@dataclass(frozen=True)
class Added:
    slug: str
    measure_id: int
    measure_name: str
    value: Decimal
    observed_on: date
    duplicate: bool = False  # a point on that date exists: nothing stored, ask replace or keep both


async def add_points(runtime: Runtime, *, team_id: str, user_id: str, slug: str, readings: list[Reading],
                     observed_on: date | None, mode: Mode = "new") -> list[Added]:
    """Store every reading, or none: a bad measure name or date raises ChartUnavailable with the words to
    show; a duplicate date (with mode "new") comes back marked, and nothing at all is stored."""
    slug = slug.lstrip("#").lower()
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        project = await session.scalar(select(QiProject).where(QiProject.team_id == team_id, QiProject.slug == slug))
        if project is None:
            raise ChartUnavailable(f"I can't find a project called `#{slug}`. `/qi-share list` shows yours.")
        if not (runtime.settings.is_admin(user_id) or project.owner_id == user_id
                or any(m.slack_user_id == user_id for m in project.members)):
            raise NotAllowed
        if not project.measures:
            raise ChartUnavailable(f"`#{slug}` has no measures yet: its owner can add them with Edit on its card.")
        member = await get_member(session, team_id, user_id)
        today = member_today(runtime, member) if member else now.astimezone(runtime.settings.tz).date()
        on = observed_on or today
        if on > today:
            raise ChartUnavailable(f"{on:%d %b %Y} is in the future: give the date the value was measured.")
        if on < today - OLDEST:
            raise ChartUnavailable(f"{on:%d %b %Y} is more than ten years ago: check the year.")
        counts: dict[int, int] = {}
        chosen = [(_measure(project, r, counts), r.value) for r in readings]
        added = []
        for measure, value in chosen:
            existing = (await session.scalars(select(MeasureDataPoint).where(
                MeasureDataPoint.team_id == team_id, MeasureDataPoint.measure_id == measure.id,
                MeasureDataPoint.observed_on == on))).all()
            added.append(Added(slug, measure.id, measure.name, value, on, duplicate=bool(existing)))
        if mode == "new" and any(a.duplicate for a in added):
            return added  # the transaction stores nothing: the member chooses first
        for measure, value in chosen:
            if mode == "replace":
                for old in (await session.scalars(select(MeasureDataPoint).where(
                        MeasureDataPoint.team_id == team_id, MeasureDataPoint.measure_id == measure.id,
                        MeasureDataPoint.observed_on == on))).all():
                    await session.delete(old)
            session.add(MeasureDataPoint(team_id=team_id, measure_id=measure.id, value=value, observed_on=on,
                                         recorded_by=user_id, created_at=now))
            record(session, team_id=team_id, actor_id=user_id, action="qi_measure.data_added",
                   subject=f"qi_measure:{measure.id}", at=now,
                   detail={"observed_on": on.isoformat(), "replaced": mode == "replace"})
    for measure_id in {a.measure_id for a in added}:
        runtime.data_point_added(team_id, measure_id)
    return [Added(a.slug, a.measure_id, a.measure_name, a.value, a.observed_on) for a in added]


def _measure(project: QiProject, reading: Reading, counts: dict[int, int]) -> QiMeasure:
    if reading.measure_id is None:
        return choose_measure(project.measures, reading.measure, counts)
    found = next((m for m in project.measures if m.id == reading.measure_id), None)
    if found is None:
        raise ChartUnavailable("That measure is no longer in the project: nothing was stored.")
    return found


@dataclass(frozen=True)
class ProjectMeasures:
    slug: str
    title: str
    measures: tuple[tuple[int, str], ...]  # (id, name)


async def measures_of(runtime: Runtime, *, team_id: str, slug: str) -> ProjectMeasures:
    """For the "Add data" form: the project's measures, or ChartUnavailable saying why there are none."""
    slug = slug.lstrip("#").lower()
    async with runtime.db.session() as session:
        project = await session.scalar(select(QiProject).where(QiProject.team_id == team_id, QiProject.slug == slug))
        if project is None:
            raise ChartUnavailable(f"I can't find a project called `#{slug}`. `/qi-share list` shows yours.")
        if not project.measures:
            raise ChartUnavailable(f"`#{slug}` has no measures yet: its owner can add them with Edit on its card.")
        return ProjectMeasures(slug, project.title, tuple((m.id, m.name) for m in project.measures))


async def remove_points(runtime: Runtime, *, team_id: str, user_id: str, slug: str, measure: str,
                        observed_on: date) -> tuple[str, int]:
    """Remove a measure's points on a date: (the measure's name, how many went). The project's owner, an
    admin, or whoever recorded a point may remove it; each removal is audited with the value it had."""
    slug = slug.lstrip("#").lower()
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        project = await session.scalar(select(QiProject).where(QiProject.team_id == team_id, QiProject.slug == slug))
        if project is None:
            raise ChartUnavailable(f"I can't find a project called `#{slug}`. `/qi-share list` shows yours.")
        if not project.measures:
            raise ChartUnavailable(f"`#{slug}` has no measures yet.")
        chosen = choose_measure(project.measures, measure, {})
        points = (await session.scalars(select(MeasureDataPoint).where(
            MeasureDataPoint.team_id == team_id, MeasureDataPoint.measure_id == chosen.id,
            MeasureDataPoint.observed_on == observed_on))).all()
        owner = runtime.settings.is_admin(user_id) or project.owner_id == user_id
        mine = [p for p in points if owner or p.recorded_by == user_id]
        if points and not mine:
            raise NotAllowed
        for point in mine:
            record(session, team_id=team_id, actor_id=user_id, action="qi_measure.data_removed",
                   subject=f"qi_measure:{chosen.id}", at=now,
                   detail={"observed_on": observed_on.isoformat(), "value": str(point.value)})
            await session.delete(point)
    return chosen.name, len(mine)
