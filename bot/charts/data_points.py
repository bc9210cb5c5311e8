"""Data points typed in one line (`/qi-share #slug data falls=3 2026-11-30`): stored, audited, one transaction.

Who may add: the project's owner, its team and admins, as for updates. A point on a date the measure
already has is not stored until the member says whether it replaces the old one or sits beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.annotations import stage_note
from bot.charts.dates import check_date, members_today
from bot.charts.measure_charts import ChartUnavailable, choose_measure, project_with_measures
from bot.charts.numbers import NotANumber, check_unit
from bot.core.audit import record
from bot.core.runtime import Runtime
from storage.models import MeasureDataPoint, QiMeasure, QiProject

Mode = Literal["new", "replace", "keep_both"]


class NotAllowed(Exception):
    """Only the project's team (and admins) add its data."""


class WrongUnit(ChartUnavailable):
    """A value typed in another unit than its measure's (62% for days)."""


@dataclass(frozen=True)
class Reading:
    measure: str  # what the member typed: a name, part of one, or its number
    value: Decimal
    measure_id: int | None = None  # instead, when a button carries the reading back
    unit: str | None = None  # "%" when typed with one: it must be the measure's


@dataclass(frozen=True)
class Added:
    slug: str
    measure_id: int
    measure_name: str
    value: Decimal
    observed_on: date
    duplicate: bool = False  # a point on that date exists: nothing stored, ask replace or keep both


async def add_points(runtime: Runtime, *, team_id: str, user_id: str, slug: str, readings: list[Reading],
                     observed_on: date | None, mode: Mode = "new", note: str | None = None) -> list[Added]:
    """Store every reading, or none: a bad measure name, unit or date raises ChartUnavailable with the words to
    show; a duplicate date (with mode "new") comes back marked, and nothing at all is stored. A `note` (the
    Add data form's) goes on the chart on that date in the same transaction (annotations.stage_note)."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        project = await project_with_measures(session, team_id, slug)
        if not may_add(runtime, project, user_id):
            raise NotAllowed
        slug = project.slug
        today = await members_today(runtime, session, team_id, user_id)
        on = observed_on or today
        check_date(on, today)
        chosen = [(_measure(project, r), r.value) for r in readings]
        for (measure, _), reading in zip(chosen, readings, strict=True):
            try:
                check_unit(reading.unit, measure.unit)
            except NotANumber as why:
                raise WrongUnit(f"{measure.name}: {why}") from None
        existing = {measure.id: await _points_on(session, team_id, measure.id, on) for measure, _ in chosen}
        added = [Added(slug, measure.id, measure.name, value, on, duplicate=bool(existing[measure.id]))
                 for measure, value in chosen]
        if mode == "new" and any(a.duplicate for a in added):
            return added  # the transaction stores nothing: the member chooses first
        if note and note.strip():
            await stage_note(runtime, session, project, user_id=user_id, on=on, text=note, now=now)
        for measure, value in chosen:
            if mode == "replace":
                for old in existing[measure.id]:
                    await session.delete(old)
            session.add(MeasureDataPoint(team_id=team_id, measure_id=measure.id, value=value, observed_on=on,
                                         recorded_by=user_id, created_at=now))
            record(session, team_id=team_id, actor_id=user_id, action="qi_measure.data_added",
                   subject=f"qi_measure:{measure.id}", at=now,
                   detail={"observed_on": on.isoformat(), "replaced": mode == "replace"})
    for measure_id in {a.measure_id for a in added}:
        runtime.data_point_added(team_id, measure_id)
    return [Added(a.slug, a.measure_id, a.measure_name, a.value, a.observed_on) for a in added]


def may_add(runtime: Runtime, project: QiProject, user_id: str) -> bool:
    return (runtime.settings.is_admin(user_id) or project.owner_id == user_id
            or any(m.slack_user_id == user_id for m in project.members))


async def has_point_on(runtime: Runtime, *, team_id: str, measure_id: int, on: date) -> bool:
    """Whether the measure has a value on that date (the /qi-share form asks the member to choose elsewhere)."""
    async with runtime.db.session() as session:
        return bool(await _points_on(session, team_id, measure_id, on))


async def _points_on(session: AsyncSession, team_id: str, measure_id: int, on: date) -> list[MeasureDataPoint]:
    return list((await session.scalars(select(MeasureDataPoint).where(
        MeasureDataPoint.team_id == team_id, MeasureDataPoint.measure_id == measure_id,
        MeasureDataPoint.observed_on == on))).all())


def _measure(project: QiProject, reading: Reading) -> QiMeasure:
    if reading.measure_id is None:
        return choose_measure(project.measures, reading.measure, {})
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
    async with runtime.db.session() as session:
        project = await project_with_measures(session, team_id, slug)
        return ProjectMeasures(project.slug, project.title, tuple((m.id, m.name) for m in project.measures))


async def remove_points(runtime: Runtime, *, team_id: str, user_id: str, slug: str, measure: str,
                        observed_on: date) -> tuple[str, int]:
    """Remove a measure's points on a date: (the measure's name, how many went). The project's owner, an
    admin, or whoever recorded a point may remove it; each removal is audited with the value it had."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        project = await project_with_measures(session, team_id, slug)
        chosen = choose_measure(project.measures, measure, {})
        points = await _points_on(session, team_id, chosen.id, observed_on)
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
