"""The Home's search box (a modal), "More results" (in a reply or the modal), and "Ask a quick question"."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.phi import ContainsPhi, field_error
from bot.core.runtime import Runtime
from bot.mentoring import requests as mentoring
from bot.search import connections
from bot.search import query as search
from handlers.home.blocks import OPEN_SEARCH
from handlers.mentoring import find as find_mentor
from handlers.search.blocks import (
    ASK,
    CANNOT_ASK,
    MODAL,
    MORE,
    QUERY_BLOCK,
    VALUE,
    asked,
    refusal,
    search_modal,
)
from handlers.search.commands import run_search, workspace_url
from handlers.tenant import team_of


def _value(action: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(action.get("value") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(OPEN_SEARCH)
    async def open_search(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=search_modal())

    @app.view(MODAL)
    async def searched(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any]) -> None:
        typed = ((view["state"]["values"].get(QUERY_BLOCK) or {}).get(VALUE) or {}).get("value") or ""
        try:
            page = await search.search(runtime, team_id=team_of(context), typed=typed)
        except ContainsPhi as refused:
            await ack(response_action="errors", errors={QUERY_BLOCK: field_error(refused.hits["query"])})
            return
        except search.BadQuery as refused:
            await ack(response_action="errors", errors={QUERY_BLOCK: refusal(refused)[:150]})
            return
        await ack(response_action="update", view=search_modal(typed, page, await workspace_url(runtime)))

    @app.action(MORE)
    async def more(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                   respond: AsyncRespond, client: AsyncWebClient) -> None:
        await ack()
        value = _value(action)
        typed, offset = str(value.get("q") or ""), value.get("o") if isinstance(value.get("o"), int) else 0
        team_id = team_of(context)
        if value.get("m") and body.get("view"):
            try:
                page = await search.search(runtime, team_id=team_id, typed=typed, offset=offset)
            except (ContainsPhi, search.BadQuery):
                return  # the button carries what was searched already: only a forged one lands here
            await client.views_update(view_id=body["view"]["id"],
                                      view=search_modal(typed, page, await workspace_url(runtime)))
            return
        text, blocks = await run_search(runtime, team_id, typed, offset)
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)

    @app.action(ASK)
    async def ask(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                  respond: AsyncRespond) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        value = _value(action)
        subject, person_id, project_id = str(value.get("s") or ""), str(value.get("u") or ""), value.get("p")
        about = (await connections.may_ask(runtime, team_id=team_id, user_id=user_id, subject=subject,
                                           person_id=person_id, project_id=project_id)
                 if isinstance(project_id, int) else None)
        if about is None:
            await ack()
            await respond(text=CANNOT_ASK, response_type="ephemeral", replace_original=False)
            return
        shortlist = await mentoring.ask_person(
            runtime, team_id=team_id, mentee_id=user_id, person_id=about.person_id,
            needs=(f"I'm starting similar work and saw your project “{about.title}”. Could you tell me what you "
                   "tried and what you learned?"),
            reasons=f"Worked on “{about.title}”",
            mentor_reasons=f"they saw your project “{about.title}” in QI Commons",
            announce=partial(find_mentor.announce_request, runtime))
        await ack()  # the request is stored: a crash from here on cannot lose it; the question is sent after
        message = asked(about.person_id)
        await respond(text=message["text"], blocks=message["blocks"], response_type="ephemeral",
                      replace_original=False)
        await find_mentor.follow_up(runtime, shortlist)
