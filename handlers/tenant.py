"""Whose request this is: the workspace QI Commons is installed in, and whether the person belongs to it.

Every row is scoped by the installed workspace (the tenant). Slack names other teams in a payload:
`team` is the clicker's own organisation when a Slack Connect partner clicks in a shared channel,
an event's envelope `team_id` is the source team, and an org-wide install sends `team: null`. The
installed workspace is what Bolt's authorization found for our token (auth.test), so that is read
first; the payload's own hints only stand in where Slack skips authorization (uninstall events).

A person whose team is not ours is asked about once (users.info): a Grid colleague who is also a
member of our workspace is one of us; a partner organisation's member is a guest, who may read
shares, give kudos and open a run chart in a thread, and nothing else (handlers/middleware.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

_TENANT = "qi_tenant"
_KNOWN_FOR = 600.0  # seconds a person's membership is trusted before Slack is asked again


def team_of(context: Mapping[str, Any]) -> str:
    """The installed workspace this request belongs to (set by the tenant middleware)."""
    return context[_TENANT]


def set_team(context: dict[str, Any], team_id: str) -> None:
    context[_TENANT] = team_id


def installed_team(body: Mapping[str, Any], context: Mapping[str, Any]) -> str:
    result = context.get("authorize_result")
    if result is not None and result.team_id:
        return result.team_id
    view = body.get("view") if isinstance(body.get("view"), dict) else {}
    authorizations = body.get("authorizations") or [{}]
    return (view.get("app_installed_team_id") or authorizations[0].get("team_id") or body.get("team_id")
            or body.get("enterprise_id") or "")


def person(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(user id, the team the payload says they are from); None where the payload does not say."""
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id"), user.get("team_id") or (body.get("team") or {}).get("id")
    if body.get("command"):
        return body.get("user_id"), body.get("team_id")
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user"), str):
        return event["user"], event.get("user_team") or body.get("team_id")
    return None, None


def is_org_wide(body: Mapping[str, Any]) -> bool:
    """An org-wide install (Enterprise Grid `org_deploy_enabled`), which QI Commons does not serve."""
    if body.get("is_enterprise_install") in (True, "true"):
        return True
    authorizations = body.get("authorizations") or [{}]
    return authorizations[0].get("is_enterprise_install") is True


class Membership:
    """Who of another team is a member of our workspace, as users.info says, remembered for a while."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._known: dict[tuple[str, str], tuple[bool, float]] = {}

    async def is_member(self, client: AsyncWebClient, *, team_id: str, user_id: str) -> bool:
        known = self._known.get((team_id, user_id))
        if known is not None and self._clock() - known[1] < _KNOWN_FOR:
            return known[0]
        try:
            user = (await client.users_info(user=user_id))["user"]
        except SlackApiError as exc:
            # Unknown is a guest: refusing a colleague a button for a moment beats showing a stranger our data.
            log.warning("users.info for a person of another team failed (%s): treated as a guest",
                        exc.response.get("error"))
            return False
        teams = set((user.get("enterprise_user") or {}).get("teams") or ())
        member = not user.get("is_stranger") and (user.get("team_id") == team_id or team_id in teams)
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[(team_id, user_id)] = (member, self._clock())
        return member
