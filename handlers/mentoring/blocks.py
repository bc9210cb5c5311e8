"""Block Kit for mentoring messages: shortlists, offers, answers, kick-offs, check-ins, escalations.

User text (needs, goals, reasons, bios, notes) is escaped and sits in `verbatim` text objects, and
every fallback `text` is escaped too. People appear as mentions we build from Slack ids.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.text import escape, mention, plural, truncate
from bot.mentoring import vocabulary as mentor_vocabulary
from bot.mentoring.pairs import MentorshipInfo
from bot.mentoring.requests import CandidateInfo, RequestInfo
from handlers.blocks import button, context, header, mrkdwn, plain, section

ASK = "mentor_ask"
QUICK_QUESTION = "mentor_quick_question"
WITHDRAW = "mentor_withdraw"
ACCEPT = "mentor_accept"
DECLINE = "mentor_decline"
CLAIM = "mentor_claim"
LOG_MEETING = "mentorship_log_meeting"
SNOOZE = "mentorship_snooze"
END = "mentorship_end"
FEEDBACK = "mentorship_feedback"

BIO_SHOWN = 300
Message = dict[str, Any]


def _actions(block_id: str, *buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(buttons)}


def _message(text: str, blocks: list[dict[str, Any]]) -> Message:
    return {"text": text, "blocks": blocks}


def topic_labels(topics: tuple[str, ...] | list[str]) -> str:
    labels = []
    for topic_id in topics:
        try:
            labels.append(mentor_vocabulary.term(topic_id).label)
        except KeyError:
            labels.append(topic_id)
    return ", ".join(labels)


def _choice_name(kind: mentor_vocabulary.ChoiceKind, choice_id: str | None) -> str | None:
    if choice_id is None:
        return None
    try:
        return mentor_vocabulary.choice(kind, choice_id).name
    except KeyError:
        return choice_id


def request_details(request: RequestInfo) -> str:
    """The request as a mentor or an admin reads it: needs, goal, topics, cadence, mode (escaped)."""
    lines = [f"*What they would like help with*\n{escape(request.needs)}"]
    if request.goal:
        lines.append(f"*Goal*\n{escape(request.goal)}")
    if request.topics:
        lines.append(f"*Topics*: {escape(topic_labels(request.topics))}")
    meeting = [name for name in (_choice_name("cadence", request.cadence), _choice_name("mode", request.mode)) if name]
    if meeting:
        lines.append(f"*Meeting*: {escape(', '.join(meeting))}")
    return "\n".join(lines)


def _who(candidate: CandidateInfo) -> str:
    return candidate.name or "this mentor"


# --- for the mentee ------------------------------------------------------------------------------------


def shortlist(request: RequestInfo, candidates: tuple[CandidateInfo, ...], handoff_days: int) -> Message:
    """Up to three mentors with reasons and an Ask button each, then "Quick question instead"."""
    blocks: list[dict[str, Any]] = [
        section(f"*Mentors who could help with {escape(topic_labels(request.topics))}*\n"
                "Choose one to ask. Only the mentor you choose sees your request.", verbatim=True)]
    for candidate in candidates:
        text = f"{mention(candidate.mentor_id)}\n{escape(candidate.reasons)}"
        if candidate.bio:
            text += f"\n_{escape(truncate(candidate.bio, BIO_SHOWN))}_"
        ask = button(f"Ask {_who(candidate)}", ASK, str(candidate.id), style="primary")
        blocks.append(section(text, accessory=ask, verbatim=True))
    blocks.append(context(f"A mentor has {plural(handoff_days, 'day')} to answer; if they can't, we ask the next one "
                          "and tell you. Just a quick question? Any mentor who offers quick help can take it."))
    blocks.append(_actions("mentor_shortlist", button("Quick question instead", QUICK_QUESTION, str(request.id)),
                           button("Cancel request", WITHDRAW, str(request.id))))
    names = ", ".join(escape(_who(c)) for c in candidates)
    return _message(f"Mentors who could help: {names}", blocks)


def no_match(request: RequestInfo) -> Message:
    topics = escape(topic_labels(request.topics)) or "what you asked for"
    blocks = [
        section(f"*No mentor is free for formal mentoring in {topics} right now.* I'm sorry: that says more "
                "about our roster than about your request. We've told the QI leads so they can help find "
                "someone.", verbatim=True),
        section("Meanwhile, any mentor who offers quick help can take it as a quick question."),
        _actions("mentor_no_match",
                 button("Ask as a quick question", QUICK_QUESTION, str(request.id), style="primary")),
    ]
    return _message("No mentor is free for that right now; the QI leads have been told.", blocks)


def no_informal_match(request: RequestInfo) -> Message:
    blocks = [section("*Nobody offers quick help on that topic yet.* We've told the QI leads, who will reach "
                      "out to help you find someone. You can also post your question in the community channel.")]
    return _message("Nobody offers quick help on that topic yet; the QI leads have been told.", blocks)


def asked(candidate: CandidateInfo, request: RequestInfo, handoff_days: int) -> Message:
    blocks = [
        section(f"*You asked {mention(candidate.mentor_id)}.* They have your request in a DM; we'll tell you as "
                f"soon as they answer. If they can't answer within {plural(handoff_days, 'day')}, we ask the next mentor."),
        _actions("mentor_asked", button("Withdraw request", WITHDRAW, str(request.id))),
    ]
    return _message("Your request is with the mentor you chose; we'll tell you when they answer.", blocks)


def question_sent(request: RequestInfo, count: int, widen_hours: int) -> Message:
    blocks = [
        section(f"*Your quick question went to {plural(count, 'mentor')}.* The first to claim it joins you in a "
                f"group DM. If nobody has in {plural(widen_hours, 'hour')}, we ask a few more."),
        section(escape(request.needs), verbatim=True),
        _actions("mentor_question_sent", button("Withdraw question", WITHDRAW, str(request.id))),
    ]
    return _message("Your quick question is with mentors who offer quick help.", blocks)


def withdrawn() -> Message:
    return _message("Request withdrawn.", [section("*Request withdrawn.* No mentor will be asked. Ask again any "
                                                   "time with `/find-mentor`.")])


def handed_on(outcome_left: CandidateInfo, following: CandidateInfo | None, request: RequestInfo, *,
              expired: bool, handoff_days: int) -> Message:
    """Tell the mentee their mentor could not take it on, and who we asked next (or that nobody is free)."""
    if expired:
        first = (f"{mention(outcome_left.mentor_id)} hasn't been able to answer your request in "
                 f"{plural(handoff_days, 'day')}, so we've moved on.")
    else:
        first = f"{mention(outcome_left.mentor_id)} can't take on your request right now. Thank you for asking them."
        if outcome_left.decline_reason:
            first += f"\nThey said: _{escape(outcome_left.decline_reason)}_"
    blocks = [section(first, verbatim=True)]
    if following is not None:
        blocks.append(section(f"*We've asked {mention(following.mentor_id)} next*: {escape(following.reasons)}",
                              verbatim=True))
        blocks.append(_actions("mentor_handed_on", button("Withdraw request", WITHDRAW, str(request.id))))
        text = "Your mentor request has moved on to the next mentor."
    else:
        blocks.append(section("Nobody else who fits is free right now. We've told the QI leads, who will help "
                              "find someone; meanwhile a quick question may get you going."))
        blocks.append(_actions("mentor_handed_on", button("Ask as a quick question", QUICK_QUESTION, str(request.id))))
        text = "No other mentor is free right now; the QI leads have been told."
    return _message(text, blocks)


def widened(count: int) -> Message:
    return _message("Your quick question went to more mentors.", [section(
        f"*Nobody has claimed your quick question yet*, so we've asked {plural(count, 'more mentor')}. "
        "We'll connect you as soon as one claims it.")])


# --- for the mentor ------------------------------------------------------------------------------------


def _why_you(lead: str, candidate: CandidateInfo) -> list[dict[str, Any]]:
    """Why this mentor, in the mentor's own words ("you offer ..."): never the mentee's ("offers your
    topic"). An offer matched before both wordings were kept has none, so it says nothing."""
    if not candidate.mentor_reasons:
        return []
    return [context(f"{lead}: {escape(candidate.mentor_reasons)}.", verbatim=True)]


def offer(request: RequestInfo, candidate: CandidateInfo, handoff_days: int, *, reminder: bool = False) -> Message:
    """The formal request in the mentor's DM, with Accept and Decline."""
    if reminder:
        lead = (f"*A reminder: {mention(request.mentee_id)} is waiting for your answer.* If you can't take it on, "
                "Decline is a kind answer too: we'll ask the next mentor straight away.")
    else:
        lead = f"*{mention(request.mentee_id)} would like you as their QI mentor.*"
    blocks = [
        section(lead),
        section(request_details(request), verbatim=True),
        *_why_you("Why they asked you", candidate),
        _actions("mentor_offer", button("Accept", ACCEPT, str(candidate.id), style="primary"),
                 button("Decline", DECLINE, str(candidate.id))),
        context(f"Please answer within {plural(handoff_days, 'day')} of the request; after that we ask the next mentor."),
    ]
    return _message("A mentee is waiting for your answer." if reminder
                    else "A colleague would like you as their QI mentor.", blocks)


def quick_question(request: RequestInfo, candidate: CandidateInfo) -> Message:
    blocks = [
        section(f"*{mention(request.mentee_id)} has a quick QI question.* The first mentor to claim it is "
                "connected with them in a group DM."),
        section(request_details(request), verbatim=True),
        *_why_you("Why it came to you", candidate),
        _actions("mentor_question", button("Claim", CLAIM, str(candidate.id), style="primary")),
    ]
    return _message("A colleague has a quick QI question.", blocks)


def offer_closed(request: RequestInfo, status: str, *, winner_id: str | None = None, handoff_days: int = 0) -> Message:
    """What an offer DM becomes once it is answered, moved on, withdrawn or claimed."""
    mentee = mention(request.mentee_id)
    texts = {
        "accepted": f"You accepted {mentee}'s request. Your group DM with them is open: say hello there.",
        "declined": f"You declined {mentee}'s request. Thank you for letting us know; we've asked the next mentor.",
        "expired": f"This request from {mentee} moved to another mentor after {plural(handoff_days, 'day')}. No action needed.",
        "withdrawn": f"{mentee} withdrew this request. No action needed.",
        "claimed": f"You claimed {mentee}'s question. Your group DM with them is open.",
        "taken": f"{mention(winner_id)} claimed {mentee}'s question. Thanks for being available!",
    }
    return _message(f"Mentor request: {status}.", [section(texts[status])])


# --- for the pair --------------------------------------------------------------------------------------


def _end_button(mentorship: MentorshipInfo) -> dict[str, Any]:
    """End (or close) after a confirmation: one stray click must not end what two people started."""
    formal = mentorship.kind == "formal"
    confirm = {"title": plain("End this mentorship?" if formal else "Close this question?"),
               "text": mrkdwn("You'll both be told and asked for brief feedback, and no more meetings can be "
                              "logged for it. This can't be undone."),
               "confirm": plain("End mentorship" if formal else "Close question"),
               "deny": plain("Keep going"), "style": "danger"}
    return button("End mentorship" if formal else "Close question", END, str(mentorship.id), confirm=confirm)


def _kickoff_blocks(mentorship: MentorshipInfo, checkin_days: int, *,
                    running: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """The kick-off's words; once the pair has ended (`running` false) without what only the buttons did."""
    mentor, mentee = mention(mentorship.mentor_id), mention(mentorship.mentee_id)
    if mentorship.kind == "informal":
        return "You're connected for a quick question.", [
            section(f"*{mentor} claimed {mentee}'s quick question.* Talk it through here."),
            section(escape(mentorship.needs or ""), verbatim=True),
            *([context("Never share patient identifiers in Slack. If you meet, log it for CPD; close the question "
                       "when you're done.")] if running else []),
        ]
    cadence = _choice_name("cadence", mentorship.cadence)
    goal = f"_{escape(mentorship.goal)}_" if mentorship.goal else "agree one to three goals for the first months"
    checklist = "\n".join([
        f"• *How often you meet*: {escape(cadence) if cadence else 'agree a rhythm'}, and how (virtual or in person).",
        f"• *Goals*: {goal}.",
        "• *Confidentiality*: what you discuss stays between you. Never share patient identifiers in Slack.",
        *(["• *How to end*: either of you can end the mentorship at any time with the button below; we then ask "
           "you both for brief feedback."] if running else []),
    ])
    return "Welcome to your mentorship: expectations to agree at your first meeting.", [
        header("Welcome to your mentorship"),
        section(f"{mentor} has agreed to mentor {mentee} in {escape(topic_labels(mentorship.topics))}.",
                verbatim=True),
        section(f"*Expectations to agree at your first meeting*\n{checklist}", verbatim=True),
        *([context(f"Log each meeting (it can count for CPD). With no meeting logged for "
                   f"{plural(checkin_days, 'day')}, we check in with you both.")] if running else []),
    ]


def kickoff(mentorship: MentorshipInfo, checkin_days: int) -> Message:
    """The first message in the pair's group DM: who, what for, and the expectations checklist."""
    text, blocks = _kickoff_blocks(mentorship, checkin_days)
    blocks.append(_actions("mentorship_kickoff",
                           button("Log a meeting", LOG_MEETING, str(mentorship.id), style="primary"),
                           _end_button(mentorship)))
    return _message(text, blocks)


def _ended_line(mentorship: MentorshipInfo, ended_on: date) -> str:
    what = "This mentorship ended" if mentorship.kind == "formal" else "This question was closed"
    return f":checkered_flag: {what} on {ended_on:%-d %B %Y}, so its buttons are gone."


def kickoff_ended(mentorship: MentorshipInfo, checkin_days: int, ended_on: date) -> Message:
    """The kick-off once the pair has ended: the same welcome, the buttons replaced by when it ended."""
    text, blocks = _kickoff_blocks(mentorship, checkin_days, running=False)
    blocks.append(context(_ended_line(mentorship, ended_on)))
    return _message(text, blocks)


def checkin(mentorship: MentorshipInfo, user_id: str, days: int) -> Message:
    other = mention(mentorship.other(user_id))
    blocks = [
        section(f"*How is your mentorship with {other} going?* No meeting has been logged for {plural(days, 'day')}. "
                "A short catch-up keeps things moving."),
        _actions("mentorship_checkin", button("Log a meeting", LOG_MEETING, str(mentorship.id), style="primary"),
                 button("Snooze a week", SNOOZE, str(mentorship.id)),
                 _end_button(mentorship)),
    ]
    return _message("How is your mentorship going?", blocks)


def checkin_ended(mentorship: MentorshipInfo, user_id: str, ended_on: date) -> Message:
    """A check-in once the pair has ended: nothing left to log or snooze."""
    other = mention(mentorship.other(user_id))
    return _message("Your mentorship has ended.", [
        section(f"A check-in on your mentorship with {other}. No more check-ins will come."),
        context(_ended_line(mentorship, ended_on)),
    ])


def snoozed(until: date) -> Message:
    return _message("Check-in snoozed.", [section(f"Snoozed. We'll check in again around {until:%A %-d %B}.")])


def meeting_logged_for_writer(mentorship: MentorshipInfo, user_id: str, met_on: date, minutes: int,
                              topics: tuple[str, ...], private_notes: str | None) -> Message:
    text = (f"*Meeting logged* with {mention(mentorship.other(user_id))}: {met_on:%-d %B %Y}, {plural(minutes, 'minute')}"
            + (f", {escape(topic_labels(topics))}" if topics else "") + ".")
    blocks = [section(text, verbatim=True)]
    if private_notes:
        blocks.append(section(f"*Your private notes* (only you can see these)\n{escape(private_notes)}",
                              verbatim=True))
    return _message("Meeting logged.", blocks)


def meeting_logged_for_other(mentorship: MentorshipInfo, writer_id: str, met_on: date, minutes: int,
                             topics: tuple[str, ...]) -> Message:
    text = (f"{mention(writer_id)} logged your meeting on {met_on:%-d %B %Y} ({plural(minutes, 'minute')}"
            + (f", {escape(topic_labels(topics))}" if topics else "") + ").")
    return _message("Your mentoring meeting was logged.", [section(text, verbatim=True)])


def ended(mentorship: MentorshipInfo, user_id: str) -> Message:
    other = mention(mentorship.other(user_id))
    # A quick question is the mentee's, not the mentor's: "the", where a mentorship is "your".
    what, verb = ("your mentorship", "ended") if mentorship.kind == "formal" else ("the quick question", "closed")
    first = (f"You {verb} {what} with {other}." if user_id == mentorship.ended_by
             else f"{other} {verb} {what}.")
    blocks = [
        section(f"*{first}* Thank you for the time you gave it.\n"
                "Would you share brief feedback? Three quick questions; it helps the QI leads support mentoring."),
        _actions("mentorship_ended", button("Share feedback", FEEDBACK, str(mentorship.id), style="primary")),
    ]
    return _message(f"{what.capitalize()} has {verb}; would you share brief feedback?", blocks)


# --- for the admins ------------------------------------------------------------------------------------

_TRIED = {
    "declined": "declined",
    "expired": "no answer in time",
    "offered": "asked, no answer yet",
    "superseded": "asked",
}


def escalation(request: RequestInfo, tried: tuple[CandidateInfo, ...]) -> Message:
    kind = "quick question" if request.kind == "informal" else "formal mentor request"
    lines = []
    for candidate in tried:
        line = f"• {mention(candidate.mentor_id)}: {_TRIED.get(candidate.status, candidate.status)}"
        if candidate.decline_reason:
            line += f" (_{escape(candidate.decline_reason)}_)"
        lines.append(line)
    if request.widened:
        lines.append("• The question was widened once to more mentors.")
    tried_text = "\n".join(lines) if lines else "• No mentor on the roster fits these topics and format."
    blocks = [
        header("A mentor request needs your help"),
        section(f"{mention(request.mentee_id)}'s {kind} from {request.created_at:%-d %B %Y} has no mentor yet."),
        section(request_details(request), verbatim=True),
        section(f"*What we tried*\n{tried_text}", verbatim=True),
        context("Reach out to the mentee, or grow the roster with `qi-commons mentors import`. "
                "We tell the admins about each request once."),
    ]
    return _message(f"A {kind} needs your help finding a mentor.", blocks)


# --- profile -------------------------------------------------------------------------------------------


def profile_saved(expertise: tuple[str, ...], capacity: int, accepting: bool, created: bool) -> Message:
    state = "open to new mentees" if accepting else "paused: no new requests until you switch it back on"
    first = "You're now a QI Commons mentor. Thank you!" if created else "Your mentor profile is updated."
    blocks = [section(f"*{first}*\nTopics: {escape(topic_labels(expertise))}\nPlaces: {capacity}; {state}.\n"
                      "Change it any time with `/qi-commons mentor`.", verbatim=True)]
    return _message(first, blocks)


def profile_removed() -> Message:
    return _message("You're no longer listed as a mentor.", [section(
        "*You're no longer listed as a mentor.* Mentorships you have running carry on. Thank you for mentoring; "
        "come back any time with `/qi-commons mentor`.")])
