"""Small-cell suppression: a figure that counts fewer than 5 people is shown as "fewer than 5".

Hiding one cell is not enough when a total is shown beside its parts: the hidden cell would be the
total minus the others. So in a breakdown with one hidden cell the next smallest is hidden too (its
complement), and when the total itself is hidden every part is. DESIGN.md's rule for aggregates shown
to others (cells under 5 people), as the digest's CPD line applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALL_CELL = 5
FEWER = "fewer than 5"


@dataclass(frozen=True)
class Cell:
    """A count of people as it may be shown: `value` is None when it is suppressed."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return FEWER if self.value is None else str(self.value)


def people(count: int) -> Cell:
    return Cell(None if count < SMALL_CELL else count)


def breakdown(counts: list[int], total: int) -> list[Cell]:
    """Each part of `total` as it may be shown beside it, complements hidden too."""
    if total < SMALL_CELL:
        return [Cell(None) for _ in counts]
    cells = [people(count) for count in counts]
    hidden = [n for n, cell in enumerate(cells) if cell.suppressed]
    if len(hidden) == 1:
        shown = sorted((count, n) for n, count in enumerate(counts) if n not in hidden)
        if shown:
            cells[shown[0][1]] = Cell(None)
    return cells
