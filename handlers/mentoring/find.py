"""`/find-mentor`: the request modal, or straight to a shortlist from the words typed after it."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.phi import ContainsPhi, describe
from bot.core.runtime import Runtime
from bot.mentoring import requests as mentoring
from bot.mentoring.vocabulary import topics_from_text
from bot.search.connections import request_subject
from handlers.commands.context import ANSWER_FAILED, CommandContext, answer_in_ack, message
from handlers.mentoring import blocks, forms, notify, views
from handlers.search.offer import connections_for
from handlers.sharing.share import tell
from handlers.tenant import team_of

log = logging.getLogger(__name__)

NO_TOPICS = ("I couldn't tell which QI topic you'd like help with. Try naming one, e.g. "
             "`/find-mentor help with run charts` or `/find-mentor PDSA and stakeholder engagement`, or type "
             "`/find-mentor` on its own to choose topics from a list.")


async def open_find_mentor(client: AsyncWebClient, *, trigger_id: str) -> None:
    """Open the /find-mentor modal (Home's and the weekly prompt's buttons use this too)."""
    await client.views_open(trigger_id=trigger_id, view=views.find_modal())


def present(runtime: Runtime, shortlist: mentoring.Shortlist) -> blocks.Message:
    """What the mentee sees right after asking: the shortlist, the question sent, or nobody fits."""
    request, settings = shortlist.request, runtime.settings
    if request.status == "unmatched":
        return blocks.no_match(request) if request.kind == "formal" else blocks.no_informal_match(request)
    if request.kind == "informal":
        return blocks.question_sent(request, len(shortlist.candidates), settings.informal_widen_hours)
    return blocks.shortlist(request, shortlist.candidates, settings.mentor_handoff_days)


async def announce_request(runtime: Runtime, session: AsyncSession, shortlist: mentoring.Shortlist, *,
                   to_mentee: bool = False) -> list[int]:
    """Queued with the request itself: a quick question's first mentors are asked, and (`to_mentee`, when
    a submitted modal leaves no reply to show it in) the mentee gets what `present` shows."""
    request = shortlist.request
    queued = []
    if to_mentee:
        queued.append(await notify.queue_dm(runtime, session, request.team_id, request.mentee_id,
                                            present(runtime, shortlist), purpose="mentoring_shortlist",
                                            subject_id=request.id))
    if request.kind == "informal" and request.status == "offered":
        queued += [await notify.queue_offer(runtime, session, request, candidate) for candidate in shortlist.candidates]
    return queued


async def follow_up(runtime: Runtime, shortlist: mentoring.Shortlist) -> None:
    """After the request's commit: send what it queued, and tell the admins now when nobody fits (the
    request is due to escalate already, so the sweep does it if this never runs)."""
    await notify.deliver(runtime, shortlist.queued)
    if shortlist.request.status == "unmatched":
        await notify.escalate_now(runtime, shortlist.request.team_id, shortlist.request.id)


def register(app: AsyncApp, runtime: Runtime) -> None:

    @app.command("/find-mentor")
    async def find_mentor(ack: AsyncAck, command: dict[str, Any], context: dict[str, Any], client: AsyncWebClient,
                          respond: AsyncRespond) -> None:
        ctx = CommandContext.from_command(runtime, command, context, client, respond, command.get("text", ""))
        if not ctx.text:
            await ack()
            await open_find_mentor(client, trigger_id=ctx.trigger_id)
            return
        # The request is committed before the ack: once Slack shows the command as taken, a crash can no
        # longer lose it (one short transaction). The shortlist, DMs and similar projects come after.
        try:
            shortlist = await mentoring.create_request(
                runtime, team_id=ctx.team_id, mentee_id=ctx.user_id,
                ask=mentoring.RequestInput(kind="formal", topics=tuple(topics_from_text(ctx.text)), needs=ctx.text),
                announce=partial(announce_request, runtime))
        except ContainsPhi as refused:
            await ack()
            await ctx.reply(describe(refused.hits, {"needs": "Your request"}))
            return
        except mentoring.NoTopics:
            await ack()
            await ctx.reply(NO_TOPICS)
            return
        except Exception:  # noqa: BLE001 - the member is told in the ack itself; nothing was half-stored
            log.exception("Could not store a mentor request from %s", ctx.user_id)
            await answer_in_ack(ack, respond, message(ANSWER_FAILED))
            return
        await ack()
        shown = present(runtime, shortlist)
        await ctx.reply(shown["text"], shown["blocks"])
        await follow_up(runtime, shortlist)
        # What they need, in their words: someone behind a similar project may be the quickest help.
        similar = await connections_for(runtime, team_id=ctx.team_id, user_id=ctx.user_id,
                                        subject=request_subject(shortlist.request.id), about=(ctx.text,))
        if similar is not None:
            await ctx.reply(similar["text"], similar["blocks"])

    @app.view(views.FIND)
    async def request_submitted(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any],
                                view: dict[str, Any], client: AsyncWebClient) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        ask, errors = forms.read_request(view, runtime.settings)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        assert ask is not None
        try:
            shortlist = await mentoring.create_request(runtime, team_id=team_id, mentee_id=user_id, ask=ask,
                                                       announce=partial(announce_request, runtime, to_mentee=True))
        except ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        except mentoring.NoTopics:
            await ack(response_action="errors",
                      errors={"topics": "Choose at least one topic, so we can find mentors who offer it."})
            return
        await ack()
        await follow_up(runtime, shortlist)
        similar = await connections_for(runtime, team_id=team_id, user_id=user_id,
                                        subject=request_subject(shortlist.request.id), about=(ask.needs, ask.goal))
        if similar is not None:
            await tell(client, user_id=user_id, channel_id=None, response_url=None, text=similar["text"],
                       blocks=similar["blocks"])
