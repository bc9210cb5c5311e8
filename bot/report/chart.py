"""Participation over the last twelve months as a PNG: active members as bars, shares as a line.

Drawn in the run charts' style (bot/charts/style.py). A month with fewer than 5 active members has
no bar height: it is labelled "fewer than 5", like the report's cells.
"""

from __future__ import annotations

from bot.charts.style import BLUE, FONT, GREY, ORANGE, new_axes, png
from bot.report.build import ValueReport


def participation_png(report: ValueReport) -> bytes:
    figure, axes = new_axes(f"Participation, 12 months to {report.period.label}", "people / updates")
    xs = list(range(len(report.months)))
    heights = [m.active.value or 0 for m in report.months]
    axes.bar(xs, heights, color=BLUE, width=0.6, label="active members", zorder=2)
    for x, month in zip(xs, report.months, strict=True):
        if month.active.suppressed:
            axes.annotate("<5", (x, 0), xytext=(0, 4), textcoords="offset points", ha="center",
                          fontsize=FONT - 6, color=GREY)
    axes.plot(xs, [m.shares for m in report.months], color=ORANGE, linewidth=2.5, marker="o", markersize=7,
              label="updates shared", zorder=3)
    axes.set_xticks(xs[::2], [m.month.strftime("%b %y") for m in report.months][::2])
    axes.set_ylim(bottom=0)
    axes.legend(loc="upper left", fontsize=FONT - 5, frameon=False)
    return png(figure)


def alt_text(report: ValueReport) -> str:
    """The chart in words, for screen readers: each month's active members and shares."""
    months = "; ".join(f"{m.month:%b %Y}: {m.active} active, {m.shares} shared" for m in report.months)
    return f"Participation over the 12 months to {report.period.label}. {months}."
