"""One gate for every payload we send Slack: fit it to Block Kit's limits, then check it.

Slack refuses a whole message or view when one field is over its limit, and the member then gets no
answer at all. So, before any `chat.*`, `views.*` or response_url call, a payload is *fitted* where
a person's text made it too long (text cut with "…", a button whose value cannot carry the text
dropped, options beyond the limit left off, blocks beyond the limit summarised in one line), then
*checked* with slack_sdk's Block Kit models, which raise on anything still broken. What is still
broken after fitting is our own mistake (an over-long action_id, private_metadata): it is refused
here, as Slack would refuse it (`invalid_blocks`), and logged.

`GatedWebClient` applies the gate to every Web API call, which is every call handlers, Bolt's
`client` and the outbox make; handlers/response_url.py applies `fit_message` to response_url posts.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from slack_sdk.errors import SlackApiError, SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.core.slack import sessions

log = logging.getLogger(__name__)

ELLIPSIS = "…"
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
PRIVATE_METADATA = 3000
MODAL_TITLE = 24  # also the submit and close labels
# Text limits by (block or element type, field); Slack's Block Kit reference.
TEXT_LIMITS = {
    ("section", "text"): 3000, ("section", "field"): 2000, ("header", "text"): 150,
    ("context", "element"): 2000, ("input", "label"): 2000, ("input", "hint"): 2000,
    ("button", "text"): 75, ("option", "text"): 75, ("option", "description"): 75,
    ("placeholder", "text"): 150, ("image", "alt_text"): 2000, ("image", "title"): 2000,
    ("confirm", "title"): 100, ("confirm", "text"): 300, ("confirm", "confirm"): 30, ("confirm", "deny"): 30,
}
BUTTON_VALUE = 2000
OPTION_VALUE = 150
MAX_OPTIONS = {"overflow": 5, "checkboxes": 10, "radio_buttons": 10}
SELECT_OPTIONS = 100
SECTION_FIELDS = 10
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25

BLOCK_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
VIEW_METHODS = {"views.open", "views.push", "views.update", "views.publish"}


class PayloadRefused(ValueError):
    """Still over a limit after fitting: a bug of ours, never something a member typed."""


def fit_message(message: dict[str, Any]) -> dict[str, Any]:
    """A copy of a chat.* or response_url message that Slack will take; raises PayloadRefused."""
    fitted = copy.deepcopy(message)
    if isinstance(fitted.get("text"), str):
        fitted["text"] = _cut(fitted["text"], MESSAGE_TEXT)
    if isinstance(fitted.get("blocks"), list):
        fitted["blocks"] = _fit_blocks(fitted["blocks"], MESSAGE_BLOCKS)
        _check_blocks(fitted["blocks"])
    return fitted


def fit_view(view: dict[str, Any]) -> dict[str, Any]:
    """A copy of a modal or Home view that Slack will take; raises PayloadRefused."""
    fitted = copy.deepcopy(view)
    for field in ("title", "submit", "close"):
        if isinstance(fitted.get(field), dict):
            fitted[field]["text"] = _cut(fitted[field].get("text", ""), MODAL_TITLE)
    fitted["blocks"] = _fit_blocks(fitted.get("blocks") or [], VIEW_BLOCKS)
    if len(fitted.get("private_metadata") or "") > PRIVATE_METADATA:
        raise PayloadRefused(f"private_metadata is {len(fitted['private_metadata'])} characters (limit 3000)")
    try:
        View(**fitted).to_dict()
    except (SlackObjectFormationError, TypeError, KeyError) as error:
        raise PayloadRefused(str(error)) from error
    _check_blocks(fitted["blocks"])
    return fitted


def fit_call(method: str, args: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a Web API call, fitted when the method carries blocks or a view."""
    if method in BLOCK_METHODS:
        return fit_message(args)
    if method in VIEW_METHODS and isinstance(args.get("view"), dict):
        return {**args, "view": fit_view(args["view"])}
    return args


class GatedWebClient(AsyncWebClient):
    """The Web API client: every call goes through `fit_call` first.

    A payload still broken after fitting is answered as Slack answers it (`invalid_blocks`), so
    callers handle it like any refusal, and nothing broken leaves the process.
    """

    async def api_call(self, api_method: str, *, json: dict[str, Any] | None = None,
                       params: dict[str, Any] | None = None, data: Any = None, **kwargs: Any) -> AsyncSlackResponse:
        try:
            if json is not None:
                json = fit_call(api_method, json)
            if isinstance(params, dict):
                params = fit_call(api_method, params)
        except PayloadRefused as error:
            log.error("Refused to send %s: %s", api_method, error)
            response = AsyncSlackResponse(client=self, http_verb="POST", api_url=api_method, req_args={},
                                          data={"ok": False, "error": "invalid_blocks"}, headers={}, status_code=200)
            raise SlackApiError(f"invalid_blocks: {error}", response) from error
        return await super().api_call(api_method, json=json, params=params, data=data, **kwargs)

    async def _request(self, *, http_verb: str, api_url: str, req_args: dict[str, Any]) -> dict[str, Any]:
        # Every call on a kept-open connection of this loop's session (sessions.py says why).
        self.session = sessions.session(self.timeout)
        return await super()._request(http_verb=http_verb, api_url=api_url, req_args=req_args)

    async def _upload_file(self, **kwargs: Any) -> Any:
        self.session = sessions.session(self.timeout)
        return await super()._upload_file(**kwargs)


