"""Critical values for the run chart rules, computed exactly rather than copied from tables.

Anhøj rules (qicharts2 `runs.analysis`; Anhøj 2015, "Diagnostic value of run chart analysis"):
longest run > round(log2(n_useful)) + 3 (Schilling 2012), or crossings < qbinom(0.05, n_useful - 1,
0.5) (Chen 2010). IHI "too few / too many runs" (Perla, Provost & Murray 2011) come from the
Swed & Eisenhart distribution of the number of runs with the useful points split evenly above and
below the median, 5% in each tail.
"""

from __future__ import annotations

import math
from functools import lru_cache

# Above this many useful points the exact runs distribution costs more than it tells: the normal
# approximation (Swed & Eisenhart's mean and variance) is within one run of it there.
EXACT_RUNS_UP_TO = 200
# Up to this many points big-integer sums take well under a millisecond; beyond, floating point
# decides unless it lands too near 5% to be sure.
EXACT_CROSSINGS_UP_TO = 1000


def longest_run_limit(n_useful: int) -> int:
    # log2 of an integer is never exactly k + 0.5, so Python's and R's rounding rules agree here.
    return round(math.log2(n_useful)) + 3


def _exactly_reaches_5_percent(size: int, k: int) -> bool:
    """Whether P(X <= k) >= 0.05 for X ~ Binomial(size, 1/2), in integers: 20 * sum C(size, i) >= 2^size."""
    total, term, cumulative = 1 << size, 1, 0
    for i in range(k + 1):
        cumulative += term  # term is C(size, i)
        term = term * (size - i) // (i + 1)
    return 20 * cumulative >= total


def _probability_at_most(size: int, k: int) -> float:
    """P(X <= k) in floating point, from the largest term down until the rest cannot matter."""
    log_term = math.lgamma(size + 1) - math.lgamma(k + 1) - math.lgamma(size - k + 1) - size * math.log(2)
    term = math.exp(log_term)
    total, i = 0.0, k
    while i >= 0 and term > total * 1e-17:
        total += term
        term *= i / (size - i + 1)
        i -= 1
    return total


def _reaches_5_percent(size: int, k: int) -> bool:
    # Floating point is off by far less than 1e-9 here; nearer than that to 5%, decide in integers.
    # (2^size / 20 is never a whole number, so the exact sum never lands on 5% itself.)
    if size <= EXACT_CROSSINGS_UP_TO:
        return _exactly_reaches_5_percent(size, k)
    probability = _probability_at_most(size, k)
    if abs(probability - 0.05) < 1e-9:
        return _exactly_reaches_5_percent(size, k)
    return probability >= 0.05


@lru_cache(maxsize=256)
def crossings_limit(n_useful: int) -> int:
    """R's qbinom(0.05, n_useful - 1, 0.5): the smallest k with P(X <= k) >= 0.05."""
    size = max(n_useful - 1, 0)
    k = min(max(int(size / 2 - 0.8224 * math.sqrt(size)), 0), size)  # normal approximation, then exact steps
    if _reaches_5_percent(size, k):
        while k > 0 and _reaches_5_percent(size, k - 1):
            k -= 1
        return k
    while not _reaches_5_percent(size, k + 1):
        k += 1
    return k + 1


def _runs_probability(runs: int, above: int, below: int) -> int:
    """Ways (out of C(above + below, above)) to arrange the points into exactly `runs` runs."""
    if runs % 2 == 0:
        half = runs // 2
        return 2 * math.comb(above - 1, half - 1) * math.comb(below - 1, half - 1)
    half = (runs - 1) // 2
    return (math.comb(above - 1, half) * math.comb(below - 1, half - 1)
            + math.comb(above - 1, half - 1) * math.comb(below - 1, half))


@lru_cache(maxsize=256)
def runs_limits(n_useful: int) -> tuple[int, int]:
    """(fewest, most) runs expected by chance: fewer is a "too few runs" signal, more "too many"."""
    if n_useful > EXACT_RUNS_UP_TO:
        return approximate_runs_limits(n_useful)
    above, below = n_useful // 2, n_useful - n_useful // 2
    total = math.comb(n_useful, above)
    most_runs = 2 * below if above == below else 2 * above + 1
    counts = [_runs_probability(r, above, below) for r in range(2, most_runs + 1)]
    fewest, cumulative = 2, 0
    for runs, count in zip(range(2, most_runs + 1), counts, strict=True):
        cumulative += count
        if 20 * cumulative > total:  # P(R <= runs) > 5%: `runs` runs are no longer rare
            fewest = runs
            break
    most, cumulative = most_runs, 0
    for runs, count in zip(range(most_runs, 1, -1), reversed(counts), strict=True):
        cumulative += count
        if 20 * cumulative > total:
            most = runs
            break
    return fewest, most


def approximate_runs_limits(n_useful: int) -> tuple[int, int]:
    """Swed & Eisenhart's mean and variance of the number of runs, 1.645 SD each side."""
    above, below = n_useful // 2, n_useful - n_useful // 2
    mean = 2 * above * below / n_useful + 1
    sd = math.sqrt(2 * above * below * (2 * above * below - n_useful) / (n_useful**2 * (n_useful - 1)))
    return math.ceil(mean - 1.645 * sd), math.floor(mean + 1.645 * sd)
