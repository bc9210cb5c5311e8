"""Values as clinicians type them, in French or English format."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.charts.numbers import NotANumber, Reading, check_unit, parse_value


@pytest.mark.parametrize("typed, value, unit", [
    ("3,5", "3.5", None),
    ("3.5", "3.5", None),
    ("62%", "62", "%"),
    ("62,5 %", "62.5", "%"),
    (" 12 ", "12", None),
    ("1 234,5", "1234.5", None),
    ("1\u202f234,5", "1234.5", None),  # a narrow no-break space, as French keyboards insert
    ("1.234,5", "1234.5", None),
    ("1,234.5", "1234.5", None),
    ("1,234,567", "1234567", None),
    ("0,125", "0.125", None),
    ("-0,5", "-0.5", None),
    (",5", "0.5", None),
])
def test_readings(typed, value, unit):
    assert parse_value(typed) == Reading(Decimal(value), unit)


@pytest.mark.parametrize("typed, words", [
    ("", "Type a number"),
    ("   ", "Type a number"),
    ("abc", "not a number"),
    ("12 days", "not a number"),
    ("1,2,3", "do not group thousands"),
    ("1.5,3", "do not group thousands"),
    ("1,234", "could mean 1234 or 1.234"),
])
def test_what_is_not_a_number_is_refused_with_a_sentence(typed, words):
    with pytest.raises(NotANumber, match=words):
        parse_value(typed)


def test_the_refusal_never_repeats_what_was_typed():
    with pytest.raises(NotANumber) as refused:
        parse_value("OHIP 1234-567-890")
    assert "1234" not in str(refused.value)


@given(st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_french_and_english_decimals_read_the_same(value):
    english = f"{value:f}"
    assert parse_value(english).value == value
    assert parse_value(english.replace(".", ",")).value == value


def test_a_percentage_for_a_measure_in_another_unit_is_refused():
    check_unit(parse_value("62%").unit, "%")
    check_unit(parse_value("62%").unit, "Percent")
    check_unit(parse_value("62").unit, "%")  # a plain number is in the measure's unit
    check_unit(parse_value("62%").unit, None)  # nobody said the unit: either is taken
    with pytest.raises(NotANumber, match="counted in days, and that value is a percentage"):
        check_unit(parse_value("62%").unit, "days")
