"""One-click CPD offers (issue 4, item 7): after a QI share and after a logged mentoring meeting.

Called by the sharing and mentoring features once their own work is stored. Each offer is sent
through the outbox (stored, then tried; retried if Slack fails) and carries a button that opens the
/cpd-log form prefilled; the member confirms the time and adds a reflection before anything is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.phi import scan
from bot.core.runtime import Runtime
from bot.core.text import escape, first_line, truncate
from bot.cpd.entries import get_profile, update_for_offer
from bot.cpd.offer_delivery import OFFER
from bot.cpd.rules import format_credits, get_framework
from bot.cpd.suggestions import CpdSuggestion, suggest_for_mentoring_meeting, suggest_for_qi_update
from handlers import response_url as response_urls
from handlers.cpd.prefill import OPEN_ENTRY_FORM, EntryPrefill

log = logging.getLogger(__name__)

TITLE_LIMIT = 200


async def offer_cpd_for_update(runtime: Runtime, client: AsyncWebClient, *, team_id: str, user_id: str,
                               channel_id: str, update_id: int, response_url: str | None = None) -> None:
    """An ephemeral "Log time on this as CPD?" to the author of a shared QI update, where they shared it.

    Through the command's `response_url` when there is one: it answers in the conversation the member
    typed in even where the bot cannot post (a channel it is not in, a private channel, a DM with a
    colleague: chat.postEphemeral says channel_not_found there). Otherwise, or when Slack does not
    take it, through the outbox as an ephemeral in `channel_id`, which falls back to a DM
    (bot.cpd.offer_delivery), so the offer is never lost.
    """
    found = await update_for_offer(runtime, team_id, user_id, update_id)
    if found is None:
        return  # not this member's update (or forgotten meanwhile): nothing to offer
    update, profile = found
    text = "\n".join(part for part in (update.tried, update.learned) if part)
    suggestion = suggest_for_qi_update(profile.framework, update.feedback_received, text, profile.today)
    about = update.project_title or first_line(update.tried, TITLE_LIMIT)
    prefill = EntryPrefill(activity_type=suggestion.activity_type,
                           title=truncate(f"QI work: {about}", TITLE_LIMIT), qi_project_id=update.project_id,
                           date=profile.today, source="qi_update")
    message = offer_message(
        "Log time on this as CPD?", suggestion, prefill, on=profile.today, button="Log as CPD",
        ask="Tell me how long you spent on it and what you learned; nothing is logged until you submit.")
    if response_url and await _answered(client, response_url, message):
        return
    await runtime.outbox.send(team_id=team_id, method="chat.postEphemeral",
                              args={"channel": channel_id, "user": user_id, **message},
                              purpose=OFFER, subject_id=update_id)


async def offer_cpd_for_meeting(runtime: Runtime, client: AsyncWebClient, *, team_id: str, user_id: str,
                                role: Literal["mentee", "mentor"], minutes: int, met_on: dt.date,
                                topic_summary: str) -> None:
    """A DM offering CPD for a mentoring meeting: a PLP for the mentee; for the mentor, the no-credit
    rule explained and preparation time offered as a PLP instead (or, under learning hours, the meeting)."""
    profile = await get_profile(runtime, team_id, user_id)
    suggestion = suggest_for_mentoring_meeting(profile.framework, role, minutes, met_on)
    # The topic was checked by the mentoring feature; a title with an identifier is dropped, not sent.
    topic = first_line(topic_summary, TITLE_LIMIT)
    if not topic or scan(topic, runtime.settings.staff_email_domains):
        topic = "mentoring meeting"
    if suggestion.activity_type is not None:
        # The meeting itself counts: always for a mentee; for a mentor only under learning hours.
        prefill = EntryPrefill(activity_type=suggestion.activity_type, hours=suggestion.hours, date=met_on,
                               title=truncate(f"Mentoring: {topic}", TITLE_LIMIT), source="mentoring")
        message = offer_message("Log your mentoring meeting as CPD?", suggestion, prefill, on=met_on,
                                button="Log as CPD",
                                ask="Check the time and add what you learned; nothing is logged until you submit.")
    else:
        # No credit for the mentoring itself: offer the preparation, whose time only the mentor knows.
        rules = get_framework(profile.framework)
        prefill = EntryPrefill(activity_type=suggestion.activity_type or rules.default_activity, date=met_on,
                               title=truncate(f"Preparing to mentor: {topic}", TITLE_LIMIT), source="mentoring")
        message = offer_message("Did you prepare for your mentoring meeting?", suggestion, prefill, on=met_on,
                                button="Log preparation time",
                                ask="Tell me how long you spent preparing; nothing is logged until you submit.")
    await runtime.outbox.send(team_id=team_id, method="chat.postMessage", args={"channel": user_id, **message},
                              purpose=OFFER)


async def _answered(client: AsyncWebClient, response_url: str, message: dict[str, Any]) -> bool:
    """Whether Slack took the offer at the response_url; on False the caller sends it another way."""
    try:
        return await response_urls.delivered(client, response_url, text=message["text"], blocks=message["blocks"],
                                              response_type="ephemeral", replace_original=False)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("response_url failed for a CPD offer (%s); sending it through the outbox", exc)
        return False


def _suggested(suggestion: CpdSuggestion, prefill: EntryPrefill, on: dt.date) -> str:
    """'Suggested: Section 2 · Personal learning project (2 credits/h); 1 h = 2 credits.'"""
    rules = get_framework(suggestion.framework)
    activity = rules.activity(prefill.activity_type or rules.default_activity)
    line = f"Suggested: {rules.section(activity.section).name} · {activity.name} ({rules.rate_text(activity, on)})"
    if suggestion.activity_type is not None and suggestion.hours is not None and suggestion.credits is not None:
        unit = "credits" if rules.awards_credits else "hours"
        amount = suggestion.credits if rules.awards_credits else suggestion.hours
        line += f"; {format_credits(suggestion.hours)} h = {format_credits(amount)} {unit}"
    return line + "."


def offer_message(heading: str, suggestion: CpdSuggestion, prefill: EntryPrefill, *, on: dt.date, button: str,
                  ask: str) -> dict[str, Any]:
    suggested = _suggested(suggestion, prefill, on)
    title = prefill.title or ""
    return {
        "text": escape(f"{heading} {suggested}"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{heading}*\n{escape(suggestion.explanation)}",
                                         "verbatim": True}},
            {"type": "context", "elements": [{"type": "mrkdwn", "verbatim": True,
                                              "text": f"{escape(suggested)}\n_{escape(title)}_\n{ask}"}]},
            {"type": "actions", "block_id": "cpd_offer", "elements": [
                {"type": "button", "action_id": OPEN_ENTRY_FORM, "style": "primary",
                 "text": {"type": "plain_text", "text": button}, "value": prefill.to_value()},
            ]},
        ],
    }

