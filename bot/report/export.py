"""The indicator matrix as CSV: one row per indicator and per participation group, both periods."""

from __future__ import annotations

from bot.core.csv_safe import write_csv
from bot.report.build import ValueReport
from bot.report.definitions import CYCLE_TITLES


def matrix_csv(report: ValueReport) -> str:
    period, previous = report.period.label, report.previous.label
    rows: list[list[object]] = [
        [CYCLE_TITLES[f.indicator.cycle], f.indicator.label, f.current, f.previous, f.indicator.counts,
         f.indicator.source] for f in report.figures]
    for title, groups in (("Participation by profession", report.by_profession),
                          ("Participation by career stage", report.by_career_stage)):
        rows += [[title, group.name, str(group.current), str(group.previous),
                  "Active members in this group (fewer than 5, and a cell that would give one away, is hidden).",
                  "Wenger, Trayner & de Laat (2011), immediate value: who participates."] for group in groups]
    return write_csv(["value cycle", "indicator", period, previous, "what is counted", "source"], rows)
