"""A department's October and September 2026, stored as the features store them, for the value report.

Every number the tests expect is counted by hand here, next to the rows that make it, so a test
recomputes each figure from the seed rather than trusting the queries. October is the period, September
the one before; August rows sit outside both and must count for neither.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.core.audit import record
from bot.report.periods import Period
from storage.models import (
    ChartSignal,
    CpdEntry,
    Kudos,
    Member,
    Mentorship,
    MentorshipRequest,
    QiMeasure,
    QiProject,
    QiUpdate,
    ValueStory,
)

TEAM = "T0001"
TORONTO = ZoneInfo("America/Toronto")
OCTOBER = Period(date(2026, 10, 1), 1)
OCT = datetime(2026, 10, 15, 15, 0, tzinfo=UTC)
SEP = datetime(2026, 9, 15, 15, 0, tzinfo=UTC)
AUG = datetime(2026, 8, 15, 15, 0, tzinfo=UTC)

NURSES = [f"U0NURSE{n}" for n in range(1, 7)]  # 6 nurses, early career
PSYCHIATRISTS = [f"U0PSYCH{n}" for n in range(1, 6)]  # 5 psychiatrists, early career
SOCIAL = ["U0SOCIAL1", "U0SOCIAL2"]  # 2 social workers, residents
SEPTEMBER_SHARERS = ["U0SEPT1", "U0SEPT2", "U0SEPT3"]  # 3 nurses active in September only

# What a hand count of the rows below gives: (October, September) as the report shows them.
EXPECTED = {
    # 6 nurses + 5 psychiatrists + 2 social workers (one through kudos only) in October; 3 in September.
    "active_members": ("13", "fewer than 5"),
    # 6 nurses + a second by NURSE1 + SOCIAL2 in October; 3 in September (August's is outside).
    "shares": ("8", "3"),
    "questions_asked": ("3", "1"),
    "questions_answered": ("2", "0"),
    "median_hours_to_answer": ("13.5", "none"),  # 3 h and 24 h
    "kudos": ("2", "0"),  # NURSE1's kudos on their own update does not count
    "prompt_responses": ("1", "0"),
    # NURSE2 first shared in August: 5 nurses + SOCIAL2 in October; the 3 September sharers.
    "first_time_sharers": ("6", "fewer than 5"),
    "new_pairs": ("1", "0"),
    "cross_profession": ("2", "0"),  # psychiatrist-nurse formal and informal; nurse-nurse is not
    "projects_started": ("2", "1"),
    "primers_read": ("4", "0"),
    "cycles_started": ("2", "0"),
    "ideas_tested": ("2", "0"),
    "cycles_completed": ("1", "2"),
    "signals_better": ("1", "0"),  # the deterioration does not count
    "cpd_credits": ("15", "fewer than 5 members"),  # 5 members x 1 h x 3 credits/h; 2 members in September
    "aims_changed": ("2", "0"),  # three changes to two projects
    "reframing_stories": ("1", "0"),
}
# Active members by profession in October: social work (2) is hidden, and so is its complement, the next
# smallest (psychiatry, 5); September's 3 are under 5 in all, so every September cell is hidden.
BY_PROFESSION = [("Psychiatry", "fewer than 5", "fewer than 5"), ("Nursing", "6", "fewer than 5"),
                 ("Social work", "fewer than 5", "fewer than 5")]
# Two stages: residents (2) hidden, so early career (11) is too, or it would give the residents away.
BY_CAREER_STAGE = [("Resident or trainee", "fewer than 5", "fewer than 5"), ("Early career (under 5 years)", "fewer than 5", "fewer than 5")]


class Seed:
    def __init__(self, session) -> None:
        self.session = session
        self._n = 0

    def audit(self, who: str, action: str, at: datetime, subject: str | None = None) -> None:
        record(self.session, team_id=TEAM, actor_id=who, action=action, at=at, subject=subject)

    def member(self, who: str, profession: str | None, stage: str | None) -> None:
        self.session.add(Member(team_id=TEAM, slack_user_id=who, profession=profession, career_stage=stage,
                                cpd_framework="rcpsc-moc", created_at=AUG - timedelta(days=30)))

    async def update(self, who: str, stage: str, at: datetime) -> QiUpdate:
        row = QiUpdate(team_id=TEAM, author_id=who, tried="Tried it", pdsa_stage=stage, post_status="posted",
                       created_at=at)
        self.session.add(row)
        await self.session.flush()
        return row


async def seed_department(session) -> None:
    s = Seed(session)
    for who in NURSES + SEPTEMBER_SHARERS:
        s.member(who, "nursing", "early-career")
    for who in PSYCHIATRISTS:
        s.member(who, "psychiatry", "early-career")
    for who in SOCIAL:
        s.member(who, "social-work", "resident")

    # Shares, in the audit log as sharing writes them.
    for who in NURSES:
        s.audit(who, "qi_update.shared", OCT)
    s.audit(NURSES[0], "qi_update.shared", OCT + timedelta(days=1))
    s.audit(SOCIAL[1], "qi_update.shared", OCT)
    s.audit(SOCIAL[1], "weekly_prompt.answered", OCT)
    s.audit(NURSES[1], "qi_update.shared", AUG)
    for who in SEPTEMBER_SHARERS:
        s.audit(who, "qi_update.shared", SEP)
    s.audit("U0NOTADMIN", "admin.refused", OCT, "admin report")  # not participation
    for who in PSYCHIATRISTS[:4]:
        s.audit(who, "learn.primer_read", OCT, "topic:pdsa")
    s.audit(SOCIAL[0], "mentoring.requested", OCT)
    s.audit(NURSES[0], "qi_project.created", OCT)
    s.audit(PSYCHIATRISTS[0], "qi_project.created", OCT)
    s.audit(SEPTEMBER_SHARERS[0], "qi_project.created", SEP)
    s.audit(NURSES[0], "qi_project.aim_changed", OCT, "qi_project:1")
    s.audit(NURSES[0], "qi_project.aim_changed", OCT + timedelta(days=2), "qi_project:1")
    s.audit(PSYCHIATRISTS[0], "qi_project.aim_changed", OCT, "qi_project:2")

    # Updates at each PDSA stage (the rows, as the updates table keeps them).
    for stage in ("plan", "plan", "do", "study", "act"):
        await s.update(NURSES[0], stage, OCT)
    for _ in range(2):
        await s.update(SEPTEMBER_SHARERS[0], "act", SEP)
    await s.update(NURSES[1], "act", AUG)

    # Kudos: PSYCH5 takes part only by giving kudos; NURSE1's own kudos do not count.
    liked = await s.update(NURSES[0], "do", AUG)
    for who in (PSYCHIATRISTS[4], NURSES[1], NURSES[0]):
        session.add(Kudos(team_id=TEAM, update_id=liked.id, slack_user_id=who, created_at=OCT))

    # Quick questions: three asked in October (two answered, in 3 h and 24 h), one in September.
    asked = [MentorshipRequest(team_id=TEAM, mentee_id=who, kind="informal", needs="A question", status="claimed",
                               created_at=at)
             for who, at in ((NURSES[3], datetime(2026, 10, 1, 10, tzinfo=UTC)),
                             (NURSES[5], datetime(2026, 10, 2, 10, tzinfo=UTC)),
                             (SOCIAL[0], OCT), (NURSES[0], SEP))]
    session.add_all(asked)
    session.add(MentorshipRequest(team_id=TEAM, mentee_id=NURSES[2], kind="formal", needs="A mentor",
                                  status="matched", created_at=OCT))
    await session.flush()
    session.add_all([
        Mentorship(team_id=TEAM, request_id=asked[0].id, mentor_id=PSYCHIATRISTS[1], mentee_id=NURSES[3],
                   kind="informal", started_at=datetime(2026, 10, 1, 13, tzinfo=UTC)),
        Mentorship(team_id=TEAM, request_id=asked[1].id, mentor_id=NURSES[4], mentee_id=NURSES[5], kind="informal",
                   started_at=datetime(2026, 10, 3, 10, tzinfo=UTC)),
        Mentorship(team_id=TEAM, mentor_id=PSYCHIATRISTS[0], mentee_id=NURSES[2], kind="formal", started_at=OCT),
        Mentorship(team_id=TEAM, mentor_id=PSYCHIATRISTS[2], mentee_id=NURSES[2], kind="formal", started_at=AUG),
    ])

    # Run-chart signals on a measure.
    project = QiProject(team_id=TEAM, owner_id=NURSES[0], slug="falls", title="Falls", created_at=AUG)
    session.add(project)
    await session.flush()
    measure = QiMeasure(team_id=TEAM, project_id=project.id, name="Falls", kind="outcome")
    session.add(measure)
    await session.flush()
    for verdict, rule in (("improvement", "shift"), ("deterioration", "trend")):
        session.add(ChartSignal(team_id=TEAM, measure_id=measure.id, rule=rule, verdict=verdict,
                                first_on=date(2026, 9, 1), last_on=date(2026, 10, 10), points=6, found_at=OCT))

    # CPD from QI work: 5 members in October (1 h of practice assessment, 3 credits/h), 2 in September;
    # a manual entry (not from QI or mentoring) does not count.
    for who in NURSES[:5]:
        session.add(_cpd(who, date(2026, 10, 20), "qi_update"))
    for who in NURSES[:2]:
        session.add(_cpd(who, date(2026, 9, 20), "mentoring"))
    session.add(_cpd(NURSES[5], date(2026, 10, 20), "manual"))

    # Stories: one reframing, one applied.
    for cycle, consent in (("reframing", "named"), ("applied", "admins")):
        session.add(ValueStory(team_id=TEAM, author_id=NURSES[0], what_happened="We saw the handover checklist",
                               difference="Night shift now uses it", cycle=cycle, consent=consent, created_at=OCT))


def _cpd(who: str, on: date, source: str) -> CpdEntry:
    return CpdEntry(team_id=TEAM, member_id=who, framework="rcpsc-moc", activity_type="s3-practice-assessment",
                    occurred_on=on, hours=Decimal(1), title="QI audit with feedback", source=source,
                    created_at=datetime.combine(on, datetime.min.time(), UTC))
