"""Golden Block Kit fixtures: every message and view we send, as reviewable JSON in tests/golden/.

`assert_golden(name, payload)` validates the payload against Slack's limits with slack_sdk's Block
Kit models (serialising raises on a broken limit) and compares it with tests/golden/NAME.json. A
missing or changed fixture fails; run with UPDATE_GOLDEN=1 to write it, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from sandbox.limits import generated_block_id

GOLDEN = Path(__file__).parent / "golden"
MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100


def validate_blocks(blocks: list[dict[str, Any]], limit: int = MESSAGE_BLOCK_LIMIT) -> None:
    assert len(blocks) <= limit, f"{len(blocks)} blocks, Slack allows {limit}"
    for block in Block.parse_all(blocks):
        block.validate_json()
        block.to_dict()


def validate_view(view: dict[str, Any]) -> None:
    validate_blocks(view.get("blocks", []), VIEW_BLOCK_LIMIT)
    parsed = View(**view)
    parsed.validate_json()
    assert len(view.get("private_metadata") or "") <= 3000
    if view.get("type") == "modal":
        assert len(view["title"]["text"]) <= 24, "modal titles are at most 24 characters"


def validate(payload: dict[str, Any]) -> None:
    if payload.get("type") in ("modal", "home"):
        validate_view(payload)
    else:
        validate_blocks(payload.get("blocks") or [])


def without_generated_ids(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the bot sent it: the block_ids Slack (the stand-in) gave unnamed blocks left out.

    The fixtures record what we send, so they don't change when Slack's naming does.
    """
    if not isinstance(payload.get("blocks"), list):
        return payload
    blocks = []
    for n, block in enumerate(payload["blocks"]):
        unnamed = {k: v for k, v in block.items() if k != "block_id"}
        blocks.append(unnamed if block.get("block_id") == generated_block_id(unnamed, n) else block)
    return {**payload, "blocks": blocks}


def assert_golden(name: str, payload: dict[str, Any]) -> None:
    payload = without_generated_ids(payload)
    validate(payload)
    path = GOLDEN / f"{name}.json"
    rendered = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
        return
    assert path.exists(), f"no golden fixture {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(rendered), (
        f"{path.name} changed; if intended, run with UPDATE_GOLDEN=1 and review the diff")
