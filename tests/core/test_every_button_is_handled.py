"""Every interactive element in every message and view we send has a listener.

Slack shows the person a warning triangle when a click gets no answer, so an action id without a
listener is a broken button. The golden fixtures hold every message and view we send.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from sandbox import DriverResponse, SlackDriver
from tests.conftest import SIGNING_SECRET

GOLDEN = Path(__file__).parents[1] / "golden"


def _interactive(node, found: set[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") == "actions":
            found.update(e["action_id"] for e in node.get("elements", []) if "action_id" in e)
        elif node.get("type") == "section" and "action_id" in node.get("accessory", {}):
            found.add(node["accessory"]["action_id"])
        elif node.get("type") == "input" and node.get("dispatch_action") and "action_id" in node.get("element", {}):
            found.add(node["element"]["action_id"])
        for value in node.values():
            _interactive(value, found)
    elif isinstance(node, list):
        for item in node:
            _interactive(item, found)


def _action_ids() -> dict[str, dict]:
    """Each action id with the first fixture (message or view) that holds it."""
    where: dict[str, dict] = {}
    for path in sorted(GOLDEN.glob("*.json")):
        payload = json.loads(path.read_text())
        found: set[str] = set()
        _interactive(payload, found)
        for action_id in found:
            where.setdefault(action_id, payload)
    return dict(sorted(where.items()))


def test_the_fixtures_hold_buttons_of_every_feature():
    prefixes = {action_id.split("_")[0] for action_id in _action_ids()}
    assert {"admin", "cpd", "home", "learn", "mentor", "mentorship", "privacy", "scheduled", "sharing"} <= prefixes


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_every_action_id_has_a_listener(env):
    """Each click, built exactly as Slack sends it, matches a registered listener.

    Matching is checked without running the listener: running it with made-up ids would make some
    fail at once, and Bolt reports a listener that fails within a few milliseconds of its ack as
    unhandled, which would make this test depend on timing.
    """
    sent: list[str] = []

    async def capture(body: str, headers: dict[str, str]) -> DriverResponse:
        sent.append(body)
        return DriverResponse(200, "", {})

    driver = SlackDriver(signing_secret=SIGNING_SECRET, standin=env.slack, transport=capture)
    unhandled = []
    for action_id, payload in _action_ids().items():
        # Clicked where it lives: in a modal or Home view, or on a message in the channel.
        where = ({"view": {"id": "V0ANY", "hash": "h", **payload}} if payload.get("type") in ("modal", "home")
                 else {"message": {"ts": "1700000000.000100", **payload}, "channel_id": "C0COMMUNITY"})
        await driver.action(action_id, value="0", user_id="U0MEMBER1", **where)
        request = AsyncBoltRequest(body=sent[-1], headers={"content-type": "application/x-www-form-urlencoded"})
        listeners = env.app._async_listeners  # Bolt's registry: no public way to ask "who would take this?"
        if not [listener for listener in listeners
                if await listener.async_matches(req=request, resp=BoltResponse(status=404))]:
            unhandled.append(action_id)
    assert unhandled == []
