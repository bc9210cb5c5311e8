"""The one CSV writer every export uses, so no cell an export writes runs as a spreadsheet formula.

Formula neutralising follows OWASP's CSV injection advice: a cell starting with `=`, `+`, `-`, `@`,
a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows the text instead of
running it ("=HYPERLINK(...)" in a title). The csv module quotes commas, quotes and newlines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    """The rows (header first) as CSV text: RFC 4180, CRLF line ends, fields quoted only when needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(_neutralised(value) for value in row)
    return buffer.getvalue()
