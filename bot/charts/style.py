"""The look every QI Commons chart shares: readable on a phone, colour-blind safe, drawn without pyplot.

`matplotlib.figure.Figure` with the Agg canvas directly: no global figure state, so renders may run
in threads side by side. Colours are Okabe & Ito's palette. The run chart (render.py) and the value
report's participation chart (bot/report/chart.py) both draw on `new_axes` and finish with `png`.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour vision.
BLUE, ORANGE, GREEN, VERMILION, GREY, BLACK = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#999999", "#000000"
SIZE_INCHES, DPI = (12, 6.75), 100  # 1200 x 675 px: Slack's preview width, 16:9 on a phone
FONT = 18


def new_axes(title: str, ylabel: str) -> tuple[Figure, Any]:
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    figure.subplots_adjust(left=0.08, right=0.95, top=0.9, bottom=0.1)  # fixed: a layout engine doubles the time
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(literal(title[:80]), fontsize=FONT + 4, loc="left")
    axes.set_ylabel(literal(ylabel), fontsize=FONT)
    axes.tick_params(labelsize=FONT - 4)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color=GREY, alpha=0.3)
    return figure, axes


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def literal(text: str) -> str:
    """User text as drawn characters: matplotlib reads a pair of `$` as mathematics otherwise."""
    return text.replace("$", r"\$")
