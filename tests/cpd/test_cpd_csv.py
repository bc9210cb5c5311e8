"""CSV export: exact header, values a spreadsheet reads back unchanged, formulas never run."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cpd.export import FILE_ENCODING, HEADER, CsvRow, entries_csv

D = Decimal


def row(**changes) -> CsvRow:
    values = dict(
        date=dt.date(2025, 3, 2),
        section="Section 3",
        activity_type="Chart audit and feedback",
        title="Chart audit of metabolic monitoring",
        hours=D("2.00"),
        quantity=None,
        credits=D("6.00"),
        reflection="Baseline monitoring was 40%.",
        linked_project="Metabolic monitoring on 4 East",
    )
    return CsvRow(**(values | changes))


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_header_is_exact_and_alone_for_no_entries():
    assert entries_csv([]) == (
        "date,section/category,activity type,title,hours,quantity,credits,reflection,linked project\r\n"
    )
    assert read(entries_csv([]))[0] == list(HEADER)


def test_a_row_reads_back_with_numbers_as_people_write_them():
    assert read(entries_csv([row(), row(hours=None, quantity=D(3), credits=D("1.50"))]))[1:] == [
        [
            "2025-03-02",
            "Section 3",
            "Chart audit and feedback",
            "Chart audit of metabolic monitoring",
            "2",
            "",
            "6",
            "Baseline monitoring was 40%.",
            "Metabolic monitoring on 4 East",
        ],
        [
            "2025-03-02",
            "Section 3",
            "Chart audit and feedback",
            "Chart audit of metabolic monitoring",
            "",
            "3",
            "1.5",
            "Baseline monitoring was 40%.",
            "Metabolic monitoring on 4 East",
        ],
    ]


def test_hours_only_entries_leave_credits_empty():
    assert read(entries_csv([row(credits=None)]))[1][6] == ""


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(start):
    formula = f'{start}HYPERLINK("http://evil.example","click")'
    [cells] = read(entries_csv([row(title=formula, reflection=formula, linked_project=formula)]))[1:]
    assert cells[3] == cells[7] == cells[8] == f"'{formula}"


def test_ordinary_text_is_left_alone():
    [cells] = read(entries_csv([row(title="Audit = feedback + data", reflection="'quoted' already")]))[1:]
    assert (cells[3], cells[7]) == ("Audit = feedback + data", "'quoted' already")


def test_commas_quotes_newlines_and_accents_round_trip():
    title = 'Révision, "Québec" guidelines — naïve approach'
    reflection = (
        'What did you learn?\nPlenty, e.g. "start low".\r\nHow will it change your practice?\nÇa change.'
    )
    [cells] = read(entries_csv([row(title=title, reflection=reflection, section="Non-certified")]))[1:]
    assert (cells[1], cells[3], cells[7]) == ("Non-certified", title, reflection)


def test_file_encoding_lets_excel_see_utf8():
    data = entries_csv([row(title="Évaluation")]).encode(FILE_ENCODING)
    assert data.startswith(b"\xef\xbb\xbf")
    assert read(data.decode(FILE_ENCODING))[1][3] == "Évaluation"


@given(st.lists(st.text(), min_size=3, max_size=3))
def test_any_text_round_trips_except_for_the_neutralising_apostrophe(texts):
    title, reflection, project = texts
    [cells] = read(entries_csv([row(title=title, reflection=reflection, linked_project=project)]))[1:]
    for written, original in zip((cells[3], cells[7], cells[8]), texts, strict=True):
        neutralised = original.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert written == (f"'{original}" if neutralised else original)
