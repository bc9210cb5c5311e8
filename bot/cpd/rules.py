"""CPD credit rules, credits, progress against requirements, and CPD suggestions (DESIGN.md §5).

The rules live in bot/data/cpd_frameworks.toml as dated versions. Entries keep hours or a quantity
and an activity type; credits are always computed here from the version in force on the entry's
date, so a rule change never corrupts history. Pure: plain data in, plain data out.

Framework years: "year Y" is the framework year that starts in calendar year Y. For MOC that is the
calendar year; for Mainpro+ it is 1 July Y to 30 June Y+1. A member's cycle is `cycle_years` such
years from their cycle start year.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from typing import Literal, Protocol, TypeVar

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def format_credits(value: Decimal) -> str:
    """Credits or hours for people: 6, 0.5, 1.25 (two places at most, no trailing zeros)."""
    text = f"{_money(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- the rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateVersion:
    effective_from: dt.date
    rate: Decimal


@dataclass(frozen=True)
class CapVersion:
    effective_from: dt.date
    per_cycle: Decimal


@dataclass(frozen=True)
class Section:
    id: str
    name: str  # "Section 3"
    title: str  # "Assessment"
    label: str  # "S3", for narrow places such as CSV cells


@dataclass(frozen=True)
class ActivityType:
    id: str
    name: str
    section: str
    unit: Literal["hour", "item"]
    aliases: tuple[str, ...]
    item: str | None  # "article": what one unit of an item-rated activity is
    items: str | None  # "articles"
    rates: tuple[RateVersion, ...]
    caps: tuple[CapVersion, ...]


@dataclass(frozen=True)
class Minimum:
    """A per-cycle minimum over some sections and/or activity types (e.g. Mainpro+ certified assessment)."""

    label: str
    sections: frozenset[str]
    activities: frozenset[str]
    per_cycle: Decimal

    def counts(self, activity: ActivityType) -> bool:
        return activity.section in self.sections or activity.id in self.activities


@dataclass(frozen=True)
class Requirements:
    effective_from: dt.date
    per_cycle: Decimal
    per_year: Decimal
    minimums: tuple[Minimum, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SuggestionRule:
    activity: str | None  # None: the activity itself earns nothing
    explanation: str  # may name activity ids in braces, replaced by their rate text


_V = TypeVar("_V", RateVersion, CapVersion, Requirements)


def _in_force(versions: Sequence[_V], day: dt.date) -> _V | None:
    current = None
    for version in versions:  # sorted by effective_from when loaded
        if version.effective_from <= day:
            current = version
    return current


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    short_name: str
    sources: tuple[str, ...]
    awards_credits: bool  # False for `hours`: hours only
    year_start: tuple[int, int]  # (month, day)
    cycle_years: int
    reporting_deadline: tuple[int, int] | None
    default_activity: str
    type_hint: str  # how to pick another type in a quick entry
    examples: tuple[str, ...]  # quick-entry examples shown when text cannot be parsed
    sections: tuple[Section, ...]
    activities: Mapping[str, ActivityType]
    requirements: tuple[Requirements, ...]
    suggestions: Mapping[str, SuggestionRule]

    @property
    def rules_start(self) -> dt.date:
        """The first day we have rules for; earlier entries are refused rather than guessed."""
        if not self.awards_credits:
            return dt.date.min
        return min(v.effective_from for a in self.activities.values() for v in a.rates)

    def activity(self, activity_id: str) -> ActivityType:
        try:
            return self.activities[activity_id]
        except KeyError:
            raise ValueError(f"{self.id} has no activity type {activity_id!r}") from None

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def year_of(self, day: dt.date) -> int:
        return day.year if (day.month, day.day) >= self.year_start else day.year - 1

    def year_bounds(self, year: int) -> tuple[dt.date, dt.date]:
        month, day = self.year_start
        return dt.date(year, month, day), dt.date(year + 1, month, day) - dt.timedelta(days=1)

    def requirements_on(self, day: dt.date) -> Requirements | None:
        return _in_force(self.requirements, day)

    def deadline_for(self, period_end: dt.date) -> dt.date | None:
        """The first reporting-deadline day on or after the period's last day."""
        if self.reporting_deadline is None:
            return None
        month, day = self.reporting_deadline
        deadline = dt.date(period_end.year, month, day)
        return deadline if deadline >= period_end else dt.date(period_end.year + 1, month, day)

    def rate_on(self, activity: ActivityType, day: dt.date) -> Decimal:
        version = _in_force(activity.rates, day)
        if version is None:
            raise ValueError(f"no {self.id} rate for {activity.id} on {day}; rules start {self.rules_start}")
        return version.rate

    def rate_text(self, activity: ActivityType, day: dt.date) -> str:
        """'3 credits/h', '1 credit/article', or 'hours' where no credits are awarded."""
        if not self.awards_credits:
            return "hours"
        rate = self.rate_on(activity, day)
        per = "h" if activity.unit == "hour" else activity.item
        return f"{format_credits(rate)} credit{'' if rate == 1 else 's'}/{per}"


