"""Who a person is, as Slack knows them: the people half of the Slack adapter.

Services never see a Slack client. They receive `SlackPeople` (on the runtime) and get plain
answers back: a `Person`, or a `LookupFailed` that says whether trying again could help. The rest
of what we say to Slack goes through the outbox (bot/core/outbox.py) or is built in handlers/.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str | None  # real name first, then display name, then handle
    timezone: str | None
    deleted: bool = False


class LookupFailed(Exception):
    """Slack could not say who this is. `error` is Slack's word for it (`users_not_found`, ...)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error

    @property
    def not_found(self) -> bool:
        return self.error in ("user_not_found", "users_not_found")


def person_from(user: dict) -> Person:
    profile = user.get("profile") or {}
    name = (profile.get("real_name") or user.get("real_name") or profile.get("display_name") or user.get("name")
            or None)
    return Person(user_id=user.get("id") or "", name=name, timezone=user.get("tz") or None,
                  deleted=bool(user.get("deleted")))


class SlackPeople:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def by_id(self, user_id: str) -> Person:
        """users.info; raises LookupFailed."""
        return await self._lookup(self._client.users_info(user=user_id))

    async def by_email(self, email: str) -> Person:
        """users.lookupByEmail; raises LookupFailed."""
        return await self._lookup(self._client.users_lookupByEmail(email=email))

    async def workspace_id(self) -> str:
        """The team the bot token belongs to (auth.test); raises LookupFailed."""
        try:
            response = await self._client.auth_test()
        except SlackApiError as exc:
            raise LookupFailed(_error(exc)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise LookupFailed(f"connection: {type(exc).__name__}") from exc
        return response.get("team_id") or ""

    @staticmethod
    async def _lookup(call) -> Person:
        try:
            response = await call
        except SlackApiError as exc:
            raise LookupFailed(_error(exc)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise LookupFailed(f"connection: {type(exc).__name__}") from exc
        return person_from(response.get("user") or {})


def _error(exc: SlackApiError) -> str:
    data = exc.response.data
    return (data.get("error") if isinstance(data, dict) else None) or f"http_{exc.response.status_code}"
