"""Critical values for the Anhøj rules and the IHI number-of-runs rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.charts.limits import (
    EXACT_RUNS_UP_TO,
    approximate_runs_limits,
    crossings_limit,
    longest_run_limit,
    runs_limits,
)

# Anhøj's table of critical values for n_useful = 10..100, as published in the qicharts2 vignette
# ("Critical values for longest run and number of crossings", anhoej/qicharts2 vignettes/qicharts2.Rmd,
# appendix 2; the same table as spc4hc's "Critical Values for Longest Runs and Number of Crossings").
PUBLISHED_LONGEST_RUN = [6, 6] + [7] * 11 + [8] * 23 + [9] * 45 + [10] * 10
PUBLISHED_CROSSINGS = [
    2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 8, 8, 9, 9, 10, 10,  # 10..30
    11, 11, 11, 12, 12, 13, 13, 14, 14, 14, 15, 15, 16, 16, 17, 17, 17, 18, 18, 19,  # 31..50
    19, 20, 20, 21, 21, 21, 22, 22, 23, 23, 24, 24, 25, 25, 25, 26, 26, 27, 27, 28,  # 51..70
    28, 29, 29, 29, 30, 30, 31, 31, 32, 32, 33, 33, 34, 34, 34, 35, 35, 36, 36, 37,  # 71..90
    37, 38, 38, 39, 39, 39, 40, 40, 41, 41,  # 91..100
]


def test_the_published_table_of_critical_values():
    assert len(PUBLISHED_LONGEST_RUN) == len(PUBLISHED_CROSSINGS) == 91
    assert [longest_run_limit(n) for n in range(10, 101)] == PUBLISHED_LONGEST_RUN
    assert [crossings_limit(n) for n in range(10, 101)] == PUBLISHED_CROSSINGS


def _qbinom_by_full_sum(n_useful: int) -> int:
    """The definition itself: smallest k with sum_{i<=k} C(n-1, i) / 2^(n-1) >= 0.05."""
    size = max(n_useful - 1, 0)
    cumulative, term = 0, 1
    for k in range(size + 1):
        cumulative += term  # C(size, k)
        if 20 * cumulative >= 2**size:
            return k
        term = term * (size - k) // (k + 1)
    raise AssertionError("unreachable")


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=2500))  # past EXACT_CROSSINGS_UP_TO: the floating-point path too
def test_crossings_limit_is_the_exact_binomial_quantile(n_useful):
    assert crossings_limit(n_useful) == _qbinom_by_full_sum(n_useful)


def _runs_distribution(above: int, below: int) -> dict[int, int]:
    """Brute force: count the runs of every arrangement of `above` ups among the points."""
    from itertools import combinations

    counts: dict[int, int] = {}
    n = above + below
    for ups in combinations(range(n), above):
        marks = [i in ups for i in range(n)]
        runs = 1 + sum(a != b for a, b in zip(marks, marks[1:], strict=False))
        counts[runs] = counts.get(runs, 0) + 1
    return counts


@pytest.mark.parametrize("n_useful", [10, 11, 14, 15, 16])
def test_runs_limits_cut_5_percent_from_each_tail_of_the_exact_distribution(n_useful):
    counts = _runs_distribution(n_useful // 2, n_useful - n_useful // 2)
    total = sum(counts.values())
    fewest, most = runs_limits(n_useful)
    assert sum(c for r, c in counts.items() if r < fewest) / total <= 0.05
    assert sum(c for r, c in counts.items() if r <= fewest) / total > 0.05
    assert sum(c for r, c in counts.items() if r > most) / total <= 0.05
    assert sum(c for r, c in counts.items() if r >= most) / total > 0.05


@pytest.mark.parametrize("n_useful", range(100, EXACT_RUNS_UP_TO + 1, 10))
def test_the_normal_approximation_used_for_long_series_is_within_one_run_of_the_exact_limits(n_useful):
    exact, approximate = runs_limits(n_useful), approximate_runs_limits(n_useful)
    assert abs(exact[0] - approximate[0]) <= 1 and abs(exact[1] - approximate[1]) <= 1
