"""CSV text that a spreadsheet opens as data, never as formulas: one writer for every export.

Formula neutralising follows OWASP's CSV injection advice (the rule bot/cpd/export.py applies): a
text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe,
so "=HYPERLINK(...)" in a title shows as text. Numbers and dates are written as they are, so a
negative value stays a number. The csv module quotes commas, quotes and newlines (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel only reads a CSV file as UTF-8 (accents) when it starts with a byte-order mark.
FILE_ENCODING = "utf-8-sig"


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Header and rows as CSV text; `str` cells are neutralised, other cells written with str()."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # CRLF line ends, fields quoted only when needed
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(neutralise(cell) if isinstance(cell, str) else "" if cell is None else str(cell)
                        for cell in row)
    return buffer.getvalue()
