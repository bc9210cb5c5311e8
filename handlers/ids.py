"""Row ids from button values, private metadata and selects: anything a client sends can be forged."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # the id columns are 32-bit: a larger forged id would make PostgreSQL raise


def row_id(value: object) -> int | None:
    """The id, or None for anything that is not one. Callers still scope the row by team and person.

    ASCII digits only: `"²".isdigit()` is True but `int("²")` raises.
    """
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID else None