def _number(value: object) -> Decimal:
    # TOML numbers arrive as int or float; via str() so 0.5 stays exactly 0.5.
    return Decimal(str(value))


def _load_framework(framework_id: str, raw: dict) -> Framework:
    sections = tuple(
        Section(id=s["id"], name=s["name"], title=s["title"], label=s["label"]) for s in raw["sections"]
    )
    activities = {
        a["id"]: ActivityType(
            id=a["id"],
            name=a["name"],
            section=a["section"],
            unit=a["unit"],
            aliases=tuple(alias.lower() for alias in a.get("aliases", ())),
            item=a.get("item"),
            items=a.get("items"),
            rates=tuple(
                sorted(
                    (RateVersion(r["effective_from"], _number(r["rate"])) for r in a.get("rates", ())),
                    key=lambda v: v.effective_from,
                )
            ),
            caps=tuple(
                sorted(
                    (CapVersion(c["effective_from"], _number(c["per_cycle"])) for c in a.get("caps", ())),
                    key=lambda v: v.effective_from,
                )
            ),
        )
        for a in raw["activities"]
    }
    requirements = tuple(
        sorted(
            (
                Requirements(
                    effective_from=r["effective_from"],
                    per_cycle=_number(r["per_cycle"]),
                    per_year=_number(r["per_year"]),
                    minimums=tuple(
                        Minimum(
                            label=m["label"],
                            sections=frozenset(m.get("sections", ())),
                            activities=frozenset(m.get("activities", ())),
                            per_cycle=_number(m["per_cycle"]),
                        )
                        for m in r.get("minimums", ())
                    ),
                    notes=tuple(r.get("notes", ())),
                )
                for r in raw.get("requirements", ())
            ),
            key=lambda v: v.effective_from,
        )
    )
    framework = Framework(
        id=framework_id,
        name=raw["name"],
        short_name=raw["short_name"],
        sources=tuple(raw["sources"]),
        awards_credits=raw["unit"] == "credits",
        year_start=_month_day(raw["year_start"]),
        cycle_years=raw["cycle_years"],
        reporting_deadline=_month_day(raw["reporting_deadline"]) if "reporting_deadline" in raw else None,
        default_activity=raw["default_activity"],
        type_hint=raw["type_hint"],
        examples=tuple(raw["examples"]),
        sections=sections,
        activities=activities,
        requirements=requirements,
        suggestions={
            kind: SuggestionRule(activity=s.get("activity"), explanation=s["explanation"])
            for kind, s in raw["suggestions"].items()
        },
    )
    _check(framework)
    return framework


