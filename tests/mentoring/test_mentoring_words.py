"""Every count a mentoring message writes reads right at one (issue 16 item 14: "1 days", "1 hours")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.mentoring.pairs import MentorshipInfo
from bot.mentoring.requests import CandidateInfo, RequestInfo, Stale
from handlers.mentoring import blocks
from handlers.mentoring.stale import stale_text
from tests.mentoring_helpers import text_of

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
REQUEST = RequestInfo(id=1, team_id="T0001", mentee_id="U0MEMBER1", kind="formal",
                      topics=("measurement-run-charts",), needs="Help with run charts", goal=None, cadence=None,
                      mode=None, status="offered", created_at=NOW, widened=False)
CANDIDATE = CandidateInfo(id=2, request_id=1, mentor_id="U0MENTOR1", name="Dr. Ada Example", bio=None, rank=1,
                          reasons="offers your topic: run charts; 1 of 1 place free",
                          mentor_reasons="you offer run charts, which they need; you have 1 of 1 place free",
                          status="offered", offered_at=NOW, decline_reason=None, dm_channel_id=None, dm_ts=None)
PAIR = MentorshipInfo(id=3, team_id="T0001", mentor_id="U0MENTOR1", mentee_id="U0MEMBER1", kind="formal",
                      status="active", group_channel_id="G0PAIR", started_at=NOW, last_contact_at=NOW,
                      topics=("measurement-run-charts",), goal=None, cadence=None, needs=None, ended_by=None)


def test_one_of_each_count_is_singular():
    texts = "\n".join(text_of(message) for message in (
        blocks.shortlist(REQUEST, (CANDIDATE,), handoff_days=1),
        blocks.asked(CANDIDATE, REQUEST, handoff_days=1),
        blocks.question_sent(REQUEST, 1, widen_hours=1),
        blocks.widened(1),
        blocks.handed_on(CANDIDATE, None, REQUEST, expired=True, handoff_days=1),
        blocks.offer(REQUEST, CANDIDATE, handoff_days=1),
        blocks.offer_closed(REQUEST, "expired", handoff_days=1),
        blocks.kickoff(PAIR, checkin_days=1),
        blocks.checkin(PAIR, "U0MEMBER1", days=1),
        blocks.meeting_logged_for_writer(PAIR, "U0MEMBER1", date(2026, 11, 24), 1, (), None),
        blocks.meeting_logged_for_other(PAIR, "U0MEMBER1", date(2026, 11, 24), 1, ()),
    )) + stale_text(Stale("expired"), handoff_days=1)
    for wrong in ("1 days", "1 hours", "1 mentors", "1 more mentors", "1 minutes", "1 places"):
        assert wrong not in texts, wrong
    for right in ("has 1 day to answer", "within 1 day,", "went to 1 mentor.", "in 1 hour,", "asked 1 more mentor.",
                  "in 1 day, so", "no meeting logged for 1 day,", "for 1 day.", "1 minute"):
        assert right in texts, right


def test_closing_a_quick_question_reads_as_the_mentees_question():
    question = replace(PAIR, kind="informal", status="ended", ended_by="U0MENTOR1")
    assert "*You closed the quick question with <@U0MEMBER1>.*" in text_of(blocks.ended(question, "U0MENTOR1"))
    assert "*<@U0MENTOR1> closed the quick question.*" in text_of(blocks.ended(question, "U0MEMBER1"))
    assert "Close this question?" in str(blocks.kickoff(question, checkin_days=21))
