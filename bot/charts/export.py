"""CSV of a measure's series with the analysis beside each point, for a spreadsheet or a report."""

from __future__ import annotations

from bot.charts.analysis import ChartAnalysis, Series, format_number
from bot.core.csv_safe import write_csv

HEADER = ("date", "value", "part", "centre_line", "in_longest_run", "signal", "note")


def series_csv(series: Series, analysis: ChartAnalysis) -> str:
    """One row a point: its part, that part's centre line, whether it is in the part's longest run,
    the rules that flag it ("shift; trend", empty when none or too early to call) and its notes."""
    notes: dict[int, list[str]] = {}
    for annotation in series.annotations:
        notes.setdefault(annotation.index, []).append(annotation.label)
    flagged: dict[int, set[str]] = {}
    for part in analysis.parts:
        for signal in () if part.too_early else part.signals:
            for index in signal.indices:
                flagged.setdefault(index, set()).add(signal.rule)
    in_longest = {i for part in analysis.parts for i in part.longest_run_indices}
    rows = []
    for index, point in enumerate(series.points):
        part = analysis.part_of(index)
        rows.append((
            point.on.isoformat(),
            point.value,
            part.part,
            format_number(part.centre_line),
            "yes" if index in in_longest else "no",
            "; ".join(sorted(flagged.get(index, ()))),
            "; ".join(notes.get(index, [])),
        ))
    return write_csv(HEADER, rows)
