"""Mentoring modals: the mentor profile, /find-mentor, a decline reason, a meeting, feedback.

Block ids double as the field names the submissions read (handlers/mentoring/forms.py) and the keys
of field errors. State that must survive the round trip (which offer, which mentorship) travels in
`private_metadata` as a plain id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.mentoring import vocabulary as mentor_vocabulary
from bot.mentoring.pairs import GOALS_MET, MAX_MEETING_MINUTES, MIN_MEETING_MINUTES
from bot.mentoring.profiles import ProfileStart, ProfileView
from bot.mentoring.roster import MAX_BIO_CHARS, MAX_CAPACITY, MIN_CAPACITY
from handlers.blocks import option, plain, section

PROFILE = "mentor_profile"
FIND = "find_mentor"
DECLINE_REASON = "mentor_decline_reason"
MEETING = "mentorship_meeting"
FEEDBACK_FORM = "mentorship_feedback_form"

NEEDS_CHARS = 1500
GOAL_CHARS = 500
REASON_CHARS = 500
NOTES_CHARS = 2000
COMMENT_CHARS = 1000
ACCEPTING, PAUSED, STOP = "accepting", "paused", "stop"
View = dict[str, Any]


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    element.setdefault("action_id", block_id)
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label), "element": element,
                             "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


def _modal(callback_id: str, title: str, blocks: list[dict[str, Any]], *, submit: str | None = "Save",
           metadata: str = "", close: str = "Cancel") -> View:
    view: View = {"type": "modal", "callback_id": callback_id, "title": plain(title), "close": plain(close),
                  "blocks": blocks, "private_metadata": metadata}
    if submit:
        view["submit"] = plain(submit)
    return view


def _topic_groups() -> list[dict[str, Any]]:
    groups = []
    for group in mentor_vocabulary.TOPIC_GROUPS:
        options = [option(t.name, t.id) for t in mentor_vocabulary.terms() if t.group == group]
        groups.append({"label": plain(group), "options": options})
    return groups


def _topics_select(block_id: str, label: str, selected: list[str], *, optional: bool, hint: str | None = None,
                   placeholder: str = "Choose topics") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "multi_static_select", "placeholder": plain(placeholder),
                               "option_groups": _topic_groups()}
    known = [mentor_vocabulary.term(t) for t in selected if _is_topic(t)]
    if known:
        element["initial_options"] = [option(t.name, t.id) for t in known]
    return _input(block_id, label, element, optional=optional, hint=hint)


def _is_topic(topic_id: str) -> bool:
    try:
        mentor_vocabulary.term(topic_id)
    except KeyError:
        return False
    return True


def _choice_select(kind: mentor_vocabulary.ChoiceKind, block_id: str, label: str, selected: str | None,
                   placeholder: str) -> dict[str, Any]:
    choices = mentor_vocabulary.choices(kind)
    element: dict[str, Any] = {"type": "static_select", "placeholder": plain(placeholder),
                               "options": [option(c.name, c.id) for c in choices]}
    chosen = next((c for c in choices if c.id == selected), None)
    if chosen:
        element["initial_option"] = option(chosen.name, chosen.id)
    return _input(block_id, label, element, optional=True)


def _checkboxes(kind: mentor_vocabulary.ChoiceKind, block_id: str, label: str, selected: list[str]) -> dict[str, Any]:
    choices = mentor_vocabulary.choices(kind)
    element: dict[str, Any] = {"type": "checkboxes", "options": [option(c.name, c.id) for c in choices]}
    initial = [option(c.name, c.id) for c in choices if c.id in selected]
    if initial:
        element["initial_options"] = initial
    return _input(block_id, label, element)


def _text(block_id: str, label: str, *, max_length: int, initial: str | None = None, multiline: bool = True,
          optional: bool = True, placeholder: str | None = None, hint: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return _input(block_id, label, element, optional=optional, hint=hint)


def profile_modal(profile: ProfileView | None, start: ProfileStart) -> View:
    """Become a mentor, change what you offer, pause, or stop. Discipline and career stage the profile
    does not give come from `start` (the member's settings)."""
    every_format = [c.id for c in mentor_vocabulary.formats()]
    every_mode = [c.id for c in mentor_vocabulary.modes()]
    status_options = [option("Accepting new mentees", ACCEPTING), option("Paused: no new requests for now", PAUSED)]
    if profile is not None:
        status_options.append(option("Stop being a mentor (remove my profile)", STOP))
    current = ACCEPTING if profile is None or profile.accepting else PAUSED
    status = {"type": "radio_buttons", "options": status_options,
              "initial_option": next(o for o in status_options if o["value"] == current)}
    capacity = {"type": "number_input", "is_decimal_allowed": False, "min_value": str(MIN_CAPACITY),
                "max_value": str(MAX_CAPACITY), "initial_value": str(profile.capacity if profile else 2)}
    blocks = [
        section("Mentees choose from a shortlist that explains why each mentor fits. You answer each request in a "
                "DM, and you can pause or stop at any time."),
        _topics_select("expertise", "Topics you can help with", list(profile.expertise) if profile else [],
                       optional=False),
        _choice_select("discipline", "discipline", "Your discipline",
                       (profile.discipline if profile else None) or start.discipline, "Choose a discipline"),
        _choice_select("career_stage", "career_stage", "Your career stage",
                       (profile.career_stage if profile else None) or start.career_stage, "Choose a career stage"),
        _input("capacity", "Mentees at a time (formal)", capacity,
               hint="Quick questions don't count against this."),
        _checkboxes("format", "formats", "What you offer", list(profile.formats) if profile else every_format),
        _checkboxes("mode", "modes", "How you meet", list(profile.modes) if profile else every_mode),
        _text("bio", "A short bio", max_length=MAX_BIO_CHARS, initial=profile.bio if profile else None,
              placeholder="QI work you've led, what you enjoy helping with. No patient details."),
        _input("status", "Status", status),
    ]
    return _modal(PROFILE, "Mentor profile", blocks)


def find_modal() -> View:
    cadence_hint = "How often you'd like to meet (formal mentoring)."
    blocks = [
        _text("needs", "What would you like help with?", max_length=NEEDS_CHARS, optional=False,
              placeholder="e.g. I'm starting a project on wait times and want help with run charts",
              hint="Mentors see this. No patient identifiers: Slack is not a health record."),
        _topics_select("topics", "Topics", [], optional=True,
                       hint="Optional: we also pick topics up from what you wrote."),
        _text("goal", "Your goal", max_length=GOAL_CHARS, multiline=False,
              placeholder="e.g. present our first PDSA results by June"),
        _input("format", "What kind of help", {
            "type": "radio_buttons", "initial_option": option(mentor_vocabulary.choice("format", "formal").name,
                                                              "formal"),
            "options": [option(c.name, c.id) for c in mentor_vocabulary.formats()]}),
        _choice_select("discipline", "discipline", "Preferred discipline", None, "Any discipline"),
        _choice_select("career_stage", "career_stage", "Preferred career stage", None, "Any career stage"),
        _choice_select("mode", "mode", "Meet virtually or in person", None, "Either"),
        _choice_select("cadence", "cadence", "Meeting cadence", None, "Choose a cadence"),
    ]
    blocks[-1]["hint"] = plain(cadence_hint)
    return _modal(FIND, "Find a mentor", blocks, submit="Find mentors")


def decline_modal(candidate_id: int) -> View:
    blocks = [
        section("Thanks for answering: saying no quickly is a kindness. We'll ask the next mentor straight away."),
        _text("reason", "Reason (optional)", max_length=REASON_CHARS,
              placeholder="e.g. On leave until March", hint="Shared with the mentee. No patient details."),
    ]
    return _modal(DECLINE_REASON, "Decline request", blocks, submit="Decline", metadata=str(candidate_id))


def meeting_modal(mentorship_id: int, today: date, topics: tuple[str, ...]) -> View:
    minutes = {"type": "number_input", "is_decimal_allowed": False, "min_value": str(MIN_MEETING_MINUTES),
               "max_value": str(MAX_MEETING_MINUTES)}
    blocks = [
        _input("met_on", "Date", {"type": "datepicker", "initial_date": today.isoformat()}),
        _input("minutes", "Minutes", minutes),
        _topics_select("topics", "Topics", list(topics), optional=True),
        _text("notes", "Private notes", max_length=NOTES_CHARS,
              hint="Only you will see these. No patient identifiers."),
    ]
    return _modal(MEETING, "Log a meeting", blocks, metadata=str(mentorship_id))


def feedback_modal(mentorship_id: int) -> View:
    fit = {"type": "radio_buttons", "options": [option(label, str(n)) for n, label in (
        (5, "5: an excellent fit"), (4, "4"), (3, "3"), (2, "2"), (1, "1: a poor fit"))]}
    goals = {"type": "radio_buttons", "options": [option(g.capitalize(), g) for g in GOALS_MET]}
    blocks = [
        _input("fit", "How good was the fit?", fit),
        _input("goals_met", "Were your goals met?", goals),
        _text("comment", "Anything else? (optional)", max_length=COMMENT_CHARS,
              hint="Kept for the QI leads' reports, never posted. No patient details."),
    ]
    return _modal(FEEDBACK_FORM, "Mentorship feedback", blocks, submit="Send", metadata=str(mentorship_id))


def notice_modal(title: str, text: str) -> View:
    """Replaces a submitted modal with a short message (a thank-you, or why nothing changed)."""
    return _modal("mentoring_notice", title, [section(text)],
                  submit=None, close="Close")
