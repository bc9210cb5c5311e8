"""Reading a measurement as a clinician types it: "3,5", "3.5", "62%", " 12 ", "1 234,5".

A comma or a dot is the decimal mark (French format, as in Quebec, or English); spaces group
thousands, and so does the first mark when both appear ("1.234,5"). "1,234" alone could be either,
so it is refused with the two readings spelled out rather than guessed. A value carries at most one unit
(%), and it must be the measure's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

UNITS = ("%",)  # the only unit a value may carry inline; others belong to the measure's name
PERCENT_UNITS = ("%", "percent", "per cent", "pourcentage", "pour cent")  # a measure's unit that means %

_SPACES = re.compile(r"[\s\u00a0\u202f]+")  # French typing puts (narrow) no-break spaces in 1 234,5
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)*|[.,]\d+)")


class NotANumber(ValueError):
    """The text is not a number we can read; str() is the sentence to show the user.

    The sentence never repeats what was typed (it could be an identifier pasted in the wrong box).
    """


@dataclass(frozen=True)
class Reading:
    value: Decimal
    unit: str | None  # "%" or None


def parse_value(text: str) -> Reading:
    raw = _SPACES.sub("", text or "")
    if not raw:
        raise NotANumber("Type a number, for example 3,5 or 62%.")
    unit = None
    if raw.endswith(UNITS):
        unit, raw = raw[-1], raw[:-1]
    if not _NUMBER.fullmatch(raw):
        raise NotANumber("That is not a number: type digits, for example 3,5 or 62%.")
    return Reading(_decimal(raw), unit)


def _decimal(raw: str) -> Decimal:
    sign = raw[0] if raw[0] in "+-" else ""
    body = raw.lstrip("+-")
    marks = [c for c in body if c in ",."]
    if len(set(marks)) == 2:  # 1 234,5 written 1.234,5 (or 1,234.5): the last mark is the decimal one
        decimal_mark = marks[-1]
        whole, fraction = body.rsplit(decimal_mark, 1)
        body = _ungrouped(whole) + "." + fraction
    elif len(marks) > 1:  # 1,234,567 or 1.234.567: only grouping
        body = _ungrouped(body)
    elif marks:
        whole, fraction = body.split(marks[0])
        if len(fraction) == 3 and whole not in ("", "0"):
            raise NotANumber(f"“{raw}” could mean {sign}{whole}{fraction} or {sign}{whole}.{fraction}: "
                             f"type {sign}{whole}{fraction} or {sign}{whole},{fraction}0.")
        body = f"{whole or '0'}.{fraction}"
    return Decimal(sign + body)


def _ungrouped(text: str) -> str:
    first, *groups = re.split("[,.]", text)
    if not first or any(len(g) != 3 for g in groups):
        raise NotANumber("That number's separators do not group thousands: type it as 1234,5 or 1234.5.")
    return first + "".join(groups)


def is_percent(unit: str | None) -> bool:
    return (unit or "").strip().lower() in PERCENT_UNITS


def check_unit(unit: str | None, measure_unit: str | None) -> None:
    """Refuse a value typed with a unit (`Reading.unit`) that is not the measure's: 62% for a measure counted in days. A plain number
    fits any measure (62 for a measure in % is 62%); a measure whose unit nobody set takes either."""
    if unit == "%" and measure_unit and not is_percent(measure_unit):
        raise NotANumber(f"This measure is counted in {measure_unit}, and that value is a percentage: "
                         "type the number alone, or ask the project's owner to change the unit.")
