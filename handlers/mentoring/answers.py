"""The mentor's buttons: Accept or Decline (with an optional reason) a formal request, Claim a question."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.phi import ContainsPhi
from bot.core.runtime import Runtime
from bot.mentoring import requests as mentoring
from handlers.mentoring import blocks, forms, notify, views
from handlers.mentoring.requests import button_id, replace, tell
from handlers.mentoring.stale import stale_text
from handlers.tenant import team_of


def register(app: AsyncApp, runtime: Runtime) -> None:
    settings = runtime.settings

    async def start(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                    respond: AsyncRespond, kind: str) -> None:
        """Accept or claim: stored before the ack, so a crash once Slack shows the click as taken cannot
        lose the pairing; the pair is told, and the offer closed, after it."""
        candidate_id = button_id(action)
        starter = mentoring.accept_offer if kind == "formal" else mentoring.claim_question
        outcome = (await starter(runtime, team_id=team_of(context), mentor_id=body["user"]["id"],
                                 candidate_id=candidate_id, announce=partial(notify.announce_start, runtime))
                   if candidate_id is not None else mentoring.Stale("not_found"))
        await ack()
        if isinstance(outcome, mentoring.Stale):
            await tell(respond, stale_text(outcome, settings.mentor_handoff_days))
            return
        await notify.connect_pair(runtime, outcome)
        if (body.get("message") or {}).get("ts") != outcome.candidate.dm_ts:
            # Clicked on the reminder (or before we knew where the offer DM was): close that one too.
            await replace(respond, blocks.offer_closed(outcome.request, "accepted" if kind == "formal" else "claimed"))

    @app.action(blocks.ACCEPT)
    async def accept(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                     respond: AsyncRespond) -> None:
        await start(ack, body, context, action, respond, "formal")

    @app.action(blocks.CLAIM)
    async def claim(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                    respond: AsyncRespond) -> None:
        await start(ack, body, context, action, respond, "informal")

    @app.action(blocks.DECLINE)
    async def decline(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                      respond: AsyncRespond, client: AsyncWebClient) -> None:
        await ack()
        candidate_id = button_id(action)
        stale = (await mentoring.answerable(runtime, team_id=team_of(context), mentor_id=body["user"]["id"],
                                            candidate_id=candidate_id)
                 if candidate_id is not None else mentoring.Stale("not_found"))
        if stale is not None:
            await tell(respond, stale_text(stale, settings.mentor_handoff_days))
            return
        assert candidate_id is not None
        await client.views_open(trigger_id=body["trigger_id"], view=views.decline_modal(candidate_id))

    @app.view(views.DECLINE_REASON)
    async def decline_submitted(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any],
                                view: dict[str, Any]) -> None:
        candidate_id, reason = forms.metadata_id(view), forms.text(view, "reason")
        try:
            outcome = (await mentoring.decline_offer(runtime, team_id=team_of(context), mentor_id=body["user"]["id"],
                                                     candidate_id=candidate_id, reason=reason,
                                                     announce=partial(notify.announce_hand_on, runtime, expired=False))
                       if candidate_id is not None else mentoring.Stale("not_found"))
        except ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        if isinstance(outcome, mentoring.Stale):
            await ack(response_action="update",
                      view=views.notice_modal("Nothing changed", stale_text(outcome, settings.mentor_handoff_days)))
            return
        await ack()
        await notify.hand_on(runtime, outcome)
