"""What a "Log as CPD" button fills in on the /cpd-log form, carried in the button's value.

The value comes back from Slack and can be forged, so it only ever prefills the member's OWN form:
the submission validates everything again (activity type, hours, date, PHI, project membership).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from handlers.ids import row_id

# The button that opens the /cpd-log form, prefilled (offers) or empty.
OPEN_ENTRY_FORM = "cpd_open_entry_form"
SOURCES = ("manual", "quick", "qi_update", "mentoring")


@dataclass(frozen=True)
class EntryPrefill:
    activity_type: str | None = None
    title: str | None = None
    qi_project_id: int | None = None
    hours: Decimal | None = None  # None: the member fills in the time
    date: dt.date | None = None
    source: str = "manual"

    def to_value(self) -> str:
        """Compact JSON for a button value (Slack allows 2000 characters; titles are at most 200)."""
        data = {"a": self.activity_type, "t": self.title, "p": self.qi_project_id,
                "h": None if self.hours is None else str(self.hours),
                "d": None if self.date is None else self.date.isoformat(), "s": self.source}
        # ensure_ascii=False: escaped, a title of emoji or accents could pass Slack's 2000 characters.
        return json.dumps({k: v for k, v in data.items() if v is not None}, separators=(",", ":"),
                          ensure_ascii=False)

    @classmethod
    def from_value(cls, value: str | None) -> EntryPrefill:
        """Read a button value; anything malformed becomes an empty form rather than an error."""
        try:
            data = json.loads(value or "{}")
            if not isinstance(data, dict):
                return cls()
            hours = Decimal(data["h"]) if isinstance(data.get("h"), str) else None
            day = dt.date.fromisoformat(data["d"]) if isinstance(data.get("d"), str) else None
        except (ValueError, InvalidOperation):
            return cls()
        return cls(
            activity_type=data["a"] if isinstance(data.get("a"), str) else None,
            title=data["t"][:200] if isinstance(data.get("t"), str) else None,
            qi_project_id=row_id(data.get("p")),
            hours=hours if hours is not None and hours.is_finite() else None,
            date=day,
            source=data["s"] if data.get("s") in SOURCES else "manual",
        )
