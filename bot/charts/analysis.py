"""Run chart and I chart analysis of one measure's series: pure, fast, and stated in words.

Anhøj rules as qicharts2's `runs.analysis`: points on the centre line are not useful; a signal is
a longest run above `limits.longest_run_limit` or fewer crossings than `limits.crossings_limit`.
IHI rules (Perla, Provost & Murray 2011): a shift is 6+ points in a row on one side (points on the
median neither break nor count), a trend 5+ points rising or falling (equal neighbours count
once), and too few or too many runs. Which way a signal points follows the measure's direction.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import compress
from operator import attrgetter, lt, ne
from typing import Literal

from bot.charts.limits import crossings_limit, longest_run_limit, runs_limits
from bot.core.text import plural

Direction = Literal["up", "down"]  # which way is better for the measure
Chart = Literal["run", "i"]
Verdict = Literal["improvement", "deterioration", "unclear"]
Rule = Literal["longest_run", "crossings", "shift", "trend", "too_few_runs", "too_many_runs", "outside_limits"]

# Rules about the whole part (how often the line crosses): no single point is "the" signal.
PART_WIDE_RULES = frozenset({"crossings", "too_few_runs", "too_many_runs"})
TOO_EARLY_BELOW = 10  # fewer points than this: the rules run, but nothing is called yet
SHIFT_LENGTH = 6
TREND_LENGTH = 5
XMR_FACTOR = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two points


@dataclass(frozen=True)
class Point:
    on: date
    value: Decimal


@dataclass(frozen=True)
class Annotation:
    index: int  # the point it marks, 0-based
    label: str  # "PDSA 2: new triage form"


@dataclass(frozen=True)
class Series:
    points: tuple[Point, ...]
    direction: Direction | None = "up"  # None: nobody said which way is better, so no signal is called either
    baseline: int | None = None  # freeze the first part's centre line on its first k points
    splits: tuple[int, ...] = ()  # a new part starts after this many points (a change adopted)
    goal: Decimal | None = None
    annotations: tuple[Annotation, ...] = ()
    chart: Chart = "run"

    def __post_init__(self) -> None:
        n = len(self.points)
        if self.direction not in ("up", "down", None):
            raise ValueError(f"direction must be 'up', 'down' or None, not {self.direction!r}")
        if self.chart not in ("run", "i"):
            raise ValueError(f"chart must be 'run' or 'i', not {self.chart!r}")
        if list(self.splits) != sorted(set(self.splits)) or any(not 0 < s < n for s in self.splits):
            raise ValueError("splits must be increasing and fall between two points")
        first_part = self.splits[0] if self.splits else n
        if self.baseline is not None and not 1 <= self.baseline <= first_part:
            raise ValueError(f"the baseline must be 1 to {first_part} points (the first part)")
        if any(not 0 <= a.index < n for a in self.annotations):
            raise ValueError("an annotation marks a point that is not in the series")

    def parts(self) -> list[range]:
        bounds = [0, *self.splits, len(self.points)]
        return [range(start, stop) for start, stop in zip(bounds, bounds[1:], strict=False)]


@dataclass(frozen=True)
class Signal:
    rule: Rule
    indices: tuple[int, ...]  # the points involved, as indices into the series
    verdict: Verdict
    way: int = 0  # +1 above the centre line or rising, -1 below or falling; 0 for part-wide rules


@dataclass(frozen=True)
class ControlLimits:
    """I chart (XmR): centre line ± 2.66 × the mean moving range."""

    lower: float
    upper: float
    mean_moving_range: float


@dataclass(frozen=True)
class PartAnalysis:
    part: int  # 1-based
    start: int  # first point's index in the series
    stop: int  # one past the last
    chart: Chart
    direction: Direction | None
    centre_line: float
    centre_from: int  # how many points the centre line was computed from (the baseline, or all)
    frozen: bool
    n: int
    n_useful: int
    longest_run: int
    longest_run_limit: int
    longest_run_indices: tuple[int, ...]
    longest_run_side: int  # +1 above the centre line, -1 below, 0 when no useful points
    crossings: int
    crossings_limit: int
    runs: int
    runs_limits: tuple[int, int] | None  # None when too few useful points for the IHI table
    limits: ControlLimits | None
    signals: tuple[Signal, ...]
    too_early: bool

    @property
    def runs_signal(self) -> bool:
        """The Anhøj verdict, as qicharts2's `runs.signal`."""
        return any(s.rule in ("longest_run", "crossings") for s in self.signals)

    def of_rule(self, rule: Rule) -> tuple[Signal, ...]:
        return tuple(s for s in self.signals if s.rule == rule)

    def describe(self) -> str:
        return " ".join(_sentences(self))


