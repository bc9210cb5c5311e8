"""A member's own settings: profession, career stage, CPD framework, reminders, quiet hours, digest consent,
whether others starting similar work may be pointed to them, and whether they are asked for a value story
once a month.

Choices are checked against the same vocabularies the rest of the app uses (a forged submission can
send any string). Quiet hours follow bot.core.nudges: they may wrap midnight, equal times mean no quiet
hours on weekdays, and they must leave some time in the day for the reminders they shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.core.members import ensure_member
from bot.core.runtime import Runtime
from bot.cpd.rules import frameworks
from bot.mentoring import vocabulary as mentor_vocabulary

# Quiet hours longer than this leave under an hour for reminders: "turn reminders off" is what is meant.
MIN_REMINDER_MINUTES = 60


@dataclass(frozen=True)
class MemberSettings:
    profession: str | None  # a discipline id from the mentoring vocabulary
    career_stage: str | None
    cpd_framework: str
    reminders_enabled: bool
    quiet_start: time
    quiet_end: time
    name_in_digest_shares: bool
    name_in_digest_mentoring: bool
    # Others starting similar work may be pointed to them ("ask them?"); search finds their shares either way.
    suggest_me: bool = True
    # The monthly "has anything made a difference?" DM (bot/report/stories.py); off until they ask for it.
    value_story_asks: bool = False


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def quiet_minutes(start: time, end: time) -> int:
    """Length of the quiet window in minutes (0 when start == end: no quiet hours)."""
    return (_minutes(end) - _minutes(start)) % (24 * 60)


def problems(settings: MemberSettings) -> dict[str, str]:
    """Field name -> what to fix, worded for the person; empty when the settings can be saved."""
    errors: dict[str, str] = {}
    if settings.profession is not None and settings.profession not in {c.id for c in mentor_vocabulary.disciplines()}:
        errors["profession"] = "Choose your profession from the list."
    if settings.career_stage is not None and settings.career_stage not in {
            c.id for c in mentor_vocabulary.career_stages()}:
        errors["career_stage"] = "Choose your career stage from the list."
    if settings.cpd_framework not in frameworks():
        errors["cpd_framework"] = "Choose the CPD framework you report to."
    if 24 * 60 - quiet_minutes(settings.quiet_start, settings.quiet_end) < MIN_REMINDER_MINUTES:
        errors["quiet_end"] = ("These quiet hours leave less than an hour for reminders. To stop reminders, "
                               "untick Reminders instead.")
    return errors


async def load(runtime: Runtime, team_id: str, user_id: str) -> MemberSettings:
    async with runtime.db.session() as session, session.begin():
        member = await ensure_member(runtime, session, team_id, user_id)
        return MemberSettings(
            profession=member.profession, career_stage=member.career_stage, cpd_framework=member.cpd_framework,
            reminders_enabled=member.reminders_enabled, quiet_start=member.quiet_start, quiet_end=member.quiet_end,
            name_in_digest_shares=member.name_in_digest_shares,
            name_in_digest_mentoring=member.name_in_digest_mentoring, suggest_me=member.suggest_me,
            value_story_asks=member.value_story_asks)


async def save(runtime: Runtime, team_id: str, user_id: str, settings: MemberSettings) -> dict[str, str]:
    """Store the settings and refresh what the member sees; with `problems`, store nothing and return them.

    Every stored field is an id from a vocabulary or a time, never free text, so checking the ids here
    is what keeps anything a member typed (a forged submission) out of their profile.
    """
    errors = problems(settings)
    if errors:
        return errors
    async with runtime.db.session() as session, session.begin():
        member = await ensure_member(runtime, session, team_id, user_id)
        member.profession = settings.profession
        member.career_stage = settings.career_stage
        member.cpd_framework = settings.cpd_framework
        member.reminders_enabled = settings.reminders_enabled
        member.quiet_start = settings.quiet_start
        member.quiet_end = settings.quiet_end
        member.name_in_digest_shares = settings.name_in_digest_shares
        member.name_in_digest_mentoring = settings.name_in_digest_mentoring
        member.suggest_me = settings.suggest_me
        member.value_story_asks = settings.value_story_asks
        member.updated_at = runtime.clock.now()
    runtime.member_changed(team_id, user_id)
    return {}
