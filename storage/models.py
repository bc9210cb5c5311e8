"""The whole domain as SQLAlchemy 2 typed models.

Every domain row carries the Slack `team_id` so one database can serve several workspaces, and
every query filters on it. Free text columns hold only what passed the PHI guard. Status-like
columns are short strings checked in Python (not database enums) so the schema is identical on
SQLite and PostgreSQL and a new status needs no migration.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UtcDateTime

# Explicit constraint names keep Alembic's autogenerate identical on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TEAM = String(32)
USER = String(32)
CHANNEL = String(32)
TS = String(32)
SHORT = String(40)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON, list[str]: JSON, Decimal: Numeric(8, 2)}


# --- members -------------------------------------------------------------------------------------------


class Member(Base):
    """A person in the workspace who has used QI Commons, with their own settings."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    slack_user_id: Mapped[str] = mapped_column(USER)
    profession: Mapped[str | None] = mapped_column(SHORT)
    career_stage: Mapped[str | None] = mapped_column(SHORT)
    cpd_framework: Mapped[str] = mapped_column(SHORT)
    cpd_cycle_start_year: Mapped[int | None]
    cpd_annual_goal: Mapped[Decimal | None]
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    quiet_start: Mapped[time] = mapped_column(Time, default=time(18, 0))
    quiet_end: Mapped[time] = mapped_column(Time, default=time(8, 0))
    name_in_digest_shares: Mapped[bool] = mapped_column(Boolean, default=True)
    name_in_digest_mentoring: Mapped[bool] = mapped_column(Boolean, default=False)
    value_story_asks: Mapped[bool] = mapped_column(Boolean, default=False)  # opted in to the monthly story DM
    do_not_match: Mapped[list[str]] = mapped_column(default=list)
    # May the bot suggest them to others ("they worked on something similar: ask them?").
    suggest_me: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    home_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]


# --- QI projects and updates -------------------------------------------------------------------------


class QiProject(Base):
    __tablename__ = "qi_projects"
    __table_args__ = (UniqueConstraint("team_id", "slug"), Index("ix_qi_projects_team_owner", "team_id", "owner_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    owner_id: Mapped[str] = mapped_column(USER)
    slug: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(150))
    aim: Mapped[str | None] = mapped_column(Text)
    change_ideas: Mapped[str | None] = mapped_column(Text)
    pdsa_stage: Mapped[str] = mapped_column(SHORT, default="plan")
    progress_score: Mapped[Decimal] = mapped_column(Numeric(2, 1), default=Decimal("0.5"))
    status: Mapped[str] = mapped_column(SHORT, default="active")  # active | paused | completed
    tags: Mapped[list[str]] = mapped_column(default=list)
    channel_id: Mapped[str | None] = mapped_column(CHANNEL)
    thread_ts: Mapped[str | None] = mapped_column(TS)  # the project's parent message in the channel
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]

    members: Mapped[list[QiProjectMember]] = relationship(
        back_populates="project", cascade="all, delete-orphan", lazy="selectin")
    measures: Mapped[list[QiMeasure]] = relationship(
        back_populates="project", cascade="all, delete-orphan", lazy="selectin", order_by="QiMeasure.id")