@dataclass(frozen=True)
class ChartAnalysis:
    parts: tuple[PartAnalysis, ...]
    signal_indices: frozenset[int] = field(default_factory=frozenset)  # points to highlight

    def part_of(self, index: int) -> PartAnalysis:
        return next(p for p in self.parts if p.start <= index < p.stop)

    def describe(self) -> str:
        if len(self.parts) == 1:
            return self.parts[0].describe()
        return " ".join(f"Part {p.part}: {p.describe()}" for p in self.parts)


def analyse(series: Series) -> ChartAnalysis:
    values = list(map(float, map(attrgetter("value"), series.points)))
    parts = tuple(
        _analyse_part(values, number, part, series, frozen=series.baseline if number == 1 else None)
        for number, part in enumerate(series.parts(), start=1)
    )
    flagged = frozenset(i for p in parts if not p.too_early for s in p.signals if s.rule not in PART_WIDE_RULES
                        for i in s.indices)
    return ChartAnalysis(parts=parts, signal_indices=flagged)


def _analyse_part(values: list[float], number: int, part: range, series: Series, *, frozen: int | None) -> PartAnalysis:
    ys = values[part.start:part.stop]
    base = ys[:frozen] if frozen else ys
    if series.chart == "i":
        centre = statistics.fmean(base)
        ranges = [abs(b - a) for a, b in zip(base, base[1:], strict=False)]
        mean_range = statistics.fmean(ranges) if ranges else 0.0
        limits = ControlLimits(centre - XMR_FACTOR * mean_range, centre + XMR_FACTOR * mean_range, mean_range)
    else:
        centre, limits = statistics.median(base), None

    sides = [(y > centre) - (y < centre) for y in ys]  # +1 above, -1 below, 0 on the centre line
    useful = list(compress(range(part.start, part.stop), sides))
    useful_sides = list(filter(None, sides))
    n_useful = len(useful)
    runs = _stretches(useful_sides)
    longest = useful[slice(*max(runs, key=lambda run: run[1] - run[0]))] if runs else []
    longest_limit = longest_run_limit(n_useful) if n_useful else 0
    crossings = max(len(runs) - 1, 0)
    cross_limit = crossings_limit(n_useful)
    better = {"up": 1, "down": -1}.get(series.direction or "")

    def verdict(side: int) -> Verdict:
        if better is None:
            return "unclear"
        return "improvement" if side == better else "deterioration"

    signals: list[Signal] = []
    if n_useful and len(longest) > longest_limit:
        side = sides[longest[0] - part.start]
        signals.append(Signal("longest_run", tuple(longest), verdict(side), side))
    if n_useful and crossings < cross_limit:
        signals.append(Signal("crossings", tuple(useful), "unclear"))
    signals += [Signal("shift", tuple(useful[start:stop]), verdict(useful_sides[start]), useful_sides[start])
                for start, stop in runs if stop - start >= SHIFT_LENGTH]
    signals += [Signal("trend", tuple(part.start + i for i in trend), verdict(rising), rising)
                for trend, rising in _trends(ys)]
    expected_runs = runs_limits(n_useful) if n_useful >= TOO_EARLY_BELOW else None
    if expected_runs and len(runs) < expected_runs[0]:
        signals.append(Signal("too_few_runs", tuple(useful), "unclear"))
    if expected_runs and len(runs) > expected_runs[1]:
        signals.append(Signal("too_many_runs", tuple(useful), "unclear"))
    if limits:
        for i, y in enumerate(ys):
            if y > limits.upper or y < limits.lower:
                way = 1 if y > limits.upper else -1
                signals.append(Signal("outside_limits", (part.start + i,), verdict(way), way))

    return PartAnalysis(
        part=number, start=part.start, stop=part.stop, chart=series.chart, direction=series.direction,
        centre_line=centre, centre_from=len(base), frozen=frozen is not None, n=len(ys), n_useful=n_useful,
        longest_run=len(longest), longest_run_limit=longest_limit, longest_run_indices=tuple(longest),
        longest_run_side=sides[longest[0] - part.start] if longest else 0,
        crossings=crossings, crossings_limit=cross_limit, runs=len(runs), runs_limits=expected_runs,
        limits=limits, signals=tuple(signals), too_early=len(ys) < TOO_EARLY_BELOW,
    )


