"""Safe formatting of user text for Slack's mrkdwn.

Slack treats `<...>` as control sequences (mentions, `<!channel>`, links with any label) and `&` as
the start of an entity. Escaping these three characters, `&` first, makes user text literal, so a
share containing `<!channel>` pings nobody and `<https://evil|trusted>` links nowhere. Emoji,
accents and every other character pass through untouched.
"""

from __future__ import annotations


def escape(text: str | None) -> str:
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten to at most `limit` characters, for Slack fields with hard limits."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 entry`, `2 entries`, `0 credits`: the one way every message counts things."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def first_line(text: str | None, limit: int = 150) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return truncate(line, limit)


def mention(user_id: str | None) -> str:
    """A user mention we build ourselves (ids come from Slack, never from user text)."""
    return f"<@{user_id}>" if user_id else "a former member"
