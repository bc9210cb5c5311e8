"""Reading what a modal sends back: its `private_metadata` and the dates its pickers hold.

Slack signs the request, but the client fills these fields: a stale form, a browser extension or a
forged payload can put anything in them. Every reader here answers None for what it cannot read, so
the listener turns it into a field error or an ephemeral message, never a 500 with a traceback.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

# What a member sees on a form whose metadata we cannot read: the form is not one we can trust.
STALE_FORM = "This form is out of date. Close it and open it again, then try once more."


def metadata(view: dict[str, Any]) -> dict[str, Any] | None:
    """The view's `private_metadata` as the JSON object we wrote; {} when empty, None when unreadable."""
    raw = view.get("private_metadata") or "{}"
    try:
        found = json.loads(raw) if isinstance(raw, str) else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None
    return found if isinstance(found, dict) else None


def text(meta: dict[str, Any] | None, key: str) -> str | None:
    """A string we stored under `key` (a channel id, a response_url); None for anything else."""
    found = (meta or {}).get(key)
    return found if isinstance(found, str) and found else None


def picked_date(raw: object) -> date | None:
    """A datepicker's `selected_date` (YYYY-MM-DD); None when empty or not a real date, e.g. 2026-13-45."""
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None
