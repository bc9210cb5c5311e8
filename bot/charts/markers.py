"""Notes as chart markers: each at the first point on or after its date (annotations.py writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.analysis import Annotation, Point
from storage.models import ChartAnnotation


@dataclass(frozen=True)
class Note:
    on: date
    text: str


async def notes_of(session: AsyncSession, team_id: str, project_id: int) -> list[Note]:
    rows = (await session.scalars(select(ChartAnnotation).where(
        ChartAnnotation.team_id == team_id, ChartAnnotation.project_id == project_id)
        .order_by(ChartAnnotation.noted_on))).all()
    return [Note(r.noted_on, r.text) for r in rows]


def markers(points: tuple[Point, ...], notes: list[Note]) -> tuple[Annotation, ...]:
    """Each note at the first point on or after its date. A note before the first point or after the last
    has no point to mark yet (the next point after it will carry it)."""
    labels: dict[int, list[str]] = {}
    index = 0
    for note in sorted(notes, key=lambda n: n.on):
        while index < len(points) and points[index].on < note.on:
            index += 1
        if index == len(points):
            break
        if note.on >= points[0].on:
            labels.setdefault(index, []).append(note.text)
    # Two notes before one point (weekly data, two changes that week) share its marker.
    return tuple(Annotation(i, "; ".join(texts)) for i, texts in labels.items())
