"""The "Add reflection" button and form: the member's answers for one of their own entries."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.phi import ContainsPhi
from bot.core.runtime import Runtime
from bot.cpd.entries import get_entry, set_reflection
from handlers import view_state
from handlers.cpd.blocks import ADD_REFLECTION
from handlers.cpd.entries_list import NOT_YOURS
from handlers.cpd.entry_form import NEED_REFLECTION
from handlers.cpd.views import REFLECTION_FORM, REFLECTION_QUESTIONS, VALUE, logged_view, reflection_form
from handlers.ids import row_id
from handlers.tenant import team_of


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(ADD_REFLECTION)
    async def add_clicked(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                          client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        wanted = row_id(action.get("value"))
        entry = (await get_entry(runtime, team_of(context), body["user"]["id"], wanted)
                 if wanted is not None else None)
        if entry is None:
            await respond(text=NOT_YOURS, replace_original=False, response_type="ephemeral")
            return
        await client.views_open(trigger_id=body["trigger_id"], view=reflection_form(entry))

    @app.view(REFLECTION_FORM)
    async def submitted(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any]) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        values = view["state"]["values"]
        answers = {name: (values.get(name, {}).get(VALUE, {}).get("value") or "").strip() or None
                   for name, _ in REFLECTION_QUESTIONS}
        first = REFLECTION_QUESTIONS[0][0]
        if not any(answers.values()):
            await ack(response_action="errors", errors={first: NEED_REFLECTION})
            return
        wanted = row_id((view_state.metadata(view) or {}).get("e"))
        try:
            entry = await set_reflection(runtime, team_id, user_id, wanted, answers) if wanted is not None else None
        except ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        if entry is None:
            await ack(response_action="errors", errors={first: NOT_YOURS})
            return
        await ack(response_action="update", view=logged_view(entry, heading="Reflection saved for"))
