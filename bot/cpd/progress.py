"""Progress against a framework's requirements, by framework year and cycle (DESIGN.md §5).

Framework years: "year Y" is the framework year that starts in calendar year Y. For MOC that is the
calendar year; for Mainpro+ it is 1 July Y to 30 June Y+1. A member's cycle is `cycle_years` such
years from their cycle start year. Pure: plain data in, plain data out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.cpd.rules import (
    ZERO,
    ActivityType,
    Framework,
    LoggedActivity,
    Requirements,
    Section,
    credits_for,
    format_credits,
    get_framework,
    in_force,
)


@dataclass(frozen=True)
class CpdMember:
    framework: str
    cycle_start_year: int
    annual_goal: Decimal | None  # in the framework's unit: credits, or hours for `hours`


@dataclass(frozen=True)
class SectionProgress:
    section: Section
    credits_year: Decimal
    credits_cycle: Decimal
    hours_year: Decimal
    hours_cycle: Decimal


@dataclass(frozen=True)
class Shortfall:
    label: str | None  # "Section 3"; None for the overall total
    amount: Decimal
    scope: Literal["year", "cycle", "goal"]
    unit: Literal["credits", "hours"]

    @property
    def text(self) -> str:
        """'Section 3: 19 more credits this cycle', '25 more credits this year'."""
        unit = self.unit.removesuffix("s") if self.amount == 1 else self.unit
        needed = f"{format_credits(self.amount)} more {unit}"
        if self.scope == "goal":
            return f"{needed} to reach your annual goal"
        return f"{self.label}: {needed} this {self.scope}" if self.label else f"{needed} this {self.scope}"


@dataclass(frozen=True)
class CapNote:
    activity: ActivityType
    cap: Decimal
    cut_cycle: Decimal  # credits over the cap, not counted this cycle
    cut_year: Decimal  # of which logged in the reported year

    @property
    def text(self) -> str:
        return (
            f"{self.activity.name} is capped at {format_credits(self.cap)} credits per cycle: "
            f"{format_credits(self.cut_cycle)} credit{'' if self.cut_cycle == 1 else 's'} over the cap "
            f"{'is' if self.cut_cycle == 1 else 'are'} not counted."
        )


@dataclass(frozen=True)
class CpdProgress:
    framework: Framework
    year: int
    year_start: dt.date
    year_end: dt.date
    cycle_start: dt.date
    cycle_end: dt.date
    sections: tuple[SectionProgress, ...]
    credits_year: Decimal  # after caps
    credits_cycle: Decimal
    hours_year: Decimal
    hours_cycle: Decimal
    annual_goal: Decimal | None
    year_requirements: Requirements | None  # in force on the first day of the year
    cycle_requirements: Requirements | None  # in force on the last day of the cycle (see the data file)
    still_needed: tuple[Shortfall, ...]
    caps: tuple[CapNote, ...]  # only caps that cut credits this cycle
    needs_reflection: tuple[int, ...]  # ids of this year's entries without a reflection
    year_deadline: dt.date | None
    cycle_deadline: dt.date | None
    deadline_passed: bool
    other_framework_entries: int  # logged under a framework the member has since left; not counted


# An entry in the cycle, its activity type and the credits it counts for after caps.
_Counted = tuple[LoggedActivity, ActivityType, Decimal]


def _credits(rows: Sequence[_Counted]) -> Decimal:
    return sum((credit for _, _, credit in rows), ZERO)


def _hours(rows: Sequence[_Counted]) -> Decimal:
    return sum((e.hours for e, a, _ in rows if a.unit == "hour" and e.hours is not None), ZERO)


def _apply_caps(
    framework: Framework,
    in_cycle: Sequence[LoggedActivity],
    cycle_end: dt.date,
    year: tuple[dt.date, dt.date],
) -> tuple[list[_Counted], tuple[CapNote, ...]]:
    """Credits each entry counts for under the per-cycle caps in force at the cycle's end.

    Caps are spent in date order (`in_cycle` is sorted): the credits logged after a cap is reached
    are the ones cut, so earlier years' totals never change when later entries are added.
    """
    caps: dict[str, Decimal] = {}
    used: dict[str, Decimal] = {}
    cut_cycle: dict[str, Decimal] = {}
    cut_year: dict[str, Decimal] = {}
    counted: list[_Counted] = []
    for entry in in_cycle:
        activity = framework.activity(entry.activity_type)
        credit = credits_for(entry)
        cap = in_force(activity.caps, cycle_end)
        if cap is not None:
            caps[activity.id] = cap.per_cycle
            allowed = min(credit, max(cap.per_cycle - used.get(activity.id, ZERO), ZERO))
            used[activity.id] = used.get(activity.id, ZERO) + allowed
            if allowed < credit:
                cut_cycle[activity.id] = cut_cycle.get(activity.id, ZERO) + credit - allowed
                if year[0] <= entry.date <= year[1]:
                    cut_year[activity.id] = cut_year.get(activity.id, ZERO) + credit - allowed
            credit = allowed
        counted.append((entry, activity, credit))
    notes = tuple(
        CapNote(framework.activity(activity_id), caps[activity_id], cut, cut_year.get(activity_id, ZERO))
        for activity_id, cut in cut_cycle.items()
    )
    return counted, notes


def cycle_start_for(member: CpdMember, year: int) -> int:
    """The first year of the member's cycle that contains `year` (cycles repeat every cycle_years)."""
    cycle_years = get_framework(member.framework).cycle_years
    return member.cycle_start_year + (year - member.cycle_start_year) // cycle_years * cycle_years


