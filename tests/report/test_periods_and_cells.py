"""Which months a report covers, what a bad period gets told, and the small-cell rule on its own."""

from __future__ import annotations

from datetime import date

import pytest

from bot.report.monthly import first_working_day
from bot.report.periods import BadPeriod, Period, parse_period
from bot.report.suppression import breakdown, people

TODAY = date(2026, 11, 25)
FIRST_DATA = date(2025, 6, 3)


@pytest.mark.parametrize(("text", "first", "months", "label"), [
    ("", date(2026, 10, 1), 1, "October 2026"),
    ("month", date(2026, 10, 1), 1, "October 2026"),
    ("quarter", date(2026, 7, 1), 3, "July to September 2026"),
    ("year", date(2025, 11, 1), 12, "November 2025 to October 2026"),
    ("2026-01..2026-06", date(2026, 1, 1), 6, "January to June 2026"),
    ("2026-03", date(2026, 3, 1), 1, "March 2026"),
    ("2026-11", date(2026, 11, 1), 1, "November 2026"),  # the month in progress, up to now
])
def test_periods(text, first, months, label):
    period = parse_period(text, TODAY, FIRST_DATA)
    assert (period.first, period.months, period.label) == (first, months, label)


def test_the_previous_period_is_as_long_and_just_before():
    assert Period(date(2026, 1, 1), 6).previous() == Period(date(2025, 7, 1), 6)


@pytest.mark.parametrize(("text", "first_data", "words"), [
    ("last tuesday", FIRST_DATA, "I couldn't read `last tuesday` as a period. Try `/qi-commons admin report month`"),
    ("2026-13", FIRST_DATA, "`2026-13` has a month that does not exist. Months are written YYYY-MM"),
    ("2026-06..2026-01", FIRST_DATA, "`2026-06..2026-01` ends before it starts. Put the earlier month first"),
    ("2026-12", FIRST_DATA, "December 2026 has not happened yet: a report covers months up to this one."),
    ("2026-10..2027-01", FIRST_DATA, "October 2026 to January 2027 has not happened yet"),
    ("2025-01..2025-05", FIRST_DATA, "January to May 2025 is before QI Commons's first data (June 2025). Try a period "
                                     "from 2025-06 on, e.g. `/qi-commons admin report 2025-06..2026-11`."),
    ("month", None, "QI Commons has no activity to report yet."),
    ("<!channel>", FIRST_DATA, "I couldn't read `&lt;!channel&gt;` as a period."),
])
def test_bad_periods_say_what_is_wrong_with_an_example(text, first_data, words):
    with pytest.raises(BadPeriod) as bad:
        parse_period(text, TODAY, first_data)
    assert str(bad.value).startswith(words)
    assert "`/qi-commons admin report" in str(bad.value)


def test_fewer_than_five_people_is_never_shown():
    assert [str(people(n)) for n in (0, 1, 4, 5, 12)] == ["fewer than 5"] * 3 + ["5", "12"]


def test_one_hidden_cell_hides_its_complement_too():
    # 2 is hidden; 30 - 20 - 8 would give it away, so the next smallest (8) goes too.
    assert [str(c) for c in breakdown([20, 8, 2], 30)] == ["20", "fewer than 5", "fewer than 5"]
    # Two hidden cells already protect each other; nothing else is hidden.
    assert [str(c) for c in breakdown([20, 3, 2, 9], 34)] == ["20", "fewer than 5", "fewer than 5", "9"]
    # A hidden total hides every part.
    assert [str(c) for c in breakdown([3, 1], 4)] == ["fewer than 5", "fewer than 5"]
    assert [str(c) for c in breakdown([12, 9], 21)] == ["12", "9"]


def test_the_monthly_report_goes_out_on_the_first_working_day():
    assert first_working_day(date(2027, 1, 1)) == date(2027, 1, 4)  # New Year's Day is a Friday
    assert first_working_day(date(2026, 11, 1)) == date(2026, 11, 2)  # a Sunday
    assert first_working_day(date(2026, 12, 1)) == date(2026, 12, 1)
