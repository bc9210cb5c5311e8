"""The value report's indicators as data: bot/data/value_indicators.toml, checked when first read."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

CYCLES = ("immediate", "potential", "applied", "realized", "reframing")
CYCLE_TITLES = {"immediate": "Immediate value", "potential": "Potential value", "applied": "Applied value",
                "realized": "Realized value", "reframing": "Reframing value"}
UNITS = ("count", "hours", "credits")


@dataclass(frozen=True)
class Indicator:
    id: str
    cycle: str
    label: str
    source: str
    counts: str
    people: bool = False  # counts people: small cells are suppressed
    unit: str = "count"
    added: str = ""  # what QI Commons stores so this can be computed
    limits: str = ""  # what the stored data cannot tell


@dataclass(frozen=True)
class Definitions:
    indicators: tuple[Indicator, ...]
    participation_actions: tuple[str, ...]  # audit actions that make someone an active member

    def by_cycle(self, cycle: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.cycle == cycle)


@cache
def definitions() -> Definitions:
    raw = tomllib.loads((files("bot") / "data" / "value_indicators.toml").read_text(encoding="utf-8"))
    indicators = tuple(Indicator(**entry) for entry in raw["indicator"])
    ids = [i.id for i in indicators]
    if len(set(ids)) != len(ids):
        raise ValueError("value_indicators.toml: an indicator id is used twice")
    for indicator in indicators:
        if indicator.cycle not in CYCLES or indicator.unit not in UNITS:
            raise ValueError(f"value_indicators.toml: {indicator.id} has an unknown cycle or unit")
    return Definitions(indicators, tuple(raw["participation"]["actions"]))