# -- fitting ------------------------------------------------------------------------------------------


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _cut_text(obj: Any, limit: int) -> None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        obj["text"] = _cut(obj["text"], limit)


def _fit_blocks(blocks: list[Any], limit: int) -> list[Any]:
    kept = [fitted for block in blocks if (fitted := _fit_block(block)) is not None]
    if len(kept) > limit:
        hidden = len(kept) - (limit - 1)
        kept = kept[: limit - 1] + [{"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"{ELLIPSIS} and {hidden} more not shown here."}]}]
    return kept


def _fit_block(block: Any) -> dict[str, Any] | None:
    """The block fitted, or None when nothing of it is left (an actions block whose buttons all went)."""
    if not isinstance(block, dict):
        return block
    kind = block.get("type")
    if kind == "section":
        _cut_text(block.get("text"), TEXT_LIMITS["section", "text"])
        if isinstance(block.get("fields"), list):
            block["fields"] = block["fields"][:SECTION_FIELDS]
            for field in block["fields"]:
                _cut_text(field, TEXT_LIMITS["section", "field"])
        if "accessory" in block and _fit_element(block["accessory"]) is None:
            del block["accessory"]
        if not block.get("text") and not block.get("fields"):
            return None
    elif kind == "header":
        _cut_text(block.get("text"), TEXT_LIMITS["header", "text"])
    elif kind == "context":
        elements = [e for e in (block.get("elements") or [])[:CONTEXT_ELEMENTS] if _fit_element(e) is not None]
        for element in elements:
            _cut_text(element, TEXT_LIMITS["context", "element"])
        if not elements:
            return None
        block["elements"] = elements
    elif kind == "actions":
        elements = [e for e in (block.get("elements") or [])[:ACTIONS_ELEMENTS] if _fit_element(e) is not None]
        if not elements:
            return None
        block["elements"] = elements
    elif kind == "input":
        _cut_text(block.get("label"), TEXT_LIMITS["input", "label"])
        _cut_text(block.get("hint"), TEXT_LIMITS["input", "hint"])
        if _fit_element(block.get("element")) is None:
            return None
    elif kind == "image":
        if isinstance(block.get("alt_text"), str):
            block["alt_text"] = _cut(block["alt_text"], TEXT_LIMITS["image", "alt_text"])
        _cut_text(block.get("title"), TEXT_LIMITS["image", "title"])
    return block


def _fit_element(element: Any) -> dict[str, Any] | None:
    """The element fitted, or None when it must go (a button that cannot carry its value)."""
    if not isinstance(element, dict):
        return element
    kind = element.get("type")
    if kind == "button":
        if len(element.get("value") or "") > BUTTON_VALUE:
            return None  # it would carry the text cut short: better no button than a wrong one
        _cut_text(element.get("text"), TEXT_LIMITS["button", "text"])
    if kind == "image" and isinstance(element.get("alt_text"), str):
        element["alt_text"] = _cut(element["alt_text"], TEXT_LIMITS["image", "alt_text"])
    _cut_text(element.get("placeholder"), TEXT_LIMITS["placeholder", "text"])
    if isinstance(element.get("confirm"), dict):
        for field in ("title", "text", "confirm", "deny"):
            _cut_text(element["confirm"].get(field), TEXT_LIMITS["confirm", field])
    if isinstance(element.get("options"), list):
        limit = MAX_OPTIONS.get(kind, SELECT_OPTIONS)
        element["options"] = [o for o in element["options"] if _fit_option(o)][:limit]
        initial = element.get("initial_options")
        if isinstance(initial, list):
            values = {o.get("value") for o in element["options"] if isinstance(o, dict)}
            element["initial_options"] = [o for o in initial if isinstance(o, dict) and o.get("value") in values]
            if not element["initial_options"]:
                del element["initial_options"]
    if isinstance(element.get("option_groups"), list):
        for group in element["option_groups"]:
            if isinstance(group, dict) and isinstance(group.get("options"), list):
                group["options"] = [o for o in group["options"] if _fit_option(o)][:SELECT_OPTIONS]
    return element


def _fit_option(option: Any) -> bool:
    if not isinstance(option, dict):
        return True
    if len(option.get("value") or "") > OPTION_VALUE:
        return False
    _cut_text(option.get("text"), TEXT_LIMITS["option", "text"])
    _cut_text(option.get("description"), TEXT_LIMITS["option", "description"])
    return True


def _check_blocks(blocks: list[Any]) -> None:
    try:
        for block in Block.parse_all(blocks):
            if block is None:
                raise PayloadRefused("a block without a known type")
            block.to_dict()  # validates the block and everything inside it
    except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as error:
        raise PayloadRefused(str(error)) from error
