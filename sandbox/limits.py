"""Slack's Block Kit limits, so the stand-in refuses what Slack would (and the sandbox never shows it).

Slack answers a message over a limit with `invalid_blocks` and a view with `invalid_arguments`; the
numbers are those of Slack's Block Kit reference.
"""

from __future__ import annotations

from typing import Any

# (block or element type, field) -> the most characters Slack takes.
_TEXT_LIMITS = {
    ("section", "text"): 3000, ("header", "text"): 150, ("context", "text"): 3000, ("button", "text"): 75,
    ("input", "label"): 2000, ("input", "hint"): 2000, ("image", "alt_text"): 2000,
}
_MAX_BUTTON_VALUE = 2000
_MAX_ID = 255
_MAX_OPTIONS = 100
_MAX_FIELDS = 10
_MAX_ACTIONS_ELEMENTS = 25
_MAX_MODAL_TITLE = 24


def _text_of(value: Any) -> str:
    return value.get("text", "") if isinstance(value, dict) else ""


def _problems(node: Any) -> list[str]:
    if isinstance(node, list):
        return [p for item in node for p in _problems(item)]
    if not isinstance(node, dict):
        return []
    # Untyped objects (a button's confirm dialog, an option) have limits of their own, not their parent's.
    own = node.get("type") if isinstance(node.get("type"), str) else None
    found = [f"{own}.{name} is over {limit} characters" for (t, name), limit in _TEXT_LIMITS.items()
             if t == own and len(_text_of(node.get(name))) > limit]
    if own == "button" and len(str(node.get("value") or "")) > _MAX_BUTTON_VALUE:
        found.append(f"button value is over {_MAX_BUTTON_VALUE} characters")
    for key in ("action_id", "block_id"):
        if len(str(node.get(key) or "")) > _MAX_ID:
            found.append(f"{key} is over {_MAX_ID} characters")
    if len(node.get("options") or []) > _MAX_OPTIONS:
        found.append(f"{own} has over {_MAX_OPTIONS} options")
    if own == "section" and len(node.get("fields") or []) > _MAX_FIELDS:
        found.append(f"section has over {_MAX_FIELDS} fields")
    if own == "actions" and len(node.get("elements") or []) > _MAX_ACTIONS_ELEMENTS:
        found.append(f"actions has over {_MAX_ACTIONS_ELEMENTS} elements")
    for key, value in node.items():
        if isinstance(value, dict | list) and key not in _TEXT_FIELDS:
            found += _problems(value)
    return found


_TEXT_FIELDS = {name for _t, name in _TEXT_LIMITS}


def block_problems(blocks: list[Any]) -> list[str]:
    """What in `blocks` Slack would refuse, one line each; empty when Slack would take them."""
    return _problems(blocks)


def view_problems(view: dict[str, Any]) -> list[str]:
    found = block_problems(view.get("blocks") or [])
    if view.get("type") == "modal":
        for key in ("title", "submit", "close"):
            if len(_text_of(view.get(key))) > _MAX_MODAL_TITLE:
                found.append(f"modal {key} is over {_MAX_MODAL_TITLE} characters")
    return found