def _check(framework: Framework) -> None:
    """Fail at load, not in front of a user, when the data file refers to something that is not there."""
    section_ids = {s.id for s in framework.sections}
    words: dict[str, str] = {}
    for activity in framework.activities.values():
        if activity.section not in section_ids:
            raise ValueError(f"{framework.id}/{activity.id}: unknown section {activity.section!r}")
        if framework.awards_credits and not activity.rates:
            raise ValueError(f"{framework.id}/{activity.id}: no rates")
        if activity.unit == "item" and (not (activity.item and activity.items) or activity.aliases):
            # The quick-entry parser counts items with their item words and reads aliases with hours.
            raise ValueError(f"{framework.id}/{activity.id}: item activities need item words, not aliases")
        for word in (*activity.aliases, activity.item, activity.items):
            if word is not None and words.setdefault(word, activity.id) != activity.id:
                raise ValueError(f"{framework.id}: {word!r} names two activity types")
    referenced = [framework.default_activity] + [
        rule.activity for rule in framework.suggestions.values() if rule.activity is not None
    ]
    for version in framework.requirements:
        referenced += [a for m in version.minimums for a in m.activities]
    for activity_id in referenced:
        framework.activity(activity_id)
    if set(framework.suggestions) != {"qi_with_feedback", "qi_without_feedback", "mentee", "mentor"}:
        raise ValueError(f"{framework.id}: suggestions must cover QI updates and both mentoring roles")


@cache
def frameworks() -> Mapping[str, Framework]:
    raw = tomllib.loads((files("bot") / "data" / "cpd_frameworks.toml").read_text(encoding="utf-8"))
    return {fid: _load_framework(fid, data) for fid, data in raw["frameworks"].items()}


def get_framework(framework_id: str) -> Framework:
    try:
        return frameworks()[framework_id]
    except KeyError:
        raise ValueError(f"unknown CPD framework {framework_id!r}") from None


# --- entries and credits -------------------------------------------------------------------------


