"""The mentee's buttons: ask a mentor from the shortlist, ask a quick question instead, withdraw."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.core.runtime import Runtime
from bot.mentoring import requests as mentoring
from handlers.ids import row_id
from handlers.mentoring import blocks, notify
from handlers.mentoring.find import announce_request, follow_up, present
from handlers.mentoring.stale import stale_text
from handlers.tenant import team_of


def button_id(action: dict[str, Any]) -> int | None:
    return row_id(action.get("value"))


async def tell(respond: AsyncRespond, text: str) -> None:
    """An ephemeral note to the person who clicked; the message they clicked stays as it was."""
    await respond(text=text, response_type="ephemeral", replace_original=False)


async def replace(respond: AsyncRespond, message: blocks.Message) -> None:
    await respond(text=message["text"], blocks=message["blocks"], replace_original=True)


def register(app: AsyncApp, runtime: Runtime) -> None:
    settings = runtime.settings

    @app.action(blocks.ASK)
    async def ask(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                  respond: AsyncRespond) -> None:
        candidate_id = button_id(action)
        # Each button stores first and acks after: once Slack shows the click as taken, a crash cannot lose
        # it. What it queued is sent, and the message redrawn, after the ack.
        outcome = (await mentoring.ask_mentor(runtime, team_id=team_of(context), mentee_id=body["user"]["id"],
                                              candidate_id=candidate_id, announce=partial(notify.announce_ask, runtime))
                   if candidate_id is not None else mentoring.Stale("not_found"))
        await ack()
        if isinstance(outcome, mentoring.Stale):
            await tell(respond, stale_text(outcome, settings.mentor_handoff_days))
            return
        await notify.deliver(runtime, outcome.queued)
        await replace(respond, blocks.asked(outcome.candidate, outcome.request, settings.mentor_handoff_days))

    @app.action(blocks.QUICK_QUESTION)
    async def quick_question(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                             respond: AsyncRespond) -> None:
        request_id = button_id(action)
        outcome = (await mentoring.ask_informally(runtime, team_id=team_of(context), mentee_id=body["user"]["id"],
                                                  request_id=request_id, announce=partial(announce_request, runtime))
                   if request_id is not None else mentoring.Stale("not_found"))
        await ack()
        if isinstance(outcome, mentoring.Stale):
            await tell(respond, stale_text(outcome, settings.mentor_handoff_days))
            return
        await replace(respond, present(runtime, outcome))
        await follow_up(runtime, outcome)

    @app.action(blocks.WITHDRAW)
    async def withdraw(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                       respond: AsyncRespond) -> None:
        team_id, request_id = team_of(context), button_id(action)
        outcome = (await mentoring.withdraw_request(runtime, team_id=team_id, mentee_id=body["user"]["id"],
                                                    request_id=request_id,
                                                    announce=partial(notify.announce_withdrawal, runtime))
                   if request_id is not None else mentoring.Stale("not_found"))
        await ack()
        if isinstance(outcome, mentoring.Stale):
            await tell(respond, stale_text(outcome, settings.mentor_handoff_days))
            return
        await replace(respond, blocks.withdrawn())
        await notify.deliver(runtime, outcome.queued)
