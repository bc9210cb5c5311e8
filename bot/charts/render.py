"""A run chart as a PNG for Slack: readable on a phone, colour-blind safe, signals shown by shape too.

Drawn in the shared chart style (bot/charts/style.py: Okabe & Ito's palette, the Agg canvas, no
pyplot). A signal point is a larger diamond, not only a different colour, and the words are in
`alt_text`.
"""

from __future__ import annotations

from bot.charts.analysis import ChartAnalysis, Series, format_number
from bot.charts.style import BLACK, BLUE, FONT, GREEN, GREY, ORANGE, VERMILION, literal, new_axes, png
from bot.core.text import truncate


def render_run_chart(series: Series, analysis: ChartAnalysis, *, title: str, unit: str | None = None) -> bytes:
    figure, axes = new_axes(title, unit or "value")
    xs = list(range(1, len(series.points) + 1))
    ys = [float(p.value) for p in series.points]

    axes.plot(xs, ys, color=BLUE, linewidth=2.5, marker="o", markersize=7, zorder=3, label="value")
    flagged = sorted(analysis.signal_indices)
    if flagged:
        axes.plot([xs[i] for i in flagged], [ys[i] for i in flagged], linestyle="none", marker="D",
                  markersize=12, color=VERMILION, markeredgecolor=BLACK, zorder=4, label="signal")
    for part in analysis.parts:
        span = (xs[part.start] - 0.4, xs[part.stop - 1] + 0.4)
        style = "-" if part.runs_signal else "--"  # qicharts2: the centre line goes solid on a signal
        axes.hlines(part.centre_line, *span, colors=GREY if part.too_early else BLACK, linestyles=style,
                    linewidth=2, zorder=2, label="median" if part.part == 1 and part.chart == "run" else
                    "mean" if part.part == 1 else None)
        axes.annotate(format_number(part.centre_line), (span[1], part.centre_line), xytext=(4, 0),
                      textcoords="offset points", va="center", fontsize=FONT - 4)
        if part.frozen:
            axes.axvspan(span[0], xs[part.start + part.centre_from - 1] + 0.5, color=GREY, alpha=0.15, zorder=0,
                         label="baseline")
        if part.limits:
            for bound in (part.limits.lower, part.limits.upper):
                axes.hlines(bound, *span, colors=ORANGE, linestyles=":", linewidth=2, zorder=2,
                            label="limits" if part.part == 1 and bound == part.limits.lower else None)
        if part.start:
            axes.axvline(xs[part.start] - 0.5, color=BLACK, linewidth=1.5, linestyle="-.", zorder=1)
    if series.goal is not None:
        axes.axhline(float(series.goal), color=GREEN, linewidth=2, linestyle=(0, (6, 3)), zorder=1, label="goal")
    for n, annotation in enumerate(series.annotations):
        x, y = xs[annotation.index], ys[annotation.index]
        # Every other label higher, so two notes a few points apart do not cover each other.
        axes.annotate(literal(truncate(annotation.label, 30)), (x, y), xytext=(0, 40 + 32 * (n % 2)),
                      textcoords="offset points", ha="center",
                      fontsize=FONT - 5, arrowprops={"arrowstyle": "-|>", "color": BLACK},
                      bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": GREY})

    step = max(1, -(-len(xs) // 6))  # at most six dates: each label needs about 110 px at this font size
    axes.set_xticks(xs[::step], [series.points[i - 1].on.strftime("%d %b %y") for i in xs[::step]])
    axes.legend(loc="best", fontsize=FONT - 5, frameon=False)
    return png(figure)


def alt_text(analysis: ChartAnalysis, *, title: str, series: Series | None = None) -> str:
    """What the image shows, in words, for screen readers and for Slack's alt text: the analysis, then the
    notes marked on it."""
    kind = "I chart" if analysis.parts[0].chart == "i" else "Run chart"
    notes = "".join(f" Note at {series.points[a.index].on:%d %b %Y}: {a.label}." for a in series.annotations) if series else ""
    return f"{kind} of {title}. {analysis.describe()}{notes}"
