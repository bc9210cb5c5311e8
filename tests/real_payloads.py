"""Payloads Slack's own SDK teams recorded, read at test time from the shared folder beside the repo.

They are never copied into the project (see ../shared/slack/real-payloads/README.md for sources).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "slack" / "real-payloads" / "slack_samples.json"


@cache
def _all() -> dict[str, Any]:
    return json.loads(SAMPLES.read_text(encoding="utf-8"))


def sample(key: str) -> dict[str, Any]:
    """A fresh copy of the recorded payload `key` (change only what must point at the test workspace)."""
    return copy.deepcopy(_all()[key]["payload"])
