"""Connections, "others have worked on this" for the member who just started a project or asked for a mentor."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.runtime import Runtime
from bot.search import connections
from handlers.search.blocks import Message
from handlers.search.blocks import connections as connections_message
from handlers.search.commands import workspace_url


async def connections_for(runtime: Runtime, *, team_id: str, user_id: str, subject: str,
                          about: Iterable[str | None]) -> Message | None:
    """Up to three people to ask (stored as suggested for `subject`), or None when nobody fits: then the
    member hears nothing more than their own answer."""
    text = " ".join(part for part in about if part)
    suggestions = await connections.suggest(runtime, team_id=team_id, user_id=user_id, subject=subject, about=text)
    if not suggestions:
        return None
    return connections_message(subject, suggestions, await workspace_url(runtime))
