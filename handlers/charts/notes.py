"""`/qi-share #slug note 2026-11-30 PDSA 2: new triage form`: a note on the project's run charts (its owner's);
`note remove 2026-11-30` takes it away; `notes` lists them. Stored before the ack, which carries the answer."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.charts.annotations import NotOwner, list_notes, remove_note, save_note
from bot.charts.measure_charts import ChartUnavailable
from bot.core import phi
from bot.core.runtime import Runtime
from bot.core.text import escape

# `notes`, or `note` and a date (or `remove` and a date): "#slug note that the night shift..." stays an update.
NOTE_TEXT = re.compile(r"^#([a-z0-9][a-z0-9-]*)\s+(notes\s*|note\s+(?:remove\s+)?\d{4}-\d{2}-\d{2}\b.*)$",
                       re.IGNORECASE | re.DOTALL)
NOT_OWNER = "Only the project's owner (or a QI Commons admin) can write notes on its charts."
USAGE = ("A note marks a change on the project's run charts: `/qi-share #{slug} note 2026-11-30 PDSA 2: new triage "
         "form`. `note remove 2026-11-30` takes it away; `notes` lists them.")


async def store_note_text(runtime: Runtime, *, team_id: str, user_id: str, slug: str, text: str) -> dict[str, Any]:
    """What `NOTE_TEXT` matched after the slug -> the ephemeral answer."""
    word, _, rest = text.strip().partition(" ")
    if word.lower() == "notes":
        return await _list(runtime, team_id=team_id, slug=slug)
    removing = rest.lower().startswith("remove")
    day, _, words = (rest[len("remove"):] if removing else rest).strip().partition(" ")
    try:
        on = date.fromisoformat(day)
    except ValueError:
        return {"text": f"{day} is not a date on the calendar: write it as YYYY-MM-DD. {USAGE.format(slug=slug)}"}
    try:
        if removing:
            return await _remove(runtime, team_id=team_id, user_id=user_id, slug=slug, on=on)
        saved = await save_note(runtime, team_id=team_id, user_id=user_id, slug=slug, on=on, text=words)
    except NotOwner:
        return {"text": NOT_OWNER}
    except ChartUnavailable as why:
        return {"text": str(why)}
    except phi.ContainsPhi as refused:
        return {"text": phi.describe(refused.hits, {"note": "The note"})}
    what = "Changed the note" if saved.changed else "Noted"
    return {"text": f"{what} on {on:%d %b %Y} for `#{saved.slug}`: “{escape(saved.text)}”. It shows on the "
                    f"project's run charts (`/qi-commons chart #{saved.slug}`)."}


async def _remove(runtime: Runtime, *, team_id: str, user_id: str, slug: str, on: date) -> dict[str, Any]:
    if not await remove_note(runtime, team_id=team_id, user_id=user_id, slug=slug, on=on):
        return {"text": f"`#{slug.lstrip('#').lower()}` has no note on {on:%d %b %Y}: nothing was removed."}
    return {"text": f"Removed the note on {on:%d %b %Y} from `#{slug.lstrip('#').lower()}`."}


async def _list(runtime: Runtime, *, team_id: str, slug: str) -> dict[str, Any]:
    try:
        slug, notes = await list_notes(runtime, team_id=team_id, slug=slug)
    except ChartUnavailable as why:
        return {"text": str(why)}
    if not notes:
        return {"text": f"`#{slug}` has no notes on its charts yet. {USAGE.format(slug=slug)}"}
    listed = "\n".join(f"• {n.on:%d %b %Y}: {escape(n.text)}" for n in notes)
    return {"text": f"Notes on `#{slug}`'s run charts:\n{listed}"}
