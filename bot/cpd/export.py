"""CSV text of a member's CPD entries, for copying into the college's portal (MAINPORT, Mainpro+).

Written by bot.core.csv_safe, which neutralises formula cells ("=HYPERLINK(...)" in a title).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.core.csv_safe import FILE_ENCODING as FILE_ENCODING  # re-exported: callers encode the file with it
from bot.core.csv_safe import write_csv
from bot.cpd.rules import format_credits

HEADER = (
    "date",
    "section/category",
    "activity type",
    "title",
    "hours",
    "quantity",
    "credits",
    "reflection",
    "linked project",
)


@dataclass(frozen=True)
class CsvRow:
    date: dt.date
    section: str  # "Section 3", "Certified"
    activity_type: str  # the activity type's name, not its id
    title: str
    hours: Decimal | None
    quantity: Decimal | None
    credits: Decimal | None  # per entry, before per-cycle caps (the portal applies those); None for hours
    reflection: str  # the member's answers, joined; empty when none yet
    linked_project: str  # the QI project's title; empty when none


def _number(value: Decimal | None) -> str:
    return "" if value is None else format_credits(value)


def entries_csv(rows: Sequence[CsvRow]) -> str:
    """The rows as CSV text with a header row; encode with FILE_ENCODING when writing a file."""
    return write_csv(HEADER, (
        (
            row.date.isoformat(),
            row.section,
            row.activity_type,
            row.title,
            _number(row.hours),
            _number(row.quantity),
            _number(row.credits),
            row.reflection,
            row.linked_project,
        )
        for row in rows
    ))
