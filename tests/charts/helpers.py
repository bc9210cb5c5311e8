"""Series built from plain numbers, one point a week."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.charts.analysis import Point, Series


def series(values, **options) -> Series:
    points = tuple(Point(date(2025, 1, 6) + timedelta(weeks=i), Decimal(str(v))) for i, v in enumerate(values))
    return Series(points, **options)


# Systolic blood pressure of one patient, 26 mornings (Mohammed et al. 2008), as used in
# spc4hc (Anhøj & Mohammed, "Statistical Process Control for Health Care"), chapter "Your First SPC
# Charts With Base R" (anhoej/spc4hc 21_first_charts.Rmd).
SYSTOLIC = [169, 172, 175, 174, 161, 142, 174, 171, 168, 174, 180, 194, 161,
            181, 175, 176, 186, 166, 157, 183, 177, 171, 185, 176, 181, 174]

# The example: 24 baseline weeks around 19 days, then a change and 15 weeks lower.
WAIT_BASELINE = [19, 21, 18, 20, 19, 22, 17, 19, 20, 18, 23, 19, 16, 21, 19, 20, 18, 22, 19, 17, 20, 21, 19, 19]
WAIT_AFTER = [15, 14, 16, 13, 15, 12, 14, 13, 15, 12, 11, 14, 13, 12, 11]