class ActivityRecord(Protocol):
    """What credits need to know about an entry; CpdActivity and storage rows both fit."""

    @property
    def framework(self) -> str: ...
    @property
    def activity_type(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def hours(self) -> Decimal | None: ...
    @property
    def quantity(self) -> Decimal | None: ...


class LoggedActivity(ActivityRecord, Protocol):
    """A stored entry as progress() sees it."""

    @property
    def id(self) -> int: ...
    @property
    def has_reflection(self) -> bool: ...


@dataclass(frozen=True)
class CpdActivity:
    framework: str
    activity_type: str
    date: dt.date
    hours: Decimal | None
    quantity: Decimal | None


def _amount(activity: ActivityType, entry: ActivityRecord) -> Decimal:
    amount, needed = (entry.hours, "hours") if activity.unit == "hour" else (entry.quantity, "a quantity")
    if amount is None or amount < 0:
        raise ValueError(f"{activity.id} needs {needed} of zero or more, got {amount!r}")
    return amount


def credits_for(entry: ActivityRecord) -> Decimal:
    """Credits for one entry before per-cycle caps (progress() applies those), to two places."""
    framework = get_framework(entry.framework)
    activity = framework.activity(entry.activity_type)
    amount = _amount(activity, entry)
    if not framework.awards_credits:
        return _ZERO
    return _money(amount * framework.rate_on(activity, entry.date))


# --- progress ------------------------------------------------------------------------------------


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
            f"{format_credits(self.cut_cycle)} credits over the cap are not counted."
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
    return sum((credit for _, _, credit in rows), _ZERO)


def _hours(rows: Sequence[_Counted]) -> Decimal:
    return sum((e.hours for e, a, _ in rows if a.unit == "hour" and e.hours is not None), _ZERO)


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
        cap = _in_force(activity.caps, cycle_end)
        if cap is not None:
            caps[activity.id] = cap.per_cycle
            allowed = min(credit, max(cap.per_cycle - used.get(activity.id, _ZERO), _ZERO))
            used[activity.id] = used.get(activity.id, _ZERO) + allowed
            if allowed < credit:
                cut_cycle[activity.id] = cut_cycle.get(activity.id, _ZERO) + credit - allowed
                if year[0] <= entry.date <= year[1]:
                    cut_year[activity.id] = cut_year.get(activity.id, _ZERO) + credit - allowed
            credit = allowed
        counted.append((entry, activity, credit))
    notes = tuple(
        CapNote(framework.activity(activity_id), caps[activity_id], cut, cut_year.get(activity_id, _ZERO))
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


# --- the modal's activity list -------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityChoice:
    activity_type: str
    group: str  # option-group label: "Section 3 · Assessment"
    text: str  # "Section 3 · Chart audit and feedback — 3 credits/h" (<= 75 chars, Slack's option limit)
    asks: Literal["hours", "quantity"]
    item: str | None  # what the quantity counts ("article"), for the field label


def activity_choices(framework_id: str, on: dt.date) -> list[ActivityChoice]:
    """Activity types with a rate in force on `on`, grouped by section in the data file's order."""
    framework = get_framework(framework_id)
    choices = []
    for section in framework.sections:
        for activity in framework.activities.values():
            if activity.section != section.id:
                continue
            if framework.awards_credits and _in_force(activity.rates, on) is None:
                continue
            choices.append(
                ActivityChoice(
                    activity_type=activity.id,
                    group=f"{section.name} · {section.title}",
                    text=f"{section.name} · {activity.name} — {framework.rate_text(activity, on)}",
                    asks="hours" if activity.unit == "hour" else "quantity",
                    item=activity.item,
                )
            )
    return choices


# --- QI work and mentoring as CPD ----------------------------------------------------------------


@dataclass(frozen=True)
class CpdSuggestion:
    framework: str
    activity_type: str | None  # None: nothing to log for the activity itself
    hours: Decimal | None  # None when the time is not known (the member fills it in)
    credits: Decimal | None  # None while hours are unknown
    explanation: str


# Phrases that say feedback on the data was received. Checked for a negation just before them,
# because "still waiting for feedback" must not turn 2 credits/h into 3.
_FEEDBACK = re.compile(
    r"\b(audit and feedback|peer[- ]review(?:ed)?|feedback|"
    r"reviewed (?:our|the|my) (?:data|results|run charts?|charts?|audit) with|"
    r"presented (?:our|the|my) (?:data|results|run charts?) to)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(no|not|without|awaiting|await|waiting|pending|yet to|before|haven't|hasn't|didn't|never)\b",
    re.IGNORECASE,
)
_NEGATION_WINDOW = 40  # characters before the phrase, within the same sentence


def feedback_mentioned(text: str) -> str | None:
    """The first phrase saying feedback on the data was received, lower-cased; None if there is none."""
    for match in _FEEDBACK.finditer(text):
        before = re.split(r"[.!?;\n]", text[max(0, match.start() - _NEGATION_WINDOW) : match.start()])[-1]
        after = text[match.end() : match.end() + 20]
        if not _NEGATION.search(before) and not re.match(r"\s+(?:is\s+)?(?:still\s+)?pending", after, re.I):
            return " ".join(match.group(0).lower().split())
    return None


def _explain(framework: Framework, rule: SuggestionRule, on: dt.date) -> str:
    rates = {a.id: framework.rate_text(a, on) for a in framework.activities.values()}
    return rule.explanation.format_map(rates)


def suggest_for_qi_update(
    framework_id: str, feedback_received: bool, text: str, on: dt.date
) -> CpdSuggestion:
    """The CPD entry to offer after a QI update; the flag wins when True, else the text is read."""
    framework = get_framework(framework_id)
    phrase = None if feedback_received else feedback_mentioned(text)
    rule = framework.suggestions["qi_with_feedback" if feedback_received or phrase else "qi_without_feedback"]
    explanation = _explain(framework, rule, on)
    if phrase:
        explanation = f'Your update mentions "{phrase}". {explanation}'
    return CpdSuggestion(framework_id, rule.activity, None, None, explanation)


def suggest_for_mentoring_meeting(
    framework_id: str, role: Literal["mentee", "mentor"], minutes: int, on: dt.date
) -> CpdSuggestion:
    """The CPD entry to offer after a logged mentoring meeting of `minutes` on day `on`."""
    if minutes <= 0:
        raise ValueError(f"a meeting lasts more than 0 minutes, got {minutes}")
    framework = get_framework(framework_id)
    rule = framework.suggestions[role]
    explanation = _explain(framework, rule, on)
    if rule.activity is None:
        return CpdSuggestion(framework_id, None, None, _ZERO, explanation)
    hours = _money(Decimal(minutes) / 60)
    credits = credits_for(CpdActivity(framework_id, rule.activity, on, hours, None))
    return CpdSuggestion(framework_id, rule.activity, hours, credits, explanation)
