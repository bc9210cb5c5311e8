"""Properties of the runs rules that hold for every series, checked on generated data."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.charts.analysis import SHIFT_LENGTH, analyse
from tests.charts.helpers import series

values = st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=80)


def _runs_summary(part):
    return part.centre_line, part.n_useful, part.longest_run, part.crossings, part.runs, part.runs_signal


@given(values)
def test_reversing_the_order_keeps_the_runs_analysis(ys):
    forward, backward = analyse(series(ys)).parts[0], analyse(series(ys[::-1])).parts[0]
    assert _runs_summary(forward) == _runs_summary(backward)


@given(values)
def test_mirroring_around_the_median_keeps_the_runs_analysis_and_swaps_sides(ys):
    part = analyse(series(ys)).parts[0]
    mirrored = analyse(series([2 * part.centre_line - y for y in ys])).parts[0]
    assert mirrored.centre_line == part.centre_line
    assert _runs_summary(mirrored) == _runs_summary(part)
    assert mirrored.longest_run_side == -part.longest_run_side


@given(values, st.integers(min_value=0, max_value=80))
def test_a_point_on_the_median_changes_neither_median_nor_useful_points(ys, where):
    part = analyse(series(ys)).parts[0]
    where = where % (len(ys) + 1)
    grown = analyse(series([*ys[:where], part.centre_line, *ys[where:]])).parts[0]
    assert (grown.centre_line, grown.n_useful, grown.longest_run, grown.crossings) == (
        part.centre_line, part.n_useful, part.longest_run, part.crossings)


@given(st.lists(st.integers(min_value=-1000, max_value=1000), min_size=5, max_size=60, unique=True))
def test_a_monotone_series_of_five_or_more_is_one_trend(ys):
    for ordered, verdict in ((sorted(ys), "improvement"), (sorted(ys, reverse=True), "deterioration")):
        (trend,) = analyse(series(ordered)).parts[0].of_rule("trend")
        assert trend.indices == tuple(range(len(ys))) and trend.verdict == verdict


def _shifts_by_brute_force(ys, centre):
    """Every maximal stretch of 6+ points on one side, points on the centre line skipped."""
    useful = [(i, (y > centre) - (y < centre)) for i, y in enumerate(ys) if y != centre]
    found = []
    start = 0
    while start < len(useful):
        stop = start
        while stop < len(useful) and useful[stop][1] == useful[start][1]:
            stop += 1
        if stop - start >= SHIFT_LENGTH:
            found.append(tuple(i for i, _ in useful[start:stop]))
        start = stop
    return found


@settings(max_examples=300)
@given(st.lists(st.sampled_from([1, 2, 3, 4, 5]), min_size=1, max_size=60))
def test_shift_detection_agrees_with_a_brute_force_reference(ys):
    part = analyse(series(ys)).parts[0]
    assert [s.indices for s in part.of_rule("shift")] == _shifts_by_brute_force(ys, part.centre_line)


@given(values)
def test_longest_run_and_crossings_follow_qicharts2_definitions(ys):
    # qicharts2 runs.analysis: sign(y - cl) without zeros, rle; longest = max run length,
    # crossings = number of runs - 1.
    part = analyse(series(ys)).parts[0]
    signs = [(y > part.centre_line) - (y < part.centre_line) for y in ys]
    signs = [s for s in signs if s]
    lengths, previous = [], None
    for s in signs:
        if s == previous:
            lengths[-1] += 1
        else:
            lengths.append(1)
        previous = s
    assert part.n_useful == len(signs)
    assert part.longest_run == max(lengths, default=0)
    assert part.crossings == max(len(lengths) - 1, 0)
