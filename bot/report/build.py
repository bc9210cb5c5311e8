"""The value-creation report as plain data: every indicator for a period beside the previous period,
participation by profession and career stage, twelve months of participation, and members' stories.

Only what an admin may see leaves here: counts of people under 5 are already "fewer than 5" (with
their complements), CPD credits are one total, never a member's, and stories are as their tellers
allowed. Handlers render it (Block Kit, the CSV, the PNG); the monthly job stores its headline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.runtime import Runtime
from bot.cpd.rules import format_credits
from bot.mentoring import vocabulary
from bot.report import queries
from bot.report.definitions import Indicator, definitions
from bot.report.periods import Period, add_months, parse_period
from bot.report.queries import Pair, Window
from bot.report.stories import Story, stories_between
from bot.report.suppression import FEWER, Cell, breakdown, people

CHART_MONTHS = 12
STORIES_SHOWN = 8
NOT_GIVEN = "Not given"  # no profession in their settings, or a member who asked to be forgotten
NONE_YET = "none"


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    current: str  # as shown: "12", "fewer than 5", "3.5", "none"
    previous: str


@dataclass(frozen=True)
class GroupRow:
    name: str
    current: Cell
    previous: Cell


@dataclass(frozen=True)
class MonthActivity:
    month: date
    active: Cell
    shares: int


@dataclass(frozen=True)
class ValueReport:
    period: Period
    previous: Period
    figures: tuple[Figure, ...]
    by_profession: tuple[GroupRow, ...]
    by_career_stage: tuple[GroupRow, ...]
    months: tuple[MonthActivity, ...]
    stories: tuple[Story, ...]  # the newest of the period, every consent (admins read them all)
    story_count: int

    def figure(self, indicator_id: str) -> Figure:
        return next(f for f in self.figures if f.indicator.id == indicator_id)


def _shown(indicator: Indicator, pair: Pair) -> tuple[str, str]:
    def one(value: int | Decimal | None, members: int | None) -> str:
        if indicator.unit == "credits":
            # A total of fewer than 5 members' credits could be one member's: never shown.
            return f"{FEWER} members" if (members or 0) < 5 else format_credits(Decimal(value or 0))
        if value is None:
            return NONE_YET
        if indicator.people:
            return str(people(int(value)))
        return str(value)

    return one(pair.current, pair.people_current), one(pair.previous, pair.people_previous)


def window_of(period: Period, tz: ZoneInfo) -> Window:
    start, end = period.bounds(tz)
    return Window(start=start, end=end, previous_start=period.previous().bounds(tz)[0], first=period.first,
                  last_day=period.end, previous_first=period.previous().first)


def _groups(found: dict[str | None, Pair], names: dict[str, str], totals: Pair) -> tuple[GroupRow, ...]:
    order = [key for key in names if key in found] + [key for key in found if key not in names]
    current = breakdown([int(found[key].current or 0) for key in order], int(totals.current or 0))
    previous = breakdown([int(found[key].previous or 0) for key in order], int(totals.previous or 0))
    return tuple(GroupRow(names.get(key or "", NOT_GIVEN) if key else NOT_GIVEN, now, before)
                 for key, now, before in zip(order, current, previous, strict=True))


async def build_report(session: AsyncSession, team_id: str, period: Period, tz: ZoneInfo) -> ValueReport:
    """The report for `period` (local months in `tz`): a fixed number of statements whatever the data."""
    window = window_of(period, tz)
    pairs = {indicator.id: await queries.QUERIES[indicator.id](session, team_id, window)
             for indicator in definitions().indicators}
    figures = tuple(Figure(indicator, *_shown(indicator, pairs[indicator.id])) for indicator in definitions().indicators)
    active = pairs["active_members"]
    professions = {c.id: c.name for c in vocabulary.disciplines()}
    stages = {c.id: c.name for c in vocabulary.career_stages()}
    by_profession = _groups(await queries.participation_by(session, team_id, window, "profession"), professions, active)
    by_stage = _groups(await queries.participation_by(session, team_id, window, "career_stage"), stages, active)

    first_month = add_months(period.end, -CHART_MONTHS)
    starts = [Period(add_months(first_month, n), 1).bounds(tz)[0] for n in range(CHART_MONTHS + 1)]
    monthly = await queries.monthly_activity(session, team_id, starts)
    months = tuple(MonthActivity(add_months(first_month, n), people(members), shared)
                   for n, (members, shared) in enumerate(monthly))
    stories, story_count = await stories_between(session, team_id, window.start, window.end, limit=STORIES_SHOWN)
    return ValueReport(period=period, previous=period.previous(), figures=figures, by_profession=by_profession,
                       by_career_stage=by_stage, months=months, stories=tuple(stories), story_count=story_count)


def local_today(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(runtime.settings.tz).date()


async def report_for(runtime: Runtime, team_id: str, text: str) -> ValueReport:
    """The report an admin asked for (`month`, `quarter`, `year`, `YYYY-MM..YYYY-MM`; empty: last month).

    Raises BadPeriod with what to tell them.
    """
    tz = runtime.settings.tz
    async with runtime.db.session() as session:
        first = await queries.first_activity(session, team_id)
        period = parse_period(text, local_today(runtime), first.astimezone(tz).date() if first else None)
        return await build_report(session, team_id, period, tz)


async def report_of(runtime: Runtime, team_id: str, period: Period) -> ValueReport:
    """The report for a period already decided (the monthly run: last month)."""
    async with runtime.db.session() as session:
        return await build_report(session, team_id, period, runtime.settings.tz)


HEADLINE = ("active_members", "shares", "questions_answered", "projects_started")


def headline(report: ValueReport) -> dict[str, object]:
    """What the admins' App Home keeps of the latest monthly report (stored with its claim)."""
    return {"period": report.period.key, "label": report.period.label, "before": report.previous.short,
            "figures": [[f.indicator.label, f.current, f.previous] for f in map(report.figure, HEADLINE)],
            "stories": report.story_count}

