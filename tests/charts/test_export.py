"""The series CSV: analysis columns beside each point, and nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io

from bot.charts.analysis import Annotation, analyse
from bot.charts.export import HEADER, series_csv
from bot.core.csv_safe import write_csv
from tests.charts.helpers import WAIT_AFTER, WAIT_BASELINE, series


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_each_point_carries_its_part_centre_line_run_and_signals():
    data = series(WAIT_BASELINE + WAIT_AFTER, direction="down", baseline=24,
                  annotations=(Annotation(24, "=HYPERLINK(\"http://x\")"),))
    rows = _rows(series_csv(data, analyse(data)))
    assert list(rows[0]) == list(HEADER)
    assert len(rows) == 39
    assert rows[0] == {"date": "2025-01-06", "value": "19", "part": "1", "centre_line": "19",
                       "in_longest_run": "no", "signal": "", "note": ""}
    assert rows[24]["in_longest_run"] == "yes"
    assert rows[24]["signal"] == "longest_run; shift"
    assert rows[24]["note"] == "'=HYPERLINK(\"http://x\")"  # shown as text, never run


def test_too_early_to_call_flags_no_point():
    data = series([1, 2, 3, 4, 5, 6])
    assert all(row["signal"] == "" for row in _rows(series_csv(data, analyse(data))))


def test_text_cells_are_neutralised_and_numbers_are_not():
    text = write_csv(("title", "value"), [("+1 idea", -3), ("@mention", None), ("\tTab", 2.5), ("plain, with comma", 0)])
    assert _rows(text) == [
        {"title": "'+1 idea", "value": "-3"},
        {"title": "'@mention", "value": ""},
        {"title": "'\tTab", "value": "2.5"},
        {"title": "plain, with comma", "value": "0"},
    ]
    assert text.endswith("\r\n")
