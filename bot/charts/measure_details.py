"""What a run chart needs to know about a measure beyond its name: which way is better, its unit, a goal,
and how many first points form the baseline. The project's owner (or an admin) sets them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from bot.core import phi
from bot.core.audit import record
from bot.core.runtime import Runtime
from storage.models import QiMeasure, QiProject

UNIT_LIMIT = 40
MAX_BASELINE = 100


class NotAllowed(Exception):
    """Only the project's owner or an admin may change its measures."""


class NotFound(Exception):
    """No such measure in this team."""


@dataclass(frozen=True)
class MeasureDetails:
    direction: str | None  # "up" (higher is better), "down", or None: not said
    unit: str | None
    goal: Decimal | None
    baseline_points: int | None
    change_on: date | None = None  # a change adopted on this date starts a new part of the chart


@dataclass(frozen=True)
class MeasureForm:
    measure_id: int
    name: str
    project_title: str
    details: MeasureDetails


async def _measure(session, team_id: str, measure_id: int) -> tuple[QiMeasure, QiProject]:
    found = (await session.execute(select(QiMeasure, QiProject).join(QiProject, QiProject.id == QiMeasure.project_id)
                                   .where(QiMeasure.team_id == team_id, QiMeasure.id == measure_id))).first()
    if found is None:
        raise NotFound
    return found[0], found[1]


def may_change(runtime: Runtime, owner_id: str, user_id: str) -> bool:
    return user_id == owner_id or runtime.settings.is_admin(user_id)


async def measure_form(runtime: Runtime, *, team_id: str, user_id: str, measure_id: int) -> MeasureForm:
    async with runtime.db.session() as session:
        measure, project = await _measure(session, team_id, measure_id)
        if not may_change(runtime, project.owner_id, user_id):
            raise NotAllowed
        return MeasureForm(measure.id, measure.name, project.title, MeasureDetails(
            measure.direction, measure.unit, measure.goal, measure.baseline_points, measure.change_on))


async def save_measure_details(runtime: Runtime, *, team_id: str, user_id: str, measure_id: int,
                               details: MeasureDetails) -> None:
    """Store them (the unit through the PHI gate like every text), audited, in one transaction."""
    if details.direction not in ("up", "down", None):
        raise ValueError("direction must be up, down or None")
    if details.baseline_points is not None and not 1 <= details.baseline_points <= MAX_BASELINE:
        raise ValueError("baseline out of range")
    unit = phi.guard(runtime.settings.staff_email_domains, unit=details.unit)["unit"]
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        measure, project = await _measure(session, team_id, measure_id)
        if not may_change(runtime, project.owner_id, user_id):
            raise NotAllowed
        measure.direction, measure.goal, measure.baseline_points = details.direction, details.goal, details.baseline_points
        measure.change_on = details.change_on
        measure.unit = (unit or "").strip()[:UNIT_LIMIT] or None
        record(session, team_id=team_id, actor_id=user_id, action="qi_measure.details_changed",
               subject=f"qi_measure:{measure.id}", at=now,
               detail={"direction": details.direction, "baseline_points": details.baseline_points,
                       "goal": None if details.goal is None else str(details.goal),
                       "change_on": details.change_on.isoformat() if details.change_on else None})
