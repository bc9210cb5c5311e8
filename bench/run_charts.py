"""Benchmark: run chart analysis of 10,000 points and a 100-point PNG, each against a baseline.

Run with the project's Python: ``python bench/run_charts.py``. From a fixed seed it times

    analysis: `analyse` of a 10,000-point series, against `statistics.median` of the same values
              (the least any run chart must do); target under 20 ms;
    render:   `render_run_chart` of a 100-point series with a baseline, a goal, annotations and
              signals, against a bare matplotlib line plot of the same data saved as a PNG of the
              same size; target under 300 ms.

Each is the median of several runs after a warm-up, printed with its ratio to the baseline. PASS
needs the target met; the ratio says what the work costs beyond the baseline. Exits 1 on any FAIL.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.charts.analysis import Annotation, Point, Series, analyse  # noqa: E402
from bot.charts.limits import crossings_limit, runs_limits  # noqa: E402
from bot.charts.render import render_run_chart  # noqa: E402
from bot.charts.style import DPI, SIZE_INCHES  # noqa: E402

SEED = 20261202
RUNS = 9
ANALYSIS_TARGET_MS = 20.0
RENDER_TARGET_MS = 300.0


def make_series(n: int, rng: random.Random, **options) -> Series:
    # A process that improves halfway: the second half is lower, as after a successful change.
    values = [rng.gauss(20 if i < n // 2 else 17, 3) for i in range(n)]
    points = tuple(Point(date(2000, 1, 3) + timedelta(days=i), Decimal(f"{v:.1f}")) for i, v in enumerate(values))
    return Series(points, direction="down", **options)


def timed(work, runs: int = RUNS) -> float:
    """Median milliseconds of `work()` over `runs` runs, after one warm-up run."""
    work()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bare_plot(values: list[float]) -> bytes:
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    figure.add_subplot().plot(values)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def main() -> int:
    rng = random.Random(SEED)
    big = make_series(10_000, rng)
    values = [float(p.value) for p in big.points]

    def fresh_analysis() -> None:
        crossings_limit.cache_clear()  # no help from an earlier run's limits
        runs_limits.cache_clear()
        analyse(big)

    analysis_ms = timed(fresh_analysis)
    median_ms = timed(lambda: statistics.median(values))

    small = make_series(100, rng, baseline=24, goal=Decimal(15),
                        annotations=(Annotation(50, "PDSA 1: new form"), Annotation(70, "PDSA 2")))
    small_analysis = analyse(small)
    small_values = [float(p.value) for p in small.points]
    render_ms = timed(lambda: render_run_chart(small, small_analysis, title="Wait to first assessment", unit="days"))
    bare_ms = timed(lambda: bare_plot(small_values))

    print(f"{'work':<32} {'ms':>8} {'baseline':<38} {'ms':>8} {'ratio':>6}")
    print(f"{'analyse 10,000 points':<32} {analysis_ms:>8.1f} {'statistics.median of the values':<38} "
          f"{median_ms:>8.1f} {analysis_ms / median_ms:>6.1f}")
    print(f"{'render a 100-point run chart':<32} {render_ms:>8.1f} {'bare matplotlib line plot to PNG':<38} "
          f"{bare_ms:>8.1f} {render_ms / bare_ms:>6.1f}")

    checks = [
        (analysis_ms < ANALYSIS_TARGET_MS,
         f"analysis of 10,000 points in {analysis_ms:.1f} ms (target under {ANALYSIS_TARGET_MS:.0f} ms)"),
        (render_ms < RENDER_TARGET_MS,
         f"100-point PNG in {render_ms:.0f} ms (target under {RENDER_TARGET_MS:.0f} ms)"),
    ]
    for ok, line in checks:
        print(("PASS " if ok else "FAIL ") + line)
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
