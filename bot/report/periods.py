"""The months a report covers: `month` (last month), `quarter` (the last full quarter), `year` (the last
twelve full months) or `YYYY-MM..YYYY-MM` (a single `YYYY-MM` too), and the same number of months before.

Months are calendar months in the community's timezone. The month in progress may be asked for (it
covers up to now); a month after it, or a period that ends before QI Commons has any data, is refused
with a message that gives an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.text import escape

EXAMPLES = "`/qi-commons admin report month`, `quarter`, `year` or `2026-01..2026-06`"
_MONTH = r"(\d{4})-(\d{1,2})"
_RANGE = re.compile(rf"{_MONTH}(?:\s*(?:\.\.|to|–|-)\s*{_MONTH})?")


@dataclass(frozen=True)
class Period:
    first: date  # the first day of its first month
    months: int

    @property
    def end(self) -> date:
        """The first day after it."""
        return add_months(self.first, self.months)

    @property
    def key(self) -> str:
        """`2026-11`, or `2026-09..2026-11` for several months: the claim key and the file names."""
        last = add_months(self.first, self.months - 1)
        return f"{self.first:%Y-%m}" if self.months == 1 else f"{self.first:%Y-%m}..{last:%Y-%m}"

    @property
    def label(self) -> str:
        """`November 2026`, `September to November 2026`, `December 2025 to November 2026`."""
        last = add_months(self.first, self.months - 1)
        if self.months == 1:
            return f"{self.first:%B %Y}"
        if self.first.year == last.year:
            return f"{self.first:%B} to {last:%B %Y}"
        return f"{self.first:%B %Y} to {last:%B %Y}"

    @property
    def short(self) -> str:
        """`Oct` for one month, `before` for several: the tag beside a previous period's figure."""
        return f"{self.first:%b}" if self.months == 1 else "before"

    def previous(self) -> Period:
        return Period(add_months(self.first, -self.months), self.months)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Its start and end as aware datetimes: local midnights, so a month is the community's month."""
        return (datetime.combine(self.first, datetime.min.time(), tz),
                datetime.combine(self.end, datetime.min.time(), tz))


class BadPeriod(ValueError):
    """What the admin reads: what was wrong, and an example that works."""


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date) -> date:
    return day.replace(day=1)


def last_month(today: date) -> Period:
    return Period(add_months(month_of(today), -1), 1)


def parse_period(text: str, today: date, first_data: date | None) -> Period:
    """The period `text` names (empty: last month), as of the local date `today`.

    `first_data` is the local date of the first thing QI Commons stored (None: nothing yet).
    Raises BadPeriod with the message to show.
    """
    words = text.strip().lower()
    this_month = month_of(today)
    if words in ("", "month", "last month"):
        period = last_month(today)
    elif words in ("quarter", "last quarter"):
        quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        period = Period(add_months(quarter_start, -3), 3)
    elif words in ("year", "last year", "12 months"):
        period = Period(add_months(this_month, -12), 12)
    elif match := _RANGE.fullmatch(words):
        period = _months(match.groups(), text.strip())
    else:
        raise BadPeriod(f"I couldn't read `{escape(text.strip()[:40])}` as a period. Try {EXAMPLES}.")
    if period.first > this_month or period.end > add_months(this_month, 1):
        raise BadPeriod(f"{period.label} has not happened yet: a report covers months up to this one. "
                        f"Try {EXAMPLES}.")
    if first_data is None:
        raise BadPeriod("QI Commons has no activity to report yet. Once members share, ask or log CPD, try "
                        "`/qi-commons admin report month`.")
    if period.end <= month_of(first_data):
        raise BadPeriod(f"{period.label} is before QI Commons's first data ({first_data:%B %Y}). Try a period "
                        f"from {first_data:%Y-%m} on, e.g. `/qi-commons admin report {first_data:%Y-%m}..{this_month:%Y-%m}`.")
    return period


def _months(groups: tuple[str | None, ...], text: str) -> Period:
    y1, m1, y2, m2 = groups
    try:
        first = date(int(y1 or 0), int(m1 or 0), 1)
        last = date(int(y2), int(m2), 1) if y2 and m2 else first
    except ValueError:
        raise BadPeriod(f"`{escape(text[:40])}` has a month that does not exist. Months are written YYYY-MM, e.g. "
                        f"{EXAMPLES}.") from None
    if last < first:
        raise BadPeriod(f"`{escape(text[:40])}` ends before it starts. Put the earlier month first, e.g. {EXAMPLES}.")
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > 24:
        raise BadPeriod(f"`{escape(text[:40])}` covers {months} months; a report covers at most 24. Try {EXAMPLES}.")
    return Period(first, months)
