"""Reading mentoring modals' state into checked values, with an error per block for Slack to show."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.core.config import Settings
from bot.core.phi import errors_alongside
from bot.mentoring import pairs as mentorships
from bot.mentoring import profiles
from bot.mentoring import requests as mentoring
from bot.mentoring import vocabulary as mentor_vocabulary
from bot.mentoring.pairs import FeedbackInput, MeetingInput
from bot.mentoring.roster import MAX_CAPACITY, MIN_CAPACITY
from handlers.mentoring.views import STOP

Errors = dict[str, str]


def _element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    actions = view.get("state", {}).get("values", {}).get(block_id) or {}
    return next(iter(actions.values()), None) or {}


def text(view: dict[str, Any], block_id: str) -> str | None:
    value = (_element(view, block_id).get("value") or "").strip()
    return value or None


def choice(view: dict[str, Any], block_id: str) -> str | None:
    return (_element(view, block_id).get("selected_option") or {}).get("value")


def choices(view: dict[str, Any], block_id: str) -> list[str]:
    return [o["value"] for o in _element(view, block_id).get("selected_options") or [] if o.get("value")]


def number(view: dict[str, Any], block_id: str) -> int | None:
    try:
        return int(_element(view, block_id).get("value") or "")
    except ValueError:
        return None


def metadata_id(view: dict[str, Any]) -> int | None:
    try:
        return int(view.get("private_metadata") or "")
    except ValueError:
        return None


def _known(kind: mentor_vocabulary.ChoiceKind, value: str | None) -> str | None:
    return value if value in {c.id for c in mentor_vocabulary.choices(kind)} else None


def _topics(view: dict[str, Any], block_id: str) -> list[str]:
    known = {t.id for t in mentor_vocabulary.terms()}
    return [t for t in choices(view, block_id) if t in known]


def read_profile(view: dict[str, Any], settings: Settings, name: str | None) -> tuple[profiles.ProfileInput | None,
                                                                                      bool, Errors]:
    """(profile, stop, errors): `stop` when the mentor chose to remove their profile."""
    status = choice(view, "status")
    if status == STOP:
        return None, True, {}
    errors: Errors = {}
    expertise = _topics(view, "expertise")
    if not expertise:
        errors["expertise"] = "Choose at least one topic you can help with."
    capacity = number(view, "capacity")
    if capacity is None or not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        errors["capacity"] = f"Enter a whole number from {MIN_CAPACITY} to {MAX_CAPACITY}."
    formats = [f for f in choices(view, "formats") if _known("format", f)]
    if not formats:
        errors["formats"] = "Choose formal mentoring, quick questions, or both."
    modes = [m for m in choices(view, "modes") if _known("mode", m)]
    if not modes:
        errors["modes"] = "Choose virtual, in person, or both."
    bio = text(view, "bio")
    if errors:
        return None, False, errors_alongside(settings.staff_email_domains, errors, bio=bio)
    profile = profiles.ProfileInput(
        name=name, expertise=tuple(expertise), discipline=_known("discipline", choice(view, "discipline")),
        career_stage=_known("career_stage", choice(view, "career_stage")), capacity=capacity or MIN_CAPACITY,
        formats=tuple(formats), modes=tuple(modes), bio=bio, accepting=status != "paused")
    return profile, False, {}


def read_request(view: dict[str, Any], settings: Settings) -> tuple[mentoring.RequestInput | None, Errors]:
    needs, goal = text(view, "needs"), text(view, "goal")
    errors: Errors = {}
    if not needs:
        errors["needs"] = "Tell mentors what you would like help with."
    # No topic is the service's NoTopics, after its PHI check: an identifier is named first.
    topics = list(dict.fromkeys(_topics(view, "topics") + mentor_vocabulary.topics_from_text(needs or "")))
    if errors:
        return None, errors_alongside(settings.staff_email_domains, errors, goal=goal)
    assert needs is not None
    return mentoring.RequestInput(
        kind=_known("format", choice(view, "format")) or "formal", topics=tuple(topics), needs=needs, goal=goal,
        cadence=_known("cadence", choice(view, "cadence")), mode=_known("mode", choice(view, "mode")),
        preferred_discipline=_known("discipline", choice(view, "discipline")),
        preferred_career_stage=_known("career_stage", choice(view, "career_stage"))), {}


def read_meeting(view: dict[str, Any], settings: Settings, today: date) -> tuple[MeetingInput | None, Errors]:
    errors: Errors = {}
    met_on: date | None = None
    try:
        met_on = date.fromisoformat(_element(view, "met_on").get("selected_date") or "")
    except ValueError:
        errors["met_on"] = "Choose the date you met."
    # A day of slack: the person's calendar may already be on tomorrow.
    if met_on is not None and met_on > today + timedelta(days=1):
        errors["met_on"] = "That date is in the future; log a meeting once it has happened."
    minutes = number(view, "minutes")
    if minutes is None or not mentorships.MIN_MEETING_MINUTES <= minutes <= mentorships.MAX_MEETING_MINUTES:
        errors["minutes"] = (f"Enter the minutes you met, from {mentorships.MIN_MEETING_MINUTES} to "
                             f"{mentorships.MAX_MEETING_MINUTES}.")
    notes = text(view, "notes")
    if errors:
        return None, errors_alongside(settings.staff_email_domains, errors, notes=notes)
    assert met_on is not None and minutes is not None
    return MeetingInput(met_on=met_on, minutes=minutes, topics=tuple(_topics(view, "topics")),
                        private_notes=notes), {}


def read_feedback(view: dict[str, Any], settings: Settings) -> tuple[FeedbackInput | None, Errors]:
    errors: Errors = {}
    fit = choice(view, "fit")
    if fit not in {str(n) for n in mentorships.FIT_SCORES}:
        errors["fit"] = "Choose how good the fit was, from 1 to 5."
    goals_met = choice(view, "goals_met")
    if goals_met not in mentorships.GOALS_MET:
        errors["goals_met"] = "Choose yes, partly or no."
    comment = text(view, "comment")
    if errors:
        return None, errors_alongside(settings.staff_email_domains, errors, comment=comment)
    assert fit is not None and goals_met is not None
    return FeedbackInput(fit=int(fit), goals_met=goals_met, comment=comment), {}
