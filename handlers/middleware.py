"""Request middleware that every listener relies on."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.core.events import first_delivery
from bot.core.replays import first_sight, forget_old_signatures
from bot.core.runtime import Runtime
from handlers.blocks import plain, section
from handlers.response_url import CheckedRespond
from handlers.tenant import Membership, installed_team, is_org_wide, person, set_team, team_of

log = logging.getLogger(__name__)

_VERIFIED = "qi_signature_verified"

_LIFECYCLE = frozenset({"app_uninstalled", "tokens_revoked"})

GUEST = ("This part of QI Commons is for members of the workspace it is installed in, so nothing was changed. "
         "From a partner organisation you can read the shared updates, give kudos, open their run charts "
         "and reply in their threads.")
ORG_WIDE = ("QI Commons is installed one workspace at a time and does not serve an organisation-wide install, "
            "so nothing was saved. Ask your Slack admin to install it in your department's own workspace.")


def mark_verified(context: MutableMapping[str, Any]) -> None:
    """Set by signature verification (bot/runners/verification.py) on a request that passed it."""
    context[_VERIFIED] = True


def is_verified(context: MutableMapping[str, Any]) -> bool:
    return context.get(_VERIFIED) is True


def register(app: AsyncApp, runtime: Runtime, *, open_to_guests: frozenset[str]) -> None:
    """`open_to_guests`: the buttons a guest from a partner organisation may press on what they can read in
    a shared channel (named by the features that own them: this module imports no feature)."""
    runtime.each_sweep("forget-old-signatures", forget_old_signatures)

    @app.middleware
    async def refuse_replays(body: dict, req: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]
                             ) -> BoltResponse:
        """A signed request sent again byte for byte is answered 200 and does nothing.

        Events are left to `deduplicate_events` below: it knows an event by its id, which is what lets
        Slack's retry of a failed event through.
        """
        signature = req.headers.get("x-slack-signature", [""])[0]
        if req.mode == "socket_mode" or _event_id(body) or await first_sight(runtime, signature):
            return await next()
        log.warning("Ignored a replayed request (%s)", body.get("type") or body.get("command") or "unknown")
        return BoltResponse(status=200, body="")

    @app.middleware
    async def answer_only_slack(req: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Every listener's `respond` posts only to Slack's own response_url hosts (handlers/response_url.py)."""
        req.context["respond"] = CheckedRespond(runtime.client, req.context.response_url)
        return await next()

    membership = Membership()

    @app.middleware
    async def resolve_tenant(body: dict, req: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]
                             ) -> BoltResponse:
        """Scope the request by the installed workspace (handlers/tenant.py) and keep guests to what is theirs."""
        team_id = installed_team(body, req.context)
        set_team(req.context, team_id)
        if _event_type(body) in _LIFECYCLE:
            return await next()
        if is_org_wide(body):
            log.warning("Refused a request from an organisation-wide install (%s)", _kind(body))
            return await _refuse(req, body, ORG_WIDE)
        user_id, their_team = person(body)
        if (user_id and their_team and their_team != team_id and not _open_to_guests(body, open_to_guests)
                and not await membership.is_member(runtime.client, team_id=team_id, user_id=user_id)):
            log.info("Refused a guest from another organisation (%s)", _kind(body))
            return await _refuse(req, body, GUEST)
        return await next()

    @app.middleware
    async def deduplicate_events(body: dict, req: AsyncBoltRequest, resp: BoltResponse,
                                 next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Take each Slack event once (bot/core/events.py): a redelivery is acknowledged and dropped."""
        event_id = _event_id(body)
        if event_id and not await first_delivery(runtime, event_id=event_id, team_id=team_of(req.context),
                                                 event_type=body.get("event", {}).get("type", "")):
            log.info("Skipping duplicate delivery of event %s (retry %s)", event_id,
                     req.headers.get("x-slack-retry-num", ["?"])[0])
            return BoltResponse(status=200, body="")
        return await next()


def _event_id(body: dict) -> str | None:
    return body.get("event_id") if body.get("type") == "event_callback" else None


def _event_type(body: dict) -> str | None:
    return (body.get("event") or {}).get("type") if body.get("type") == "event_callback" else None


def _kind(body: dict) -> str:
    return body.get("command") or _event_type(body) or body.get("type") or "unknown"


def _open_to_guests(body: dict, action_ids: frozenset[str]) -> bool:
    actions = body.get("actions") if body.get("type") == "block_actions" else None
    return bool(actions) and all(a.get("action_id") in action_ids for a in actions)


async def _refuse(req: AsyncBoltRequest, body: dict, text: str) -> BoltResponse:
    """Answer in the place the person is looking: the command's reply, the modal, or an ephemeral."""
    if body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if body.get("type") == "view_submission":
        notice = {"type": "modal", "title": plain("QI Commons"), "close": plain("Close"), "blocks": [section(text)]}
        return BoltResponse(status=200, body={"response_action": "update", "view": notice})
    if body.get("type") == "block_actions" and req.context.response_url:
        await req.context["respond"](text=text, response_type="ephemeral", replace_original=False)
    return BoltResponse(status=200, body="")