def progress(member: CpdMember, year: int, entries: Sequence[LoggedActivity], today: dt.date) -> CpdProgress:
    """Standing for framework year `year` and the cycle containing it."""
    framework = get_framework(member.framework)
    year_start, year_end = framework.year_bounds(year)
    first_year = cycle_start_for(member, year)
    cycle_start = framework.year_bounds(first_year)[0]
    cycle_end = framework.year_bounds(first_year + framework.cycle_years - 1)[1]

    mine = [e for e in entries if e.framework == framework.id]
    in_cycle = sorted((e for e in mine if cycle_start <= e.date <= cycle_end), key=lambda e: (e.date, e.id))

    counted, cap_notes = _apply_caps(framework, in_cycle, cycle_end, (year_start, year_end))
    this_year = [c for c in counted if year_start <= c[0].date <= year_end]

    def in_section(rows: list[_Counted], section_id: str) -> list[_Counted]:
        return [row for row in rows if row[1].section == section_id]

    sections = tuple(
        SectionProgress(
            section=section,
            credits_year=_credits(in_section(this_year, section.id)),
            credits_cycle=_credits(in_section(counted, section.id)),
            hours_year=_hours(in_section(this_year, section.id)),
            hours_cycle=_hours(in_section(counted, section.id)),
        )
        for section in framework.sections
    )
    credits_year, credits_cycle = _credits(this_year), _credits(counted)
    hours_year, hours_cycle = _hours(this_year), _hours(counted)
    unit: Literal["credits", "hours"] = "credits" if framework.awards_credits else "hours"

    year_requirements = framework.requirements_on(year_start)
    cycle_requirements = framework.requirements_on(cycle_end)
    needed: list[Shortfall] = []
    if year_requirements is not None and credits_year < year_requirements.per_year:
        needed.append(Shortfall(None, year_requirements.per_year - credits_year, "year", unit))
    achieved_year = credits_year if framework.awards_credits else hours_year
    goal = member.annual_goal
    # A goal at or under the annual minimum would only repeat the line above.
    if (
        goal is not None
        and achieved_year < goal
        and (year_requirements is None or goal > year_requirements.per_year)
    ):
        needed.append(Shortfall(None, goal - achieved_year, "goal", unit))
    if cycle_requirements is not None:
        if credits_cycle < cycle_requirements.per_cycle:
            needed.append(Shortfall(None, cycle_requirements.per_cycle - credits_cycle, "cycle", unit))
        for minimum in cycle_requirements.minimums:
            have = _credits([row for row in counted if minimum.counts(row[1])])
            if have < minimum.per_cycle:
                needed.append(Shortfall(minimum.label, minimum.per_cycle - have, "cycle", unit))

    year_deadline = framework.deadline_for(year_end)
    return CpdProgress(
        framework=framework,
        year=year,
        year_start=year_start,
        year_end=year_end,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
        sections=sections,
        credits_year=credits_year,
        credits_cycle=credits_cycle,
        hours_year=hours_year,
        hours_cycle=hours_cycle,
        annual_goal=member.annual_goal,
        year_requirements=year_requirements,
        cycle_requirements=cycle_requirements,
        still_needed=tuple(needed),
        caps=cap_notes,
        needs_reflection=tuple(
            e.id
            for e in sorted(mine, key=lambda e: (e.date, e.id))
            if year_start <= e.date <= year_end and not e.has_reflection
        ),
        year_deadline=year_deadline,
        cycle_deadline=framework.deadline_for(cycle_end),
        deadline_passed=year_deadline is not None and today > year_deadline,
        other_framework_entries=len(entries) - len(mine),
    )
