"""The pair's buttons: Log a meeting (and its modal), Snooze a week, End mentorship, and feedback."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.phi import ContainsPhi
from bot.core.runtime import Runtime
from bot.mentoring import pairs as mentorships
from bot.mentoring.pairs import MeetingLogged, Refused
from handlers.cpd.offers import offer_cpd_for_meeting
from handlers.mentoring import blocks, forms, notify, views
from handlers.mentoring.requests import button_id, replace, tell
from handlers.mentoring.stale import refused_text
from handlers.tenant import team_of


async def _pair_member(runtime: Runtime, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                       respond: AsyncRespond, *, active: bool) -> mentorships.MentorshipInfo | None:
    """The mentorship behind the button if the clicker is one of the pair (and, with `active`, it has not
    ended); otherwise say why not."""
    mentorship_id = button_id(action)
    info = (await mentorships.mentorship_info(runtime, team_id=team_of(context), mentorship_id=mentorship_id)
            if mentorship_id is not None else None)
    if info is None or not info.includes(body["user"]["id"]):
        refused = Refused("not_found" if info is None else "not_yours")
    elif active and info.status != "active":
        refused = Refused("ended", info.ended_at)
    else:
        return info
    await tell(respond, refused_text(refused, runtime.settings.tz))
    return None


async def _tell_pair(runtime: Runtime, client: AsyncWebClient, logged: MeetingLogged) -> None:
    """Confirm to the writer (with their private notes), tell the other (without), offer both CPD."""
    pair, writer, meeting = logged.mentorship, logged.logged_by, logged.meeting
    other = pair.other(writer)
    await notify.dm(runtime, pair.team_id, writer,
                    blocks.meeting_logged_for_writer(pair, writer, meeting.met_on, meeting.minutes, meeting.topics,
                                                     meeting.private_notes),
                    purpose="mentorship_meeting", subject_id=logged.meeting_id)
    await notify.dm(runtime, pair.team_id, other,
                    blocks.meeting_logged_for_other(pair, writer, meeting.met_on, meeting.minutes, meeting.topics),
                    purpose="mentorship_meeting", subject_id=logged.meeting_id)
    summary = blocks.topic_labels(meeting.topics or pair.topics) or "mentoring meeting"
    for user_id in (pair.mentee_id, pair.mentor_id):
        await offer_cpd_for_meeting(runtime, client, team_id=pair.team_id, user_id=user_id,
                                    role="mentee" if user_id == pair.mentee_id else "mentor",
                                    minutes=meeting.minutes, met_on=meeting.met_on, topic_summary=summary)


def register(app: AsyncApp, runtime: Runtime) -> None:
    settings = runtime.settings

    def today() -> date:
        return runtime.clock.now().astimezone(settings.tz).date()

    @app.action(blocks.LOG_MEETING)
    async def log_meeting(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                          respond: AsyncRespond, client: AsyncWebClient) -> None:
        await ack()
        info = await _pair_member(runtime, body, context, action, respond, active=True)
        if info is not None:
            await client.views_open(trigger_id=body["trigger_id"], view=views.meeting_modal(info.id, today(),
                                                                                              info.topics))

    @app.view(views.MEETING)
    async def meeting_submitted(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any],
                                client: AsyncWebClient) -> None:
        meeting, errors = forms.read_meeting(view, settings, today())
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        assert meeting is not None
        mentorship_id = forms.metadata_id(view)
        try:
            outcome = (await mentorships.log_meeting(runtime, team_id=team_of(context), user_id=body["user"]["id"],
                                                     mentorship_id=mentorship_id, meeting=meeting)
                       if mentorship_id is not None else Refused("not_found"))
        except ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors({"private_notes": "notes"}))
            return
        if isinstance(outcome, Refused):
            await ack(response_action="update", view=views.notice_modal("Nothing changed", refused_text(outcome, settings.tz)))
            return
        await ack()
        await _tell_pair(runtime, client, outcome)

    @app.action(blocks.SNOOZE)
    async def snooze(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                     respond: AsyncRespond) -> None:
        mentorship_id = button_id(action)
        # Stored before the ack (as Ending is): once Slack shows the click as taken, a crash cannot lose it.
        outcome = (await mentorships.snooze_checkin(runtime, team_id=team_of(context), user_id=body["user"]["id"],
                                                    mentorship_id=mentorship_id)
                   if mentorship_id is not None else Refused("not_found"))
        await ack()
        if isinstance(outcome, Refused):
            await tell(respond, refused_text(outcome, settings.tz))
            return
        await replace(respond, blocks.snoozed(today() + mentorships.SNOOZE))

    @app.action(blocks.END)
    async def end(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                  respond: AsyncRespond) -> None:
        mentorship_id = button_id(action)
        outcome = (await mentorships.end_mentorship(runtime, team_id=team_of(context), user_id=body["user"]["id"],
                                                    mentorship_id=mentorship_id,
                                                    announce=partial(notify.announce_end, runtime))
                   if mentorship_id is not None else Refused("not_found"))
        await ack()
        if isinstance(outcome, Refused):
            await tell(respond, refused_text(outcome, settings.tz))
            return
        await notify.deliver(runtime, outcome.queued)

    @app.action(blocks.FEEDBACK)
    async def feedback(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                       respond: AsyncRespond, client: AsyncWebClient) -> None:
        await ack()
        info = await _pair_member(runtime, body, context, action, respond, active=False)
        if info is not None:
            await client.views_open(trigger_id=body["trigger_id"], view=views.feedback_modal(info.id))

    @app.view(views.FEEDBACK_FORM)
    async def feedback_submitted(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any],
                                 view: dict[str, Any]) -> None:
        answers, errors = forms.read_feedback(view, settings)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        assert answers is not None
        mentorship_id = forms.metadata_id(view)
        try:
            outcome = (await mentorships.save_feedback(runtime, team_id=team_of(context), user_id=body["user"]["id"],
                                                       mentorship_id=mentorship_id, feedback=answers)
                       if mentorship_id is not None else Refused("not_found"))
        except ContainsPhi as refused:
            await ack(response_action="errors", errors=refused.field_errors())
            return
        if isinstance(outcome, Refused):
            await ack(response_action="update", view=views.notice_modal("Nothing changed", refused_text(outcome, settings.tz)))
            return
        await ack(response_action="update", view=views.notice_modal(
            "Thank you", "Thanks for your feedback. It is kept for the QI leads' reports on mentoring and never "
                         "posted in Slack."))

