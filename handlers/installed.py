"""The workspace the bot token belongs to, and its URL for message links (scheduled jobs and search)."""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.runtime import Runtime


@dataclass(frozen=True)
class Workspace:
    team_id: str
    url: str | None  # e.g. https://example.slack.com/, for message links


# A bot token belongs to one workspace for good, so each client asks Slack once: a weekly run must
# not fail because Slack is unreachable at the moment it fires (the sweep retries a run that did).
_workspaces: WeakKeyDictionary[AsyncWebClient, Workspace] = WeakKeyDictionary()


async def workspace(runtime: Runtime) -> Workspace:
    """The workspace the bot token belongs to (scheduled jobs have no request to read it from)."""
    known = _workspaces.get(runtime.client)
    if known is None:
        auth = await runtime.client.auth_test()
        known = _workspaces[runtime.client] = Workspace(team_id=auth["team_id"], url=auth.get("url"))
    return known