def _stretches(items: list) -> list[tuple[int, int]]:
    """(start, stop) of each stretch of equal neighbours; map/compress keep the loop in C (10,000 points)."""
    changes = list(compress(range(1, len(items)), map(ne, items, items[1:])))
    bounds = [0, *changes, len(items)] if items else []
    return list(zip(bounds, bounds[1:], strict=False))


def _trends(ys: list[float]) -> list[tuple[list[int], int]]:
    """Maximal stretches of TREND_LENGTH+ points going one way (+1 rising, -1 falling).

    A repeated value neither extends nor breaks a trend: it counts once (IHI). The indices kept
    are those of the first of each repeated value.
    """
    distinct = [0, *compress(range(1, len(ys)), map(ne, ys, ys[1:]))] if ys else []
    values = list(map(ys.__getitem__, distinct))
    rising = list(map(lt, values, values[1:]))
    # k steps of one direction join k + 1 points; the turning point belongs to both stretches
    return [(distinct[start:stop + 1], 1 if rising[start] else -1)
            for start, stop in _stretches(rising) if stop - start + 1 >= TREND_LENGTH]


def format_number(value: float) -> str:
    """At most two decimals, no trailing zeros: 19, 3.5, 62.25."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_RULE_WORDS = {"improvement": "a signal of improvement", "deterioration": "a signal of deterioration",
               "unclear": "a signal of non-random variation"}


def _called(signal: Signal) -> str:
    """" (improvement)" or " (deterioration)"; nothing when no better direction was given."""
    return "" if signal.verdict == "unclear" else f" ({signal.verdict})"


def _sentences(p: PartAnalysis) -> list[str]:
    name = "Median" if p.chart == "run" else "Mean"
    where = f"over the first {plural(p.centre_from, 'point')}" if p.frozen else f"over {plural(p.n, 'point')}"
    if p.too_early:
        return [f"{name} {format_number(p.centre_line)} {where}; only {plural(p.n, 'point')} so far: "
                f"too early to call (the rules need at least {TOO_EARLY_BELOW})."]
    opening = f"{name} {format_number(p.centre_line)} {where}"
    longest = p.of_rule("longest_run")
    crossings = p.of_rule("crossings")
    if longest:
        side = "above" if p.longest_run_side > 0 else "below"
        first = (f"{opening}; {p.longest_run} points in a row {side} it (limit {p.longest_run_limit}): "
                 f"{_RULE_WORDS[longest[0].verdict]}.")
    elif crossings:
        first = (f"{opening}; the line crosses it only {plural(p.crossings, 'time')} (at least "
                 f"{p.crossings_limit} expected): {_RULE_WORDS['unclear']}.")
    else:
        first = (f"{opening}; no signal by the Anhøj rules: longest run {p.longest_run} (limit {p.longest_run_limit}), "
                 f"{p.crossings} crossings (at least {p.crossings_limit}).")
    sentences = [first]
    extra = []
    for s in p.of_rule("shift"):
        extra.append(f"a shift of {len(s.indices)} points {'above' if s.way > 0 else 'below'} the "
                     f"{'median' if p.chart == 'run' else 'mean'}{_called(s)}")
    for s in p.of_rule("trend"):
        extra.append(f"a trend of {len(s.indices)} points {'rising' if s.way > 0 else 'falling'}{_called(s)}")
    if p.of_rule("too_few_runs") and p.runs_limits:
        extra.append(f"too few runs ({p.runs}, at least {p.runs_limits[0]} expected)")
    if p.of_rule("too_many_runs") and p.runs_limits:
        extra.append(f"too many runs ({p.runs}, at most {p.runs_limits[1]} expected)")
    if extra:
        sentences.append("IHI rules: " + "; ".join(extra) + ".")
    outside = p.of_rule("outside_limits")
    if p.limits:
        bounds = f"{format_number(p.limits.lower)} to {format_number(p.limits.upper)}"
        if outside:
            verdicts = sorted({s.verdict for s in outside} - {"unclear"})
            called = f" ({', '.join(verdicts)})" if verdicts else ""
            sentences.append(f"{plural(len(outside), 'point')} outside the limits {bounds}{called}.")
        else:
            sentences.append(f"All points within the limits {bounds}.")
    return sentences

