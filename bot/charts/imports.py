"""Importing a whole series from a CSV: a dry run first (what would be added or replaced, and every row's
problem), then the import in ONE transaction: all rows or none, audited, each measure's signals looked at.

A date a measure already has is asked about as the quick entry asks: the member chooses to replace the
stored values or keep both, and nothing is stored until they have. The import reads the file again and
plans again, so a point added meanwhile is asked about too, not overwritten unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.csv_import import MeasureRef, ReadFile, RowError, read_series
from bot.charts.data_points import Mode, NotAllowed, may_add
from bot.charts.dates import members_today
from bot.charts.measure_charts import project_with_measures
from bot.core.audit import record
from bot.core.runtime import Runtime
from storage.models import MeasureDataPoint, QiProject


@dataclass(frozen=True)
class MeasurePlan:
    measure_id: int
    name: str
    points: int
    first_on: date
    last_on: date
    already: tuple[date, ...]  # dates it has a stored value on that the file has too


@dataclass(frozen=True)
class ImportPlan:
    slug: str
    title: str
    points: int
    measures: tuple[MeasurePlan, ...]
    errors: tuple[RowError, ...]
    stored: bool = False  # the import happened (only when no errors and the duplicates were decided)
    mode: Mode = "new"

    @property
    def duplicates(self) -> int:
        return sum(len(m.already) for m in self.measures)


async def plan_import(runtime: Runtime, *, team_id: str, user_id: str, slug: str, raw: bytes,
                      measure_id: int | None) -> ImportPlan:
    """The dry run: nothing is stored. Raises csv_import.FileRefused, ChartUnavailable or NotAllowed."""
    async with runtime.db.session() as session:
        project, read = await _read(runtime, session, team_id, user_id, slug, raw, measure_id)
        return await _plan(session, project, read)


async def import_series(runtime: Runtime, *, team_id: str, user_id: str, slug: str, raw: bytes,
                        measure_id: int | None, mode: Mode) -> ImportPlan:
    """Store every row, or none: with row errors, or with dates already stored and `mode` "new", the plan
    comes back unstored for the member to see (or choose)."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        project, read = await _read(runtime, session, team_id, user_id, slug, raw, measure_id)
        plan = await _plan(session, project, read)
        if plan.errors or not plan.points or (plan.duplicates and mode == "new"):
            return plan
        if mode == "replace":
            for measure in plan.measures:
                if measure.already:
                    await session.execute(delete(MeasureDataPoint).where(
                        MeasureDataPoint.team_id == team_id, MeasureDataPoint.measure_id == measure.measure_id,
                        MeasureDataPoint.observed_on.in_(measure.already)))
        await session.execute(insert(MeasureDataPoint), [
            {"team_id": team_id, "measure_id": row.measure_id, "value": row.value, "observed_on": row.on,
             "recorded_by": user_id, "created_at": now} for row in read.rows])
        for measure in plan.measures:
            record(session, team_id=team_id, actor_id=user_id, action="qi_measure.data_imported",
                   subject=f"qi_measure:{measure.measure_id}", at=now,
                   detail={"points": measure.points, "first_on": measure.first_on.isoformat(),
                           "last_on": measure.last_on.isoformat(),
                           "replaced": len(measure.already) if mode == "replace" else 0})
    for measure in plan.measures:
        runtime.data_point_added(team_id, measure.measure_id)
    return ImportPlan(plan.slug, plan.title, plan.points, plan.measures, (), stored=True, mode=mode)


async def _read(runtime: Runtime, session: AsyncSession, team_id: str, user_id: str, slug: str, raw: bytes,
                measure_id: int | None) -> tuple[QiProject, ReadFile]:
    project = await project_with_measures(session, team_id, slug)
    if not may_add(runtime, project, user_id):
        raise NotAllowed
    measures = [MeasureRef(m.id, m.name, m.kind, m.unit) for m in project.measures]
    today = await members_today(runtime, session, team_id, user_id)
    return project, read_series(raw, measures, measure_id=measure_id, today=today,
                                staff_domains=runtime.settings.staff_email_domains)


async def _plan(session: AsyncSession, project: QiProject, read: ReadFile) -> ImportPlan:
    by_measure: dict[int, list[date]] = {}
    for row in read.rows:
        by_measure.setdefault(row.measure_id, []).append(row.on)
    names = {m.id: m.name for m in project.measures}
    stored = {tuple(row) for row in (await session.execute(select(MeasureDataPoint.measure_id, MeasureDataPoint.observed_on).where(
        MeasureDataPoint.team_id == project.team_id,
        MeasureDataPoint.measure_id.in_(list(by_measure))))).all()} if by_measure else set()
    measures = tuple(
        MeasurePlan(measure_id, names[measure_id], len(dates), min(dates), max(dates),
                    tuple(sorted(d for d in set(dates) if (measure_id, d) in stored)))
        for measure_id, dates in sorted(by_measure.items(), key=lambda item: list(names).index(item[0])))
    return ImportPlan(project.slug, project.title, len(read.rows), measures, read.errors)
