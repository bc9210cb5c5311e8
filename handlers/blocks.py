"""The small Block Kit builders every feature shares: text objects, sections, context, headers,
buttons and select options, each cut to Slack's limit so a long title cannot make Slack reject a
whole message or view.

`verbatim` is off unless asked for: text holding user content must pass `verbatim=True` (after
`bot.core.text.escape`), so Slack shows it literally instead of turning `#channel` or URLs into links.
"""

from __future__ import annotations

from typing import Any

from bot.core.text import truncate

# Slack's character limits (https://api.slack.com/reference/block-kit).
SECTION_LIMIT = 3000  # a section's or context element's text
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
OPTION_LIMIT = 75


def plain(text: str) -> dict[str, Any]:
    """A plain_text object (labels, titles, placeholders, hints)."""
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str, *, verbatim: bool = False) -> dict[str, Any]:
    """A mrkdwn text object; `verbatim=True` for user content."""
    obj: dict[str, Any] = {"type": "mrkdwn", "text": text}
    if verbatim:
        obj["verbatim"] = True
    return obj


def section(text: str, *, accessory: dict[str, Any] | None = None, verbatim: bool = False) -> dict[str, Any]:
    """A mrkdwn section, cut to SECTION_LIMIT, with an optional accessory (a button, say)."""
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(truncate(text, SECTION_LIMIT), verbatim=verbatim)}
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str, *, verbatim: bool = False) -> dict[str, Any]:
    """A context block with one mrkdwn element, cut to SECTION_LIMIT."""
    return {"type": "context", "elements": [mrkdwn(truncate(text, SECTION_LIMIT), verbatim=verbatim)]}


def header(text: str) -> dict[str, Any]:
    """A header block, cut to HEADER_LIMIT."""
    return {"type": "header", "text": plain(truncate(text, HEADER_LIMIT))}


def button(text: str, action_id: str, value: str = "", *, style: str | None = None,
           confirm: dict[str, Any] | None = None, url: str | None = None) -> dict[str, Any]:
    """A button, its label cut to BUTTON_LIMIT; an empty value, style or confirm is left out."""
    block: dict[str, Any] = {"type": "button", "text": plain(truncate(text, BUTTON_LIMIT)), "action_id": action_id}
    if value:
        block["value"] = value
    if style:
        block["style"] = style
    if confirm:
        block["confirm"] = confirm
    if url:
        block["url"] = url
    return block


def archive_link(workspace_url: str | None, channel_id: str | None, ts: str | None) -> str | None:
    """Slack's permalink form, for rows stored before their permalink was fetched."""
    if not (workspace_url and channel_id and ts):
        return None
    return f"{workspace_url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"


def option(text: str, value: str) -> dict[str, Any]:
    """A select, radio or checkbox option, its label cut to OPTION_LIMIT."""
    return {"text": plain(truncate(text, OPTION_LIMIT)), "value": value}
