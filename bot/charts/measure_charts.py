"""A project measure's run chart from what is stored: pick the measure, read its points, analyse, draw.

Projects are the community's shared work, so any member of the team may chart any of its projects;
the data points carry no personal data (numbers and dates). Rendering is CPU work of a few hundred
milliseconds, so it runs in a worker thread (render.py keeps no global figure state) and the event
loop keeps answering Slack meanwhile.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.analysis import TOO_EARLY_BELOW, ChartAnalysis, Point, Series, analyse
from bot.charts.export import series_csv
from bot.charts.markers import Note, markers, notes_of
from bot.charts.render import alt_text, render_run_chart
from bot.core import phi
from bot.core.runtime import Runtime
from bot.core.text import plural
from storage.models import MeasureDataPoint, QiMeasure, QiProject

FEWEST_POINTS = 2  # a line needs two points; the analysis itself says when it is too early to call


class ChartUnavailable(Exception):
    """Why no chart could be drawn, in words for the member."""


@dataclass(frozen=True)
class MeasureChart:
    owner_id: str
    measure_id: int
    slug: str
    measure_name: str
    points: int
    png: bytes  # empty unless drawn
    csv: str  # the series with the analysis beside each point
    alt_text: str
    summary: str  # the analysis in words
    channel_id: str | None  # the project's thread, when its card is in a channel
    thread_ts: str | None
    other_measures: tuple[str, ...]


async def measure_chart(runtime: Runtime, *, team_id: str, slug: str, measure: str = "",
                        draw: bool = True) -> MeasureChart:
    """The chart of `measure` (a name, part of one, or its number in the list) of the project `slug`;
    with no measure, the first outcome measure that has data, else the first measure with data.
    `draw=False` leaves the PNG out (a CSV export needs only the analysis)."""
    async with runtime.db.session() as session:
        project = await project_with_measures(session, team_id, slug)
        counts = await _point_counts(session, team_id, [m.id for m in project.measures])
        chosen = choose_measure(project.measures, measure.strip(), counts)
        rows = await points_of(session, team_id, chosen.id)
        notes = await notes_of(session, team_id, project.id)
        names = tuple(m.name for m in project.measures if m.id != chosen.id)
        slug, title, channel_id, thread_ts = project.slug, project.title, project.channel_id, project.thread_ts
        owner_id = project.owner_id
    if len(rows) < FEWEST_POINTS:
        raise ChartUnavailable(
            f"\"{chosen.name}\" has {plural(len(rows), 'data point')} so far; a run chart needs at least "
            f"{FEWEST_POINTS} (and {TOO_EARLY_BELOW} before it can call a signal). Add one with \"Add data\" on the "
            f"project's card, or `/qi-share #{slug} data NAME=VALUE DATE`.")
    series = series_of(chosen, rows, notes)
    analysis = analyse(series)
    chart_title = f"{chosen.name} ({title})"
    png = await asyncio.to_thread(render_run_chart, series, analysis, title=chart_title, unit=chosen.unit) if draw else b""
    return MeasureChart(owner_id=owner_id, measure_id=chosen.id, slug=slug, measure_name=chosen.name,
                        points=len(rows), png=png, csv=series_csv(series, analysis),
                        alt_text=alt_text(analysis, title=chart_title, series=series), summary=_summary(analysis, series),
                        channel_id=channel_id, thread_ts=thread_ts, other_measures=names)


async def project_with_measures(session: AsyncSession, team_id: str, slug: str) -> QiProject:
    """The team's project `#slug` (the `#` optional), or ChartUnavailable saying why it has nothing to chart."""
    slug = slug.lstrip("#").lower()
    project = await session.scalar(select(QiProject).where(QiProject.team_id == team_id, QiProject.slug == slug))
    if project is None:
        raise ChartUnavailable(f"I can't find a project called `#{slug}`. `/qi-share list` shows yours.")
    if not project.measures:
        raise ChartUnavailable(f"`#{slug}` has no measures yet. Its owner can add them with Edit on the "
                               "project's card (for example `outcome: % discharge summaries sent in 48 h`).")
    return project


async def points_of(session: AsyncSession, team_id: str, measure_id: int) -> list[MeasureDataPoint]:
    return list((await session.scalars(select(MeasureDataPoint).where(
        MeasureDataPoint.team_id == team_id, MeasureDataPoint.measure_id == measure_id)
        .order_by(MeasureDataPoint.observed_on, MeasureDataPoint.id))).all())


def series_of(measure: QiMeasure, rows: list[MeasureDataPoint], notes: list[Note] | None = None) -> Series:
    """The measure's points, oldest first, with what its owner said: which way is better, goal, baseline,
    the date a change was adopted (the points from then on are a new part with its own centre line), and
    the project's notes as markers."""
    points = tuple(Point(r.observed_on, _plain(r.value)) for r in rows)
    split = next((i for i, r in enumerate(rows) if measure.change_on and r.observed_on >= measure.change_on), None)
    splits = (split,) if split is not None and 0 < split < len(rows) else ()
    return Series(points=points, annotations=markers(points, notes or []),
                  direction=measure.direction if measure.direction in ("up", "down") else None,  # type: ignore[arg-type]
                  baseline=_baseline(measure.baseline_points, splits[0] if splits else len(rows)), goal=measure.goal,
                  splits=splits)


async def _point_counts(session: AsyncSession, team_id: str, measure_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(select(MeasureDataPoint.measure_id, func.count()).where(
        MeasureDataPoint.team_id == team_id, MeasureDataPoint.measure_id.in_(measure_ids))
        .group_by(MeasureDataPoint.measure_id))
    return dict(rows.all())


def choose_measure(measures: list[QiMeasure], wanted: str, counts: dict[int, int]) -> QiMeasure:
    if not wanted:
        with_data = [m for m in measures if counts.get(m.id)]
        outcome = [m for m in with_data if m.kind == "outcome"]
        return (outcome or with_data or measures)[0]
    if wanted.isdigit() and 1 <= int(wanted) <= len(measures):
        return measures[int(wanted) - 1]
    lowered = wanted.lower()
    found = ([m for m in measures if m.name.lower() == lowered]
             or [m for m in measures if m.name.lower().startswith(lowered)]
             or [m for m in measures if lowered in m.name.lower()])
    if len(found) == 1 or (found and found[0].name.lower() == lowered):
        return found[0]
    listed = "; ".join(f"{i}. {m.name}" for i, m in enumerate(measures, start=1))
    if phi.scan(wanted):  # never repeat what looks like a patient identifier back
        raise ChartUnavailable(f"That measure's name looks like it holds a patient identifier; I kept nothing. "
                               f"Its measures: {listed}.")
    if found:
        raise ChartUnavailable(f"\"{wanted}\" fits more than one measure: {listed}. Give more of the name, or its number.")
    raise ChartUnavailable(f"This project has no measure called \"{wanted}\". Its measures: {listed}.")


def _plain(value: Decimal) -> Decimal:
    """A stored 11.0000 as 11 and 62.5000 as 62.5 (normalize alone would write 100 as 1E+2)."""
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def _baseline(points: int | None, n: int) -> int | None:
    # A baseline longer than the data so far (or than the part before the change) covers all of it.
    return min(points, n) if points else None


def _summary(analysis: ChartAnalysis, series: Series) -> str:
    words = analysis.describe()
    if series.direction is None:
        words += (" Nobody has said yet whether higher or lower is better for this measure, so a signal is not "
                  "called an improvement or a deterioration.")
    return words
