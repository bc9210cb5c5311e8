"""CPD frameworks and credit rules (DESIGN.md §5), loaded from bot/data/cpd_frameworks.toml.

The rules live in the data file as dated versions. Entries keep hours or a quantity and an activity
type; credits are always computed here from the version in force on the entry's date, so a rule
change never corrupts history. Pure: plain data in, plain data out.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from typing import Literal, Protocol, TypeVar

_CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def format_credits(value: Decimal) -> str:
    """Credits or hours for people: 6, 0.5, 1.25 (two places at most, no trailing zeros)."""
    text = f"{money(value):f}"
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


@dataclass(frozen=True)
class KeywordGroup:
    """Words in a quick entry that say what type of activity it was (see the data file's header)."""

    words: tuple[str, ...]  # lower case, matched as whole words
    activities: tuple[str, ...]  # one: that type; several: the member is asked which
    no_credit: bool  # the framework gives no credit for this work (teaching others under MOC)


_V = TypeVar("_V", RateVersion, CapVersion, Requirements)


def in_force(versions: Sequence[_V], day: dt.date) -> _V | None:
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
    reflection_why: str  # "the Royal College asks what you learned for every MAINPORT entry"
    portal: str  # where an export goes: "MAINPORT", "your learning plan"
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
    keywords: tuple[KeywordGroup, ...]  # in the data file's order: the first group that matches decides

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
        return in_force(self.requirements, day)

    def deadline_for(self, period_end: dt.date) -> dt.date | None:
        """The first reporting-deadline day on or after the period's last day."""
        if self.reporting_deadline is None:
            return None
        month, day = self.reporting_deadline
        deadline = dt.date(period_end.year, month, day)
        return deadline if deadline >= period_end else dt.date(period_end.year + 1, month, day)

    def rate_on(self, activity: ActivityType, day: dt.date) -> Decimal:
        version = in_force(activity.rates, day)
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
        reflection_why=raw["reflection_why"],
        portal=raw["portal"],
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
        keywords=tuple(
            KeywordGroup(
                words=tuple(word.lower() for word in k["words"]),
                activities=tuple(k.get("activities", ())),
                no_credit=bool(k.get("no_credit", False)),
            )
            for k in raw.get("keywords", ())
        ),
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
    for group in framework.keywords:
        if bool(group.activities) == group.no_credit:
            raise ValueError(f"{framework.id}: keywords {group.words[:2]} need activities or no_credit, not both")
        referenced += list(group.activities)
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
        return ZERO
    return money(amount * framework.rate_on(activity, entry.date))


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
            if framework.awards_credits and in_force(activity.rates, on) is None:
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
