"""Run chart analysis: published examples reproduced exactly, then the IHI rules and the options."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.charts.analysis import Annotation, analyse
from tests.charts.helpers import SYSTOLIC, WAIT_AFTER, WAIT_BASELINE, series


def test_spc4hc_blood_pressure_run_chart():
    # spc4hc, "A run chart of blood pressure data": "the longest run has 4 data points (#14-#17) and
    # the curve crosses the centre line 9 times. Four data points (#4, #7, #10, #26) lie directly on
    # the centre line, so we have 22 useful observations. [...] the upper limit for longest run is 7
    # as is (coincidentally) the lower limit for number of crossings": no signal.
    part = analyse(series(SYSTOLIC)).parts[0]
    assert part.centre_line == 174
    assert [i + 1 for i, v in enumerate(SYSTOLIC) if v == part.centre_line] == [4, 7, 10, 26]
    assert (part.n, part.n_useful) == (26, 22)
    assert (part.longest_run, part.longest_run_limit) == (4, 7)
    assert (part.crossings, part.crossings_limit) == (9, 7)
    assert not part.runs_signal
    assert part.describe() == ("Median 174 over 26 points; no signal by the Anhøj rules: longest run 4 (limit 7), "
                               "9 crossings (at least 7).")


def test_spc4hc_blood_pressure_i_chart_finds_the_one_freak_reading():
    # spc4hc, "Adding control limits": CL = mean, limits CL ± 3 × mean moving range / 1.128; "One
    # (freak) data point is below the lower control limit" (the 142 on day 6).
    part = analyse(series(SYSTOLIC, chart="i", direction="down")).parts[0]
    assert part.centre_line == pytest.approx(sum(SYSTOLIC) / 26)
    assert part.limits.mean_moving_range == pytest.approx(11.0)
    assert part.limits.lower == pytest.approx(part.centre_line - 2.66 * 11.0)
    outside = part.of_rule("outside_limits")
    assert [s.indices for s in outside] == [(5,)]
    assert outside[0].verdict == "improvement"  # lower is better for this measure
    assert "1 point outside the limits 143.93 to 202.45" in part.describe()


def test_a_long_run_below_a_frozen_baseline_is_an_improvement_when_lower_is_better():
    analysis = analyse(series(WAIT_BASELINE + WAIT_AFTER, direction="down", baseline=24))
    part = analysis.parts[0]
    assert part.centre_line == 19 and part.frozen and part.centre_from == 24
    assert part.longest_run == 15 and part.longest_run_indices == tuple(range(24, 39))
    assert part.describe().startswith(
        "Median 19 over the first 24 points; 15 points in a row below it (limit 8): a signal of improvement.")
    assert "a shift of 15 points below the median (improvement)" in part.describe()
    assert set(range(24, 39)) <= analysis.signal_indices


def test_with_no_better_direction_a_signal_is_found_but_not_called_better_or_worse():
    part = analyse(series(WAIT_BASELINE + WAIT_AFTER, direction=None, baseline=24)).parts[0]
    assert {s.rule: s.verdict for s in part.signals}["longest_run"] == "unclear"
    assert "15 points in a row below it (limit 8): a signal of non-random variation." in part.describe()
    assert part.describe().endswith("IHI rules: a shift of 15 points below the median.")  # no better or worse


def test_the_same_run_is_a_deterioration_when_higher_is_better():
    part = analyse(series(WAIT_BASELINE + WAIT_AFTER, direction="up", baseline=24)).parts[0]
    assert part.of_rule("longest_run")[0].verdict == "deterioration"
    assert "a signal of deterioration" in part.describe()


def test_each_part_gets_its_own_centre_line_and_analysis():
    analysis = analyse(series(WAIT_BASELINE + WAIT_AFTER, direction="down", splits=(24,)))
    before, after = analysis.parts
    assert (before.start, before.stop, before.centre_line) == (0, 24, 19)
    assert (after.start, after.stop, after.centre_line) == (24, 39, 13)
    assert not after.of_rule("longest_run")
    assert analysis.describe().startswith("Part 1: Median 19 over 24 points;")
    assert "Part 2: Median 13 over 15 points;" in analysis.describe()


def test_fewer_than_ten_points_run_the_rules_but_call_nothing():
    analysis = analyse(series([5, 6, 7, 8, 9, 10, 11, 12, 13]))
    part = analysis.parts[0]
    assert part.too_early and part.of_rule("trend")
    assert analysis.signal_indices == frozenset()
    assert part.describe() == ("Median 9 over 9 points; only 9 points so far: too early to call "
                               "(the rules need at least 10).")


def test_no_crossings_at_all_is_a_crossings_signal_without_a_direction():
    part = analyse(series([1] * 6 + [9] * 6)).parts[0]
    assert part.crossings == 1 and part.crossings_limit == 3
    assert part.of_rule("crossings")[0].verdict == "unclear"


# IHI rules as Perla, Provost & Murray (2011) state them.

def test_a_shift_skips_points_on_the_median():
    # 6 points above with one on the median among them: still a shift of 6, not broken.
    values = [1, 5, 1, 5, 1, 1, 5, 6, 5, 3, 6, 5, 6, 1, 5, 1, 1, 1, 1]
    part = analyse(series(values)).parts[0]
    assert part.centre_line == 3
    (shift,) = part.of_rule("shift")
    assert shift.indices == (6, 7, 8, 10, 11, 12)


def test_five_points_in_a_row_are_not_a_shift():
    values = [1, 5, 1, 5, 1, 5, 5, 5, 5, 5, 1, 1, 3, 5, 1, 1, 1, 1, 5]  # median 3
    part = analyse(series(values)).parts[0]
    assert part.centre_line == 3 and part.longest_run == 5
    assert not part.of_rule("shift")


def test_a_trend_counts_equal_neighbours_once():
    # 4, 5, 5, 6, 7, 8: five distinct rising values, one repeated: a trend of 5 points.
    values = [6, 2, 9, 4, 5, 5, 6, 7, 8, 2, 9, 3]
    (trend,) = analyse(series(values)).parts[0].of_rule("trend")
    assert trend.indices == (3, 4, 6, 7, 8)
    assert trend.verdict == "improvement"


def test_four_rising_points_and_a_repeat_are_not_a_trend():
    values = [6, 2, 9, 4, 5, 5, 6, 7, 2, 9, 3, 8]
    assert not analyse(series(values)).parts[0].of_rule("trend")


def test_too_many_runs_in_an_alternating_series():
    part = analyse(series([1, 9] * 10)).parts[0]
    assert part.runs == 20 and part.runs > part.runs_limits[1]
    assert part.of_rule("too_many_runs")
    assert f"too many runs (20, at most {part.runs_limits[1]} expected)" in part.describe()


def test_too_few_runs_in_two_halves():
    part = analyse(series([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9])).parts[0]
    assert part.runs == 2 and part.of_rule("too_few_runs")


@pytest.mark.parametrize("options, message", [
    ({"splits": (0,)}, "splits"),
    ({"splits": (5, 3)}, "splits"),
    ({"baseline": 11}, "baseline"),
    ({"baseline": 6, "splits": (5,)}, "baseline"),
    ({"annotations": (Annotation(10, "late"),)}, "annotation"),
    ({"direction": "sideways"}, "direction"),
])
def test_a_series_that_does_not_make_sense_is_refused(options, message):
    with pytest.raises(ValueError, match=message):
        series(range(10), **options)


def test_values_keep_their_decimals():
    part = analyse(series([Decimal("3.5"), Decimal("3.25")] * 5)).parts[0]
    assert part.centre_line == 3.375
