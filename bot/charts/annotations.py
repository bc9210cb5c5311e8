"""Notes on a project's run charts: a PDSA cycle, a new form, a staffing change, each on a date.

A note is the project's, shown on every measure's chart (a change reaches all of them) as a marker at
the first point on or after its date, and in the CSV export. The project's owner (or an admin) writes,
changes and removes them: one note a day, so writing on a date that has one changes it. Every text goes
through the PHI gate; the audit keeps who and when, never the words (those are the owner's to take back).

A PDSA stage change of an update is not turned into a marker: the stage is picked from a list on every
update (the form starts from the project's current one), so its change dates when someone posted, not
when a change reached the process, and a marker the owner did not write would crowd the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.dates import check_date, members_today
from bot.charts.markers import Note, notes_of
from bot.charts.measure_charts import ChartUnavailable, project_with_measures
from bot.charts.measure_details import may_change
from bot.core import phi
from bot.core.audit import record
from bot.core.runtime import Runtime
from storage.models import ChartAnnotation, QiProject

NOTE_LIMIT = 120  # a marker's label shows 30 characters; the CSV and the list show it all


class NotOwner(Exception):
    """Only the project's owner (or an admin) writes its notes."""


@dataclass(frozen=True)
class NoteSaved:
    slug: str
    on: date
    text: str
    changed: bool  # the date had a note, and this one replaced it


async def save_note(runtime: Runtime, *, team_id: str, user_id: str, slug: str, on: date, text: str) -> NoteSaved:
    """Write (or change) the project's note on `on`, audited, in one transaction."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        project = await project_with_measures(session, team_id, slug)
        changed = await stage_note(runtime, session, project, user_id=user_id, on=on, text=text, now=now)
        return NoteSaved(project.slug, on, clean_note(runtime, text), changed)


def clean_note(runtime: Runtime, text: str) -> str:
    """The note as stored: through the PHI gate (raises phi.ContainsPhi), one line, within NOTE_LIMIT."""
    clean = phi.guard(runtime.settings.staff_email_domains, note=text)["note"] or ""
    return " ".join(clean.split())[:NOTE_LIMIT]


async def stage_note(runtime: Runtime, session: AsyncSession, project: QiProject, *, user_id: str, on: date,
                     text: str, now: datetime) -> bool:
    """Add the note to the caller's transaction (the Add data form stores it with its point); True when it
    replaced the date's note. Raises NotOwner, ChartUnavailable (a bad date, no words) or phi.ContainsPhi."""
    if not may_change(runtime, project.owner_id, user_id):
        raise NotOwner
    check_date(on, await members_today(runtime, session, project.team_id, user_id))
    words = clean_note(runtime, text)
    if not words:
        raise ChartUnavailable("Write the note after the date: `note 2026-11-30 PDSA 2: new triage form`.")
    found = await _note_on(session, project, on)
    if found is None:
        session.add(ChartAnnotation(team_id=project.team_id, project_id=project.id, noted_on=on, text=words,
                                    written_by=user_id, created_at=now, updated_at=now))
    else:
        found.text, found.written_by, found.updated_at = words, user_id, now
    record(session, team_id=project.team_id, actor_id=user_id, action="chart_note.changed" if found else "chart_note.added",
           subject=f"qi_project:{project.id}", at=now, detail={"noted_on": on.isoformat()})
    return found is not None


async def remove_note(runtime: Runtime, *, team_id: str, user_id: str, slug: str, on: date) -> bool:
    """Take the project's note on `on` away (audited); False when there was none."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        project = await project_with_measures(session, team_id, slug)
        if not may_change(runtime, project.owner_id, user_id):
            raise NotOwner
        found = await _note_on(session, project, on)
        if found is None:
            return False
        await session.delete(found)
        record(session, team_id=team_id, actor_id=user_id, action="chart_note.removed",
               subject=f"qi_project:{project.id}", at=now, detail={"noted_on": on.isoformat()})
        return True


async def list_notes(runtime: Runtime, *, team_id: str, slug: str) -> tuple[str, list[Note]]:
    """The project's slug and its notes, oldest first."""
    async with runtime.db.session() as session:
        project = await project_with_measures(session, team_id, slug)
        return project.slug, await notes_of(session, team_id, project.id)


async def _note_on(session: AsyncSession, project: QiProject, on: date) -> ChartAnnotation | None:
    return await session.scalar(select(ChartAnnotation).where(
        ChartAnnotation.team_id == project.team_id, ChartAnnotation.project_id == project.id,
        ChartAnnotation.noted_on == on))
