"""What a too-late, repeated or misdirected click is told. Nothing changed in every case."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.text import mention, plural
from bot.mentoring.pairs import Refused
from bot.mentoring.requests import Stale


def stale_text(stale: Stale, handoff_days: int) -> str:
    mentee = mention(stale.request.mentee_id) if stale.request else "The mentee"
    texts = {
        "not_found": "That request no longer exists, so nothing changed.",
        "not_yours": "That button is for someone else, so nothing changed.",
        "accepted": "You've already taken this one on, so nothing changed. Your group DM with the mentee is open.",
        "declined": "You already declined this request, so nothing changed.",
        "expired": (f"This request moved on to another mentor after {plural(handoff_days, 'day')} without an answer, so "
                    "nothing changed. Thanks all the same!"),
        "withdrawn": f"{mentee} withdrew this request, so nothing changed.",
        "taken": f"{mention(stale.winner_id)} already took this one on, so nothing changed. Thanks for offering!",
        "asked": (f"You've already asked {mention(stale.winner_id)}. To ask someone else, withdraw that request "
                  "first; nothing changed."),
        "closed": "This request is closed, so nothing changed.",
    }
    return texts.get(stale.reason, texts["closed"])


def refused_text(refused: Refused, tz: ZoneInfo) -> str:
    ended = (f"This mentorship already ended on {refused.ended_at.astimezone(tz):%-d %B %Y}" if refused.ended_at
             else "This mentorship has already ended")
    return {
        "not_found": "That mentorship no longer exists, so nothing changed.",
        "not_yours": "That button is for the mentor and mentee only, so nothing changed.",
        "ended": f"{ended}, so nothing changed. To keep working together, the mentee can ask again with "
                 "`/find-mentor`.",
        "active": "Feedback opens once the mentorship has ended; nothing changed.",
    }[refused.reason]
