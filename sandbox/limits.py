"""Slack's Block Kit rules, so the stand-in refuses what Slack would (and the sandbox never shows it).

Each problem is worded as Slack words it, with a JSON pointer to the field, e.g.
`must be less than 76 characters [json-pointer:/blocks/0/accessory/text/text]`. Slack answers a
message with such problems `invalid_blocks` (the problems in `errors` and in `response_metadata`),
a view `invalid_arguments`, and a response_url HTTP 400 `invalid_blocks`. The numbers are those of
Slack's Block Kit reference; `generated_block_id` is how the stand-in names a block Slack would name.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
PRIVATE_METADATA = 3000
MODAL_TITLE = 24  # also the submit and close labels
MAX_ID = 255
BUTTON_VALUE = 2000
OPTION_VALUE = 150

# A confirm dialog's texts: (the most characters, plain_text only).
_CONFIRM = {"title": (100, True), "text": (300, False), "confirm": (30, True), "deny": (30, True)}
_SECTION_FIELD = 2000
_CONTEXT_ELEMENT = 2000
_PLACEHOLDER = 150
_ALT_TEXT = 2000
_MAX_FIELDS = 10
_MAX_CONTEXT_ELEMENTS = 10
_MAX_ACTIONS_ELEMENTS = 25
_MAX_OPTIONS = {"overflow": 5, "checkboxes": 10, "radio_buttons": 10}
_MAX_SELECT_OPTIONS = 100
_MAX_FILES = 10  # a file_input's max_files
_INPUT_ONLY = {"file_input"}  # elements Slack takes only inside an input block
_BLOCK_TYPES = {"actions", "context", "divider", "file", "header", "image", "input", "markdown", "rich_text",
                "section", "video", "table", "context_actions"}
_TEXT_TYPES = {"plain_text", "mrkdwn"}


def generated_block_id(block: dict[str, Any], index: int) -> str:
    """The block_id Slack would give a block sent without one (stable here, so fixtures repeat).

    Slack's own are short random strings; these are too, derived from the block and its place.
    """
    digest = hashlib.sha1(f"{index}:{json.dumps(block, sort_keys=True)}".encode()).hexdigest()
    return "".join(c for c in digest if c.isalpha())[:3].upper().ljust(3, "Q") + digest[:2]


def _at(pointer: str) -> str:
    return f"[json-pointer:{pointer}]"


def _text_problems(value: Any, pointer: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(value, dict):
        return [f"must be an object {_at(pointer)}"]
    found = []
    if value.get("type") not in (("plain_text",) if plain_only else _TEXT_TYPES):
        expected = "plain_text" if plain_only else "plain_text or mrkdwn"
        found.append(f"must be {expected} {_at(pointer + '/type')}")
    text = value.get("text")
    if not isinstance(text, str) or not text:
        found.append(f"must be more than 0 characters {_at(pointer + '/text')}")
    elif len(text) > limit:
        found.append(f"must be less than {limit + 1} characters {_at(pointer + '/text')}")
    return found


def _element_problems(node: dict[str, Any], pointer: str) -> list[str]:
    """Limits of one element or object (a button, a select, an option, a confirm dialog)."""
    found: list[str] = []
    own = node.get("type") if isinstance(node.get("type"), str) else None
    if len(str(node.get("action_id") or "")) > MAX_ID:
        found.append(f"must be less than {MAX_ID + 1} characters {_at(pointer + '/action_id')}")
    if own == "button":
        found += _text_problems(node.get("text"), f"{pointer}/text", 75, plain_only=True)
        if len(str(node.get("value") or "")) > BUTTON_VALUE:
            found.append(f"must be less than {BUTTON_VALUE + 1} characters {_at(pointer + '/value')}")
    if isinstance(node.get("placeholder"), dict):
        found += _text_problems(node["placeholder"], f"{pointer}/placeholder", _PLACEHOLDER, plain_only=True)
    if own == "file_input":
        most = node.get("max_files", 10)
        if not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= _MAX_FILES:
            found.append(f"must be between 1 and {_MAX_FILES} {_at(pointer + '/max_files')}")
        kinds = node.get("filetypes", [])
        if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
            found.append(f"must be an array of file extensions {_at(pointer + '/filetypes')}")
    if own == "image" and len(str(node.get("alt_text") or "")) > _ALT_TEXT:
        found.append(f"must be less than {_ALT_TEXT + 1} characters {_at(pointer + '/alt_text')}")
    options = node.get("options")
    if isinstance(options, list):
        most = _MAX_OPTIONS.get(own or "", _MAX_SELECT_OPTIONS)
        if len(options) > most:
            found.append(f"must provide no more than {most} items {_at(pointer + '/options')}")
        for n, option in enumerate(options):
            found += _option_problems(option, f"{pointer}/options/{n}")
    for group_n, group in enumerate(node.get("option_groups") or []):
        for n, option in enumerate(group.get("options") or [] if isinstance(group, dict) else []):
            found += _option_problems(option, f"{pointer}/option_groups/{group_n}/options/{n}")
    confirm = node.get("confirm")
    if isinstance(confirm, dict):
        for key, (limit, plain_only) in _CONFIRM.items():
            if key in confirm:
                found += _text_problems(confirm[key], f"{pointer}/confirm/{key}", limit, plain_only=plain_only)
    return found


def _outside_input(element: dict[str, Any], pointer: str) -> list[str]:
    kind = element.get("type")
    return [f"unsupported type: {kind} {_at(pointer + '/type')}"] if kind in _INPUT_ONLY else []


def _option_problems(option: Any, pointer: str) -> list[str]:
    if not isinstance(option, dict):
        return [f"must be an object {_at(pointer)}"]
    found = _text_problems(option.get("text"), f"{pointer}/text", 75)
    if "description" in option:
        found += _text_problems(option["description"], f"{pointer}/description", 75)
    if len(str(option.get("value") or "")) > OPTION_VALUE:
        found.append(f"must be less than {OPTION_VALUE + 1} characters {_at(pointer + '/value')}")
    return found


def _block_problems(block: Any, pointer: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"must be an object {_at(pointer)}"]
    kind = block.get("type")
    if kind not in _BLOCK_TYPES:
        return [f"unsupported type: {kind} {_at(pointer + '/type')}"]
    found: list[str] = []
    if len(str(block.get("block_id") or "")) > MAX_ID:
        found.append(f"must be less than {MAX_ID + 1} characters {_at(pointer + '/block_id')}")
    if kind == "section":
        if "text" not in block and not block.get("fields"):
            found.append(f"must provide either text or fields {_at(pointer)}")
        if "text" in block:
            found += _text_problems(block["text"], f"{pointer}/text", 3000)
        fields = block.get("fields") or []
        if len(fields) > _MAX_FIELDS:
            found.append(f"must provide no more than {_MAX_FIELDS} items {_at(pointer + '/fields')}")
        for n, item in enumerate(fields):
            found += _text_problems(item, f"{pointer}/fields/{n}", _SECTION_FIELD)
        if isinstance(block.get("accessory"), dict):
            found += _outside_input(block["accessory"], f"{pointer}/accessory")
            found += _element_problems(block["accessory"], f"{pointer}/accessory")
    elif kind == "header":
        found += _text_problems(block.get("text"), f"{pointer}/text", 150, plain_only=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > _MAX_CONTEXT_ELEMENTS:
            found.append(f"must provide between 1 and {_MAX_CONTEXT_ELEMENTS} items {_at(pointer + '/elements')}")
        for n, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in _TEXT_TYPES:
                found += _text_problems(element, f"{pointer}/elements/{n}", _CONTEXT_ELEMENT)
            elif isinstance(element, dict):
                found += _element_problems(element, f"{pointer}/elements/{n}")
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > _MAX_ACTIONS_ELEMENTS:
            found.append(f"must provide between 1 and {_MAX_ACTIONS_ELEMENTS} items {_at(pointer + '/elements')}")
        for n, element in enumerate(elements):
            found += _outside_input(element if isinstance(element, dict) else {}, f"{pointer}/elements/{n}")
            found += _element_problems(element if isinstance(element, dict) else {}, f"{pointer}/elements/{n}")
    elif kind == "input":
        found += _text_problems(block.get("label"), f"{pointer}/label", 2000, plain_only=True)
        if "hint" in block:
            found += _text_problems(block["hint"], f"{pointer}/hint", 2000, plain_only=True)
        if not isinstance(block.get("element"), dict):
            found.append(f"must provide an element {_at(pointer + '/element')}")
        else:
            found += _element_problems(block["element"], f"{pointer}/element")
    elif kind == "image":
        found += _element_problems(block, pointer)
        if "title" in block:
            found += _text_problems(block["title"], f"{pointer}/title", 2000, plain_only=True)
    return found


def block_problems(blocks: Any, most: int = MESSAGE_BLOCKS, at: str = "/blocks") -> list[str]:
    """What in `blocks` Slack would refuse, one line each; empty when Slack would take them."""
    if not isinstance(blocks, list):
        return [f"must be an array {_at(at)}"]
    found = [f"must provide no more than {most} items {_at(at)}"] if len(blocks) > most else []
    seen: set[str] = set()
    for n, block in enumerate(blocks):
        found += _block_problems(block, f"{at}/{n}")
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str):
            if block_id in seen:
                found.append(f"duplicate block_id {block_id!r} {_at(f'{at}/{n}/block_id')}")
            seen.add(block_id)
    return found


def message_problems(message: dict[str, Any]) -> list[str]:
    """A chat.* or response_url message: its blocks, and its fallback text."""
    found = block_problems(message["blocks"]) if "blocks" in message and message["blocks"] is not None else []
    if isinstance(message.get("text"), str) and len(message["text"]) > MESSAGE_TEXT:
        found.append(f"must be less than {MESSAGE_TEXT + 1} characters {_at('/text')}")
    return found


def view_problems(view: dict[str, Any]) -> list[str]:
    """A modal or Home view, with pointers from the `view` argument as Slack gives them."""
    found = block_problems(view.get("blocks") or [], VIEW_BLOCKS, "/view/blocks")
    if view.get("type") == "modal":
        found += _text_problems(view.get("title"), "/view/title", MODAL_TITLE, plain_only=True)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                found += _text_problems(view[key], f"/view/{key}", MODAL_TITLE, plain_only=True)
    if len(view.get("private_metadata") or "") > PRIVATE_METADATA:
        found.append(f"must be less than {PRIVATE_METADATA + 1} characters {_at('/view/private_metadata')}")
    for key in ("callback_id", "external_id"):
        if len(str(view.get(key) or "")) > MAX_ID:
            found.append(f"must be less than {MAX_ID + 1} characters {_at(f'/view/{key}')}")
    return found
