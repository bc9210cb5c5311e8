"""Each mentoring service is the PHI gate itself: called directly (not through Slack) with an Ontario
health number in any text it would store, it raises ContainsPhi and stores nothing."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.phi import ContainsPhi
from bot.mentoring import pairs as mentorships
from bot.mentoring import profiles
from bot.mentoring import requests as mentoring
from bot.mentoring.roster_import import import_roster
from storage.models import (
    AuditLog,
    MentorProfile,
    MentorshipCandidate,
    MentorshipFeedback,
    MentorshipMeeting,
    MentorshipRequest,
    OutboxMessage,
)
from tests.mentoring_helpers import TEAM, rows

HEALTH_NUMBER = "patient 1234-567-897"
USER = "U0MENTEE"


def _profile(**text: str | None) -> profiles.ProfileInput:
    return profiles.ProfileInput(**{"name": None, "bio": None, **text}, expertise=("measurement-run-charts",),
                                  discipline=None, career_stage=None, capacity=2, formats=("formal",),
                                  modes=("virtual",))


CALLS = {
    "profile bio": lambda rt: profiles.save_profile(rt, team_id=TEAM, user_id=USER, profile=_profile(bio=HEALTH_NUMBER)),
    "profile name": lambda rt: profiles.save_profile(rt, team_id=TEAM, user_id=USER,
                                                      profile=_profile(name=HEALTH_NUMBER)),
    "request needs": lambda rt: mentoring.create_request(rt, team_id=TEAM, mentee_id=USER, ask=mentoring.RequestInput(
        kind="formal", topics=("measurement-run-charts",), needs=f"run charts for {HEALTH_NUMBER}")),
    "request goal": lambda rt: mentoring.create_request(rt, team_id=TEAM, mentee_id=USER, ask=mentoring.RequestInput(
        kind="informal", topics=("measurement-run-charts",), needs="run charts", goal=HEALTH_NUMBER)),
    "decline reason": lambda rt: mentoring.decline_offer(rt, team_id=TEAM, mentor_id=USER, candidate_id=1,
                                                         reason=HEALTH_NUMBER),
    "meeting notes": lambda rt: mentorships.log_meeting(rt, team_id=TEAM, user_id=USER, mentorship_id=1,
                                                        meeting=mentorships.MeetingInput(
                                                            met_on=date(2026, 11, 24), minutes=30, topics=(),
                                                            private_notes=HEALTH_NUMBER)),
    "feedback comment": lambda rt: mentorships.save_feedback(rt, team_id=TEAM, user_id=USER, mentorship_id=1,
                                                             feedback=mentorships.FeedbackInput(
                                                                 fit=4, goals_met="yes", comment=HEALTH_NUMBER)),
}
STORED = (MentorProfile, MentorshipRequest, MentorshipCandidate, MentorshipMeeting, MentorshipFeedback, AuditLog,
          OutboxMessage)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_a_health_number_is_refused_by_the_service_itself(env, call):
    with pytest.raises(ContainsPhi) as refused:
        await call(env.runtime)
    assert [h.kind for hits in refused.value.hits.values() for h in hits] == ["health_number"]
    for model in STORED:
        assert await rows(env, model) == [], model.__name__
    assert env.slack.calls == []


async def test_the_roster_import_skips_a_row_with_a_health_number(env):
    env.slack.add_user("U0MENTOR01", name="ada")
    header = "slack_user_id,email,name,expertise,capacity,formats,modes,discipline,career_stage,bio\n"
    report = await import_roster(env.runtime, team_id=TEAM,
                                 text=header + f"U0MENTOR01,,Dr. Ada,SPC,2,formal,virtual,,,Ask about {HEALTH_NUMBER}\n")
    assert [(p.line, p.message) for p in report.problems] == [
        (2, "bio contains an Ontario health card number: remove patient identifiers")]
    assert await rows(env, MentorProfile) == []
