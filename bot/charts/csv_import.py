"""A CSV series read for import: every row checked, nothing stored. What the dry run shows and the import stores.

Row 1 is the header: `date,value` (every row for the measure chosen in the form) or `date,measure,value`
(French headers `valeur` and `mesure` too). French Excel saves "CSV (point-virgule)": `;` between columns,
`3,5` for numbers, often in Windows-1252 and with a byte-order mark; all of that is read. Blank lines are
skipped. Row numbers are the file's line numbers, as a spreadsheet shows them.

Nothing a row holds is repeated back in an error (a pasted identifier would be shown again): an error names
the row, the column and what to do. A measure's name that holds what looks like a patient identifier is
refused as such by the PHI guard, not looked up.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.charts.dates import date_problem
from bot.charts.measure_charts import ChartUnavailable, choose_measure
from bot.charts.numbers import NotANumber, check_unit, parse_value
from bot.core import phi
from bot.core.text import plural

MAX_ROWS = 10_000
MAX_BYTES = 2 * 1024 * 1024  # 10,000 rows of date,measure,value are well under 1 MB
SHOWN_ERRORS = 20  # the dry run lists this many; the count says how many more
_NAMES = {"date": "date", "value": "value", "valeur": "value", "measure": "measure", "mesure": "measure"}
HEADERS = (("date", "value"), ("date", "measure", "value"))
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FileRefused(Exception):
    """The whole file cannot be read (header, size, not text); str() says what to do."""


@dataclass(frozen=True)
class MeasureRef:
    id: int
    name: str
    kind: str
    unit: str | None


@dataclass(frozen=True)
class RowError:
    row: int  # the file's line number (the header is row 1)
    field: str  # "date", "measure", "value" or "row"
    message: str


@dataclass(frozen=True)
class Row:
    row: int
    measure_id: int
    on: date
    value: Decimal


@dataclass(frozen=True)
class ReadFile:
    rows: tuple[Row, ...]
    errors: tuple[RowError, ...]


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252 as Excel on Windows saves it."""
    if b"\x00" in raw:
        raise FileRefused("This file is not a CSV text file. In your spreadsheet choose Save as > CSV, then "
                          "import that file.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_series(raw: bytes, measures: Sequence[MeasureRef], *, measure_id: int | None, today: date,
                staff_domains: Iterable[str] = ()) -> ReadFile:
    """Every row as a point, or an error naming its row and column. `measure_id`: the measure the form
    chose, for a `date,value` file; a file with a measure column names each row's."""
    if len(raw) > MAX_BYTES:
        raise FileRefused(f"This file is {len(raw) / 1024 / 1024:.1f} MB; an import takes up to "
                          f"{MAX_BYTES // 1024 // 1024} MB ({MAX_ROWS:,} rows). Split it into smaller files.")
    lines = decode(raw).splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip(" \t,;\"")]
    if not numbered:
        raise FileRefused("This file is empty. Row 1 should be the header `date,value` or `date,measure,value`.")
    (header_row, header_line), body = numbered[0], numbered[1:]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = tuple(_NAMES.get(cell.strip().lower(), "?") for cell in next(csv.reader([header_line], delimiter=delimiter)))
    if header not in HEADERS:
        raise FileRefused(f"Row {header_row} should be the header `date,value` (for the measure you pick) or "
                          "`date,measure,value`, with those words: this file's first row is something else. "
                          "Put the header in the first row and import again.")
    if len(body) > MAX_ROWS:
        raise FileRefused(f"This file has {len(body):,} rows of data; an import takes at most {MAX_ROWS:,}. "
                          "Split it into smaller files, and import them one by one.")
    chosen = None
    if "measure" not in header:
        chosen = next((m for m in measures if m.id == measure_id), None)
        if chosen is None:
            raise FileRefused("This file has no measure column: pick its measure in the form, or add a `measure` "
                              "column (`date,measure,value`).")
    staff = tuple(staff_domains)
    found: dict[str, MeasureRef | RowError] = {}  # a name's lookup, once for all its rows
    seen: dict[tuple[int, date], int] = {}
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, line in body:
        cells = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]
        if len(cells) != len(header):
            errors.append(RowError(number, "row", _columns(len(cells), len(header), delimiter)))
            continue
        cell = dict(zip(header, cells, strict=True))
        problems: list[RowError] = []
        measure = chosen or _measure(found, measures, cell["measure"], number, staff)
        if isinstance(measure, RowError):
            problems.append(RowError(number, measure.field, measure.message))
        on = _date(cell["date"], today, number, problems)
        value = None
        try:
            reading = parse_value(cell["value"])
            if not isinstance(measure, RowError):
                check_unit(reading.unit, measure.unit)
            value = reading.value
        except NotANumber as why:
            problems.append(RowError(number, "value", str(why)))
        if not problems and isinstance(measure, MeasureRef) and on is not None and value is not None:
            first = seen.setdefault((measure.id, on), number)
            if first != number:
                problems.append(RowError(number, "date", f"Row {first} has the same date for this measure: keep "
                                                         "one of the two rows (or add them up, if both count)."))
            else:
                rows.append(Row(number, measure.id, on, value))
        errors += problems
    return ReadFile(tuple(rows), tuple(errors))


def _columns(got: int, wanted: int, delimiter: str) -> str:
    text = f"It has {plural(got, 'column')}, the header {wanted}."
    if delimiter == "," and got > wanted:
        return (f"{text} A decimal comma (3,5) splits a value in two here: save the file with `;` between "
                "columns (French Excel's CSV does), or write 3.5.")
    return f"{text} Give each row the header's columns, `{','.join(HEADERS[wanted == 3])}`."


def _measure(found: dict[str, MeasureRef | RowError], measures: Sequence[MeasureRef], name: str, number: int,
             staff: tuple[str, ...]) -> MeasureRef | RowError:
    key = name.lower()
    if key not in found:
        if not name:
            found[key] = RowError(number, "measure", "The measure is empty: name one of the project's measures.")
        elif hits := phi.scan(name, staff):
            found[key] = RowError(number, "measure", phi.field_error(hits))
        else:
            try:
                found[key] = choose_measure(list(measures), name, {})  # type: ignore[arg-type]  # reads name and kind
            except ChartUnavailable:
                listed = "; ".join(f"{i}. {m.name}" for i, m in enumerate(measures, start=1))
                found[key] = RowError(number, "measure", f"Not one of the project's measures ({listed}): use a "
                                                         "name, the start of one, or its number.")
    return found[key]


def _date(text: str, today: date, number: int, problems: list[RowError]) -> date | None:
    try:
        on = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:  # 2026-13-45
        on = None
    if on is None:
        problems.append(RowError(number, "date", "Write the date as YYYY-MM-DD, for example 2026-11-30 (in the "
                                                 "spreadsheet: format the column as text, or yyyy-mm-dd)."))
        return None
    if problem := date_problem(on, today):
        problems.append(RowError(number, "date", problem))
        return None
    return on
