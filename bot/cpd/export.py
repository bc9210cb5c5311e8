"""CSV text of a member's CPD entries, for copying into the college's portal (MAINPORT, Mainpro+).

Formula neutralising follows OWASP's CSV injection advice: a cell starting with `=`, `+`, `-`, `@`,
a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows the text instead of
running it ("=HYPERLINK(...)" in a title). The csv module quotes commas, quotes and newlines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

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
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel only reads a CSV file as UTF-8 (accents in titles) when it starts with a byte-order mark.
FILE_ENCODING = "utf-8-sig"


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


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _number(value: Decimal | None) -> str:
    return "" if value is None else format_credits(value)


def entries_csv(rows: Sequence[CsvRow]) -> str:
    """The rows as CSV text with a header row; encode with FILE_ENCODING when writing a file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF line ends, fields quoted only when needed
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(
            _cell(value)
            for value in (
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
        )
    return buffer.getvalue()