class QiProjectMember(Base):
    __tablename__ = "qi_project_members"
    __table_args__ = (UniqueConstraint("project_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    project_id: Mapped[int] = mapped_column(ForeignKey("qi_projects.id", ondelete="CASCADE"), index=True)
    slack_user_id: Mapped[str] = mapped_column(USER)

    project: Mapped[QiProject] = relationship(back_populates="members")


class QiMeasure(Base):
    __tablename__ = "qi_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    project_id: Mapped[int] = mapped_column(ForeignKey("qi_projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[str] = mapped_column(SHORT)  # outcome | process | balancing
    unit: Mapped[str | None] = mapped_column(String(40))
    direction: Mapped[str | None] = mapped_column(String(4))  # up | down: which way is better; None = not said
    goal: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    baseline_points: Mapped[int | None]  # the centre line frozen on the first k points
    change_on: Mapped[date | None] = mapped_column(Date)  # a change adopted: points from then on are a new part

    project: Mapped[QiProject] = relationship(back_populates="measures")


class MeasureDataPoint(Base):
    __tablename__ = "measure_data_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    measure_id: Mapped[int] = mapped_column(ForeignKey("qi_measures.id", ondelete="CASCADE"), index=True)
    update_id: Mapped[int | None] = mapped_column(ForeignKey("qi_updates.id", ondelete="SET NULL"))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    observed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(USER)
    created_at: Mapped[datetime]


class QiUpdate(Base):
    """One shared update; `post_status` tracks its journey to Slack so nothing is lost."""

    __tablename__ = "qi_updates"
    __table_args__ = (Index("ix_qi_updates_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("qi_projects.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[str | None] = mapped_column(USER)  # None once the author asked to be forgotten
    tried: Mapped[str] = mapped_column(Text)
    learned: Mapped[str | None] = mapped_column(Text)
    pdsa_stage: Mapped[str | None] = mapped_column(SHORT)
    progress_score: Mapped[Decimal | None] = mapped_column(Numeric(2, 1))
    help_wanted: Mapped[str | None] = mapped_column(Text)
    feedback_received: Mapped[bool] = mapped_column(Boolean, default=False)
    post_status: Mapped[str] = mapped_column(SHORT, default="pending")  # pending | posted | failed | deleted
    channel_id: Mapped[str | None] = mapped_column(CHANNEL)
    ts: Mapped[str | None] = mapped_column(TS)
    thread_ts: Mapped[str | None] = mapped_column(TS)
    permalink: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    posted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class Kudos(Base):
    __tablename__ = "kudos"
    __table_args__ = (UniqueConstraint("update_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    update_id: Mapped[int] = mapped_column(ForeignKey("qi_updates.id", ondelete="CASCADE"), index=True)
    slack_user_id: Mapped[str] = mapped_column(USER)
    created_at: Mapped[datetime]


# --- mentorship ---------------------------------------------------------------------------------------


class MentorProfile(Base):
    __tablename__ = "mentor_profiles"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    slack_user_id: Mapped[str] = mapped_column(USER)
    name: Mapped[str | None] = mapped_column(String(120))
    expertise: Mapped[list[str]] = mapped_column(default=list)
    discipline: Mapped[str | None] = mapped_column(SHORT)
    career_stage: Mapped[str | None] = mapped_column(SHORT)
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    formats: Mapped[list[str]] = mapped_column(default=list)  # formal, informal
    modes: Mapped[list[str]] = mapped_column(default=list)  # virtual, in_person
    bio: Mapped[str | None] = mapped_column(Text)
    accepting: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(SHORT, default="self")  # self | roster
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]


class MentorshipRequest(Base):
    __tablename__ = "mentorship_requests"
    __table_args__ = (Index("ix_mentorship_requests_team_status", "team_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    mentee_id: Mapped[str] = mapped_column(USER)
    kind: Mapped[str] = mapped_column(SHORT)  # formal | informal
    topics: Mapped[list[str]] = mapped_column(default=list)
    needs: Mapped[str] = mapped_column(Text)
    goal: Mapped[str | None] = mapped_column(Text)
    cadence: Mapped[str | None] = mapped_column(SHORT)
    mode: Mapped[str | None] = mapped_column(SHORT)
    preferred_discipline: Mapped[str | None] = mapped_column(SHORT)
    preferred_career_stage: Mapped[str | None] = mapped_column(SHORT)
    # shortlisted | offered | matched | claimed | withdrawn | unmatched | escalated
    status: Mapped[str] = mapped_column(SHORT, default="shortlisted")
    widened_at: Mapped[datetime | None]
    escalate_due_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]

    candidates: Mapped[list[MentorshipCandidate]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="MentorshipCandidate.rank")


class MentorshipCandidate(Base):
    """A mentor suggested for a request; each offer, reminder and answer is a timestamp here."""

    __tablename__ = "mentorship_candidates"
    __table_args__ = (UniqueConstraint("request_id", "mentor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    request_id: Mapped[int] = mapped_column(ForeignKey("mentorship_requests.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[str] = mapped_column(USER)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float]
    reasons: Mapped[str] = mapped_column(Text)  # why they fit, as the mentee reads it ("offers your topic")
    # The same reasons as the mentor reads them ("you offer ..."); NULL on rows matched before 0005.
    mentor_reasons: Mapped[str | None] = mapped_column(Text)
    # shortlisted | offered | accepted | declined | expired | claimed | superseded
    status: Mapped[str] = mapped_column(SHORT, default="shortlisted")
    offered_at: Mapped[datetime | None]
    remind_due_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    dm_channel_id: Mapped[str | None] = mapped_column(CHANNEL)
    dm_ts: Mapped[str | None] = mapped_column(TS)

    request: Mapped[MentorshipRequest] = relationship(back_populates="candidates")


class Mentorship(Base):
    __tablename__ = "mentorships"
    __table_args__ = (Index("ix_mentorships_team_status", "team_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("mentorship_requests.id", ondelete="SET NULL"))
    mentor_id: Mapped[str] = mapped_column(USER)
    mentee_id: Mapped[str] = mapped_column(USER)
    kind: Mapped[str] = mapped_column(SHORT)  # formal | informal
    status: Mapped[str] = mapped_column(SHORT, default="active")  # active | ended
    group_channel_id: Mapped[str | None] = mapped_column(CHANNEL)
    started_at: Mapped[datetime]
    last_contact_at: Mapped[datetime | None]
    checkin_due_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(USER)


class MentorshipMessage(Base):
    """A message we posted with the pair's buttons (the kick-off, a check-in), so the end can update it."""

    __tablename__ = "mentorship_messages"
    __table_args__ = (UniqueConstraint("channel_id", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(SHORT)  # kickoff | checkin
    slack_user_id: Mapped[str | None] = mapped_column(USER)  # whose DM a check-in is in; None for the pair's
    channel_id: Mapped[str] = mapped_column(CHANNEL)
    ts: Mapped[str] = mapped_column(TS)


class MentorshipMeeting(Base):
    """A logged meeting or check-in; private notes are shown to their writer only."""

    __tablename__ = "mentorship_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    logged_by: Mapped[str] = mapped_column(USER)
    met_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    topics: Mapped[list[str]] = mapped_column(default=list)
    private_notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class MentorshipFeedback(Base):
    __tablename__ = "mentorship_feedback"
    __table_args__ = (UniqueConstraint("mentorship_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(USER)
    fit: Mapped[int | None] = mapped_column(Integer)
    goals_met: Mapped[str | None] = mapped_column(SHORT)  # yes | partly | no
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Nudge(Base):
    """A DM we owe someone at a due time; the sweep sends it once (unique key) within their hours."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("team_id", "slack_user_id", "kind", "subject_key"),
        Index("ix_nudges_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    slack_user_id: Mapped[str] = mapped_column(USER)
    kind: Mapped[str] = mapped_column(SHORT)
    subject_key: Mapped[str] = mapped_column(String(80))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(SHORT, default="due")  # due | sent | cancelled
    sent_at: Mapped[datetime | None]


# --- CPD ----------------------------------------------------------------------------------------------


class CpdEntry(Base):
    """One CPD activity. Credits are never stored: they are computed from the rules in force."""

    __tablename__ = "cpd_entries"
    __table_args__ = (
        Index("ix_cpd_entries_team_member_date", "team_id", "member_id", "occurred_on"),
        Index("ix_cpd_entries_team_created", "team_id", "created_at"),  # the digest's weekly totals
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    member_id: Mapped[str] = mapped_column(USER)
    framework: Mapped[str] = mapped_column(SHORT)
    activity_type: Mapped[str] = mapped_column(String(60))
    occurred_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    title: Mapped[str] = mapped_column(String(200))
    reflection_learned: Mapped[str | None] = mapped_column(Text)
    reflection_change: Mapped[str | None] = mapped_column(Text)
    reflection_further: Mapped[str | None] = mapped_column(Text)
    qi_project_id: Mapped[int | None] = mapped_column(ForeignKey("qi_projects.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(SHORT, default="manual")  # manual | quick | qi_update | mentoring
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]


# --- value stories -------------------------------------------------------------------------------------


class ValueStory(Base):
    """A member's own account of a difference QI Commons made to their work (Wenger, Trayner & de Laat 2011).

    `consent` is who may read it: `named` (anyone, with their name), `anonymous` (anyone, without it) or
    `admins` (the admins' report only). Forget-me deletes a member's stories.
    """

    __tablename__ = "value_stories"
    __table_args__ = (Index("ix_value_stories_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    author_id: Mapped[str] = mapped_column(USER)
    what_happened: Mapped[str] = mapped_column(Text)
    difference: Mapped[str] = mapped_column(Text)
    cycle: Mapped[str] = mapped_column(SHORT)  # immediate | potential | applied | realized | reframing
    consent: Mapped[str] = mapped_column(SHORT)  # named | anonymous | admins
    created_at: Mapped[datetime]


# --- scheduling, delivery and bookkeeping -------------------------------------------------------------


class ScheduledPost(Base):
    """A claim on one scheduled post: the unique key is what makes restarts and replicas post once."""

    __tablename__ = "scheduled_posts"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    channel_id: Mapped[str] = mapped_column(CHANNEL)
    kind: Mapped[str] = mapped_column(SHORT)
    period: Mapped[str] = mapped_column(SHORT)  # e.g. 2026-W48
    status: Mapped[str] = mapped_column(SHORT, default="claimed")  # claimed | posted | failed | skipped
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # e.g. the prompt id posted
    ts: Mapped[str | None] = mapped_column(TS)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime]
    posted_at: Mapped[datetime | None]


class ScheduleControl(Base):
    """Admins' pauses and skip dates for one scheduled job."""

    __tablename__ = "schedule_controls"
    __table_args__ = (UniqueConstraint("team_id", "job"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    job: Mapped[str] = mapped_column(SHORT)
    paused_until: Mapped[date | None] = mapped_column(Date)
    skip_dates: Mapped[list[str]] = mapped_column(default=list)  # ISO dates
    skip_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str | None] = mapped_column(USER)
    updated_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A Slack call we owe. Written before the call; retried by the sweep until it goes through."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),
                      Index("ix_outbox_channel_status", "channel_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    method: Mapped[str] = mapped_column(SHORT)
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    channel_id: Mapped[str | None] = mapped_column(CHANNEL)  # args["channel"], so posts keep their order
    # Set when an attempt starts and cleared by a clear answer from Slack: a row found with it set may
    # have been posted (the process died, or the call timed out) and is looked up before posting again.
    in_flight_since: Mapped[datetime | None]
    leased_until: Mapped[datetime | None]  # an attempt holds the row until then (a dead process's lapses)
    copies: Mapped[list[str] | None] = mapped_column(JSON)  # ts of every message this row posted
    purpose: Mapped[str | None] = mapped_column(SHORT)  # names the follow-up once sent, e.g. qi_update
    subject_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(SHORT, default="pending")  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Workspace(Base):
    """The workspace (or Enterprise Grid org) the app is installed in, and whether Slack still lets us in.

    Written when Slack says the app was uninstalled or its token revoked, and when a start-up's
    auth.test shows a working token again (a reinstall): while it is not active nothing is sent.
    """

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    status: Mapped[str] = mapped_column(SHORT)  # active | uninstalled | tokens_revoked
    changed_at: Mapped[datetime]


class ChartSignal(Base):
    """A run-chart signal on a measure, kept so each is announced once (and the digest can list the week's)."""

    __tablename__ = "chart_signals"
    __table_args__ = (UniqueConstraint("measure_id", "rule", "first_on"), Index("ix_chart_signals_team_found", "team_id", "found_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    measure_id: Mapped[int] = mapped_column(ForeignKey("qi_measures.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(SHORT)  # longest_run | shift | trend | outside_limits
    verdict: Mapped[str] = mapped_column(SHORT)  # improvement | deterioration
    first_on: Mapped[date] = mapped_column(Date)  # its first point: the same signal growing is not a new one
    last_on: Mapped[date] = mapped_column(Date)
    points: Mapped[int]
    found_at: Mapped[datetime]


class ChartAnnotation(Base):
    """A note on a project's run charts (a PDSA cycle, a new form, a staffing change): a marker on every
    measure's chart at the first point on or after its date. One a project a day; the owner writes them."""

    __tablename__ = "chart_annotations"
    __table_args__ = (UniqueConstraint("project_id", "noted_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    project_id: Mapped[int] = mapped_column(ForeignKey("qi_projects.id", ondelete="CASCADE"))
    noted_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(String(200))
    written_by: Mapped[str] = mapped_column(USER)  # who wrote the current words (forget-me removes theirs)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SearchDocument(Base):
    """One searchable thing (a project, an update, a mentor profile, a value story) as its words' stems.

    Only what everyone in the team may read is here: a deleted update, a forgotten member's words or a
    story its author keeps private has no row. The stems are made in Python (bot/search/words.py), so
    both databases index the same words; the full-text index over them is backend-specific and kept in
    step by the database itself in the same transaction (migration 0009: an FTS5 table with triggers on
    SQLite, a generated tsvector column with a GIN index on PostgreSQL).
    """

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("team_id", "kind", "ref_id"),
                      Index("ix_search_documents_team_kind_at", "team_id", "kind", "happened_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    kind: Mapped[str] = mapped_column(SHORT)  # project | update | mentor | story
    ref_id: Mapped[int]  # the id of the row it describes, in the table its kind names
    project_id: Mapped[int | None] = mapped_column(ForeignKey("qi_projects.id", ondelete="CASCADE"))
    owner_id: Mapped[str | None] = mapped_column(USER)  # whose work it is: the person a connection suggests
    title_terms: Mapped[str] = mapped_column(Text, default="")
    topic_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    happened_at: Mapped[datetime]


# The full-text index each database builds over search_documents (migration 0009) is not in these models:
# SQLite's FTS5 table (and the shadow tables FTS5 keeps), PostgreSQL's tsvector column and its GIN index.
FULL_TEXT_TABLES = "search_fts"  # a prefix: search_fts, search_fts_data, search_fts_idx, ...
FULL_TEXT_COLUMNS = ("search_vector",)
FULL_TEXT_INDEXES = ("ix_search_documents_vector",)


def is_full_text_internal(name: str | None, type_: str) -> bool:
    """For Alembic's include_object: the backend's own full-text index, which autogenerate must leave alone."""
    name = name or ""
    return ((type_ == "table" and name.startswith(FULL_TEXT_TABLES)) or (type_ == "column" and name in FULL_TEXT_COLUMNS)
            or (type_ == "index" and name in FULL_TEXT_INDEXES))


class ConnectionSuggestion(Base):
    """Someone we suggested asking about a project or a mentor request: nobody is suggested twice for it."""

    __tablename__ = "connection_suggestions"
    __table_args__ = (UniqueConstraint("team_id", "subject", "suggested_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    subject: Mapped[str] = mapped_column(SHORT)  # qi_project:ID or mentorship_request:ID
    suggested_id: Mapped[str] = mapped_column(USER)
    because_project_id: Mapped[int | None] = mapped_column(ForeignKey("qi_projects.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class ProcessedEvent(Base):
    """Slack event ids we have taken on, so a retried delivery does nothing twice."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    event_type: Mapped[str] = mapped_column(SHORT)
    received_at: Mapped[datetime]


class SeenRequest(Base):
    """Signatures of the requests we have taken, so one replayed byte for byte does nothing twice.

    Kept only as long as Slack's five-minute timestamp window could still accept the same request.
    """

    __tablename__ = "seen_requests"

    signature: Mapped[str] = mapped_column(String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class AuditLog(Base):
    """Who did what to which kind of thing; never the content itself."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_created", "team_id", "created_at"),
                      # The value report counts actions by kind over a period, and who did them: read from
                      # this index alone (bot/report/queries.py, bench/value_report.py).
                      Index("ix_audit_log_team_action_created", "team_id", "action", "created_at", "actor_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    actor_id: Mapped[str | None] = mapped_column(USER)
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
