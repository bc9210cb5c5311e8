"""New run-chart signals after a data point: each found once, a better one told to the project's thread,
a worse one to its owner alone (a team's setback is theirs to share).

A signal is known by its measure, rule and first point, so a run that grows by a point is the same
signal, not a new one; and a signal on points an earlier one of the same verdict covers (a trend that
becomes a shift, then a long run) is stored but not told again. Found signals are stored with their
announcements queued in the same transaction; the unique key makes two replicas store and tell each once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.analysis import TOO_EARLY_BELOW, analyse
from bot.charts.measure_charts import points_of, series_of
from bot.core.runtime import Runtime
from storage.models import ChartSignal, QiMeasure, QiProject

ANNOUNCED_RULES = ("longest_run", "shift", "trend", "outside_limits")  # rules a run of points makes
ANNOUNCE = "chart_signal"  # outbox purpose


@dataclass(frozen=True)
class NewSignal:
    project_title: str
    slug: str
    measure_name: str
    verdict: str  # improvement | deterioration
    rule: str
    points: int
    first_on: date
    last_on: date
    words: str  # the part's analysis in words
    announce: bool = True  # False when it overlaps a signal already told (the same change, seen by another rule)


# A signal -> its message's arguments (text, blocks); handlers build them, Block Kit lives there.
Announcer = Callable[[NewSignal], dict[str, Any]]


async def note_new_signals(runtime: Runtime, announce: Announcer, *, team_id: str, measure_id: int) -> list[NewSignal]:
    """Analyse the measure's series and store and announce the signals not seen before."""
    async with runtime.db.session() as session:
        found = (await session.execute(select(QiMeasure, QiProject).join(QiProject, QiProject.id == QiMeasure.project_id)
                                       .where(QiMeasure.team_id == team_id, QiMeasure.id == measure_id))).first()
        if found is None:
            return []
        measure, project = found
        rows = await points_of(session, team_id, measure_id)
        stored = (await session.scalars(select(ChartSignal).where(ChartSignal.measure_id == measure_id))).all()
    known = {(s.rule, s.first_on) for s in stored}
    told = [(s.verdict, s.first_on, s.last_on) for s in stored]
    if len(rows) < TOO_EARLY_BELOW:
        return []
    series = series_of(measure, rows)
    analysis = analyse(series)
    fresh: list[NewSignal] = []
    for part in analysis.parts:
        if part.too_early:
            continue
        for signal in part.signals:
            if signal.rule not in ANNOUNCED_RULES or signal.verdict == "unclear":
                continue
            first_on, last_on = series.points[signal.indices[0]].on, series.points[signal.indices[-1]].on
            if (signal.rule, first_on) in known:
                continue
            known.add((signal.rule, first_on))
            # A trend, then a shift, then a long run on the same points are one change: told once.
            same_change = any(v == signal.verdict and first_on <= last and first <= last_on for v, first, last in told)
            told.append((signal.verdict, first_on, last_on))
            fresh.append(NewSignal(project.title, project.slug, measure.name, signal.verdict, signal.rule,
                                   len(signal.indices), first_on, last_on, part.describe(), announce=not same_change))
    if not fresh:
        return []
    return await _store(runtime, announce, team_id=team_id, measure_id=measure_id, project=project, fresh=fresh)


async def _store(runtime: Runtime, announce: Announcer, *, team_id: str, measure_id: int, project: QiProject,
                 fresh: list[NewSignal]) -> list[NewSignal]:
    now: datetime = runtime.clock.now()
    try:
        async with runtime.db.session() as session, session.begin():
            for new in fresh:
                session.add(ChartSignal(team_id=team_id, measure_id=measure_id, rule=new.rule, verdict=new.verdict,
                                        first_on=new.first_on, last_on=new.last_on, points=new.points, found_at=now))
                if not new.announce:
                    continue
                # Better: the team's thread, where the work is discussed (or the owner, while the project
                # has no thread yet). Worse: the owner alone.
                public = new.verdict == "improvement" and project.channel_id and project.thread_ts
                where = ({"channel": project.channel_id, "thread_ts": project.thread_ts} if public
                         else {"channel": project.owner_id})
                await runtime.outbox.enqueue(session, team_id=team_id, method="chat.postMessage", purpose=ANNOUNCE,
                                             subject_id=measure_id, args={**where, **announce(new)})
    except IntegrityError:
        return []  # another process stored (and announced) them first
    return fresh


async def signals_between(session: AsyncSession, team_id: str, since: datetime, until: datetime) -> list[NewSignal]:
    """Signals of improvement found in [since, until), for the weekly digest; newest first."""
    rows = (await session.execute(
        select(ChartSignal, QiMeasure, QiProject).join(QiMeasure, QiMeasure.id == ChartSignal.measure_id)
        .join(QiProject, QiProject.id == QiMeasure.project_id)
        .where(ChartSignal.team_id == team_id, ChartSignal.verdict == "improvement",
               ChartSignal.found_at >= since, ChartSignal.found_at < until)
        .order_by(ChartSignal.found_at.desc(), ChartSignal.id.desc()))).all()
    return [NewSignal(p.title, p.slug, m.name, s.verdict, s.rule, s.points, s.first_on, s.last_on, "")
            for s, m, p in rows]
