"""Which page of `/cpd-log list` a button belongs to, carried in the button's value.

The value comes back from Slack and can be forged; it only ever picks a page of the member's OWN
entries (bot.cpd.entries filters on the member asking), so anything malformed is simply page one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from handlers.ids import row_id

LIST_PAGE = "cpd_list_page"  # the Newer / Older / "Show all needing a reflection" buttons


@dataclass(frozen=True)
class ListPosition:
    page: int = 0
    # Only the entries between these days still needing a reflection (the summary's link), or all.
    needing_reflection: tuple[dt.date, dt.date] | None = None

    def to_value(self, entry_id: int | None = None) -> str:
        data: dict[str, object] = {"p": self.page}
        if self.needing_reflection:
            data["r"] = [day.isoformat() for day in self.needing_reflection]
        if entry_id is not None:
            data["e"] = entry_id
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_value(cls, value: str | None) -> tuple[ListPosition, int | None]:
        """The position and the entry id a button names; a bare id (older Delete buttons) is page one."""
        if (bare := row_id(value)) is not None:
            return cls(), bare
        try:
            data = json.loads(value or "{}")
            if not isinstance(data, dict):
                return cls(), None
            page = data.get("p") if isinstance(data.get("p"), int) and not isinstance(data.get("p"), bool) else 0
            days = data.get("r")
            needing = None
            if isinstance(days, list) and len(days) == 2 and all(isinstance(d, str) for d in days):
                needing = (dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[1]))
        except ValueError:
            return cls(), None
        return cls(max(page, 0), needing), row_id(data.get("e"))
