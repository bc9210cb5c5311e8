"""A member's data rights: what we hold about them, a copy of it, and forgetting them.

Everything here is scoped by team AND member. The export holds the member's own data only: their
profile, the projects they own or are on, their updates, CPD entries and mentoring records, and of
the private meeting notes only those they wrote themselves (a mentor's notes are never the
mentee's to take, and the other way round).

Forgetting deletes what is theirs alone and strips their name and words from what they shared:
projects with a team stay with the team, with ownership handed to a teammate; their updates keep
their place in a project's history (counts, dates) but lose their text and author, the bot's
channel messages of them and the data-export files sent to them are deleted through the outbox,
and the outbox's own copies of what was posted for or about them are blanked. What the programme
counts (requests, mentorships, meetings, the audit trail) stays, under a pseudonym made for this
forgetting alone: nothing left in the database holds their Slack id or their words.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.audit import record
from bot.core.runtime import Runtime
from bot.mentoring import requests as mentoring
from bot.search import index as search_index
from bot.sharing.projects import ProjectView, get_project, project_view, projects_of
from bot.sharing.updates import PARENT_POST, UPDATE_POST
from storage.models import (
    AuditLog,
    ChartAnnotation,
    ConnectionSuggestion,
    CpdEntry,
    Kudos,
    MeasureDataPoint,
    Member,
    MentorProfile,
    Mentorship,
    MentorshipCandidate,
    MentorshipFeedback,
    MentorshipMeeting,
    MentorshipRequest,
    Nudge,
    OutboxMessage,
    QiProjectMember,
    QiUpdate,
    ScheduleControl,
    ValueStory,
)

FORGET_DELETE = "forget_me_delete"
PARTNER_LEFT = "mentorship_partner_left"
# Renders the DM to the other person of a mentorship that forgetting ended: (they were the mentee) -> text.
PartnerLeftText = Callable[[bool], str]
# Renders a project's card (bot.sharing.publishing.Renderers.parent): a team's card still waiting to be
# posted is redrawn without them.
CardRenderer = Callable[[ProjectView], dict[str, Any]]
EXPORT_FORMAT = "qi-commons-member-export/1"
EXPORT_SENT = "privacy.export_sent"  # the audit row naming the file an export was uploaded as
# Who a forgotten member's remaining rows belong to: random, one per forgetting, so the programme's
# counts still add up and nothing leads back to the person (a hash of the id could be reversed).
PSEUDONYM_PREFIX = "forgotten-"
# The only text left of a forgotten member's update: it keeps its place in the project's history.
REMOVED = "(removed at the author's request)"


@dataclass(frozen=True)
class StoredCounts:
    """How much we hold about a member, for `/qi-commons privacy` and the forget-me confirmation."""

    profile: bool
    projects_owned: int
    projects_joined: int
    updates: int
    cpd_entries: int
    mentor_profile: bool
    mentor_requests: int
    mentorships: int
    meeting_notes: int
    feedback: int


@dataclass(frozen=True)
class ChannelMessage:
    channel_id: str
    ts: str


@dataclass(frozen=True)
class EndedPairing:
    mentorship_id: int
    other_id: str  # the mentor or mentee who stays
    other_is_mentee: bool


@dataclass
class ForgetResult:
    counts: Counter[str] = field(default_factory=Counter)
    messages: list[ChannelMessage] = field(default_factory=list)  # bot posts of their updates and solo projects
    withdrawn: list[mentoring.Withdrawn] = field(default_factory=list)  # their requests, for the offer DMs
    handed_on: list[mentoring.Handoff] = field(default_factory=list)  # offers to them, passed to the next mentor
    kept_projects: list[int] = field(default_factory=list)  # team projects whose card now lacks their name
    kudos_updates: list[int] = field(default_factory=list)  # updates whose kudos count went down
    teammates: set[str] = field(default_factory=set)  # people whose Home shows something that changed
    partners_left: list[EndedPairing] = field(default_factory=list)  # active mentorships forgetting ended
    export_files: list[str] = field(default_factory=list)  # Slack file ids of the exports sent to their DM
    outbox_ids: list[int] = field(default_factory=list)  # the Slack calls it queued (deletions, DMs), to send


def _plain(value: Any) -> Any:
    """JSON-friendly: dates as ISO text, decimals as numbers written exactly."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _row(obj: Any, *names: str) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


# --- counts ----------------------------------------------------------------------------------------


async def _count(session: AsyncSession, model: Any, *where: Any) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def stored_counts(session: AsyncSession, team_id: str, user_id: str) -> StoredCounts:
    projects = await projects_of(session, team_id, user_id)
    owned = sum(1 for p in projects if p.owner_id == user_id)
    mentorships = await _mentorships(session, team_id, user_id)
    return StoredCounts(
        profile=await _count(session, Member, Member.team_id == team_id, Member.slack_user_id == user_id) > 0,
        projects_owned=owned,
        projects_joined=len(projects) - owned,
        updates=await _count(session, QiUpdate, QiUpdate.team_id == team_id, QiUpdate.author_id == user_id),
        cpd_entries=await _count(session, CpdEntry, CpdEntry.team_id == team_id, CpdEntry.member_id == user_id),
        mentor_profile=await _count(session, MentorProfile, MentorProfile.team_id == team_id,
                                    MentorProfile.slack_user_id == user_id) > 0,
        mentor_requests=await _count(session, MentorshipRequest, MentorshipRequest.team_id == team_id,
                                     MentorshipRequest.mentee_id == user_id),
        mentorships=len(mentorships),
        meeting_notes=await _count(session, MentorshipMeeting, MentorshipMeeting.team_id == team_id,
                                   MentorshipMeeting.logged_by == user_id,
                                   MentorshipMeeting.private_notes.is_not(None)),
        feedback=await _count(session, MentorshipFeedback, MentorshipFeedback.team_id == team_id,
                              MentorshipFeedback.slack_user_id == user_id),
    )


async def _mentorships(session: AsyncSession, team_id: str, user_id: str) -> list[Mentorship]:
    return list((await session.scalars(select(Mentorship).where(
        Mentorship.team_id == team_id, or_(Mentorship.mentor_id == user_id, Mentorship.mentee_id == user_id))
        .order_by(Mentorship.id))).all())


# --- export ----------------------------------------------------------------------------------------


async def _export_projects(session: AsyncSession, team_id: str, user_id: str) -> list[dict[str, Any]]:
    exported = []
    for project in await projects_of(session, team_id, user_id):
        measures = []
        for measure in project.measures:
            points = (await session.scalars(select(MeasureDataPoint).where(
                MeasureDataPoint.team_id == team_id, MeasureDataPoint.measure_id == measure.id)
                .order_by(MeasureDataPoint.observed_on, MeasureDataPoint.id))).all()
            measures.append({**_row(measure, "name", "kind", "unit"),
                             "data_points": [_row(p, "value", "observed_on") for p in points]})
        exported.append({
            **_row(project, "id", "title", "aim", "change_ideas", "pdsa_stage", "progress_score", "status", "tags",
                   "created_at", "updated_at"),
            "role": "owner" if project.owner_id == user_id else "team member",
            "measures": measures,
            "chart_notes": [_row(n, "noted_on", "text") for n in (await session.scalars(select(ChartAnnotation).where(
                ChartAnnotation.team_id == team_id, ChartAnnotation.project_id == project.id)
                .order_by(ChartAnnotation.noted_on))).all()],
        })
    return exported


async def _export_mentoring(session: AsyncSession, team_id: str, user_id: str) -> dict[str, Any]:
    requests = (await session.scalars(select(MentorshipRequest).where(
        MentorshipRequest.team_id == team_id, MentorshipRequest.mentee_id == user_id)
        .order_by(MentorshipRequest.id))).all()
    offers = (await session.scalars(select(MentorshipCandidate).where(
        MentorshipCandidate.team_id == team_id, MentorshipCandidate.mentor_id == user_id)
        .order_by(MentorshipCandidate.id))).all()
    mentorships = []
    for m in await _mentorships(session, team_id, user_id):
        meetings = (await session.scalars(select(MentorshipMeeting).where(
            MentorshipMeeting.team_id == team_id, MentorshipMeeting.mentorship_id == m.id)
            .order_by(MentorshipMeeting.met_on, MentorshipMeeting.id))).all()
        mine = m.mentor_id == user_id
        mentorships.append({
            **_row(m, "id", "kind", "status", "started_at", "last_contact_at", "checkin_due_at", "ended_at"),
            "role": "mentor" if mine else "mentee",
            "with": m.mentee_id if mine else m.mentor_id,
            "meetings": [
                {**_row(meeting, "met_on", "minutes", "topics"), "logged_by_me": meeting.logged_by == user_id,
                 # Private notes are their writer's alone.
                 **({"private_notes": meeting.private_notes} if meeting.logged_by == user_id else {})}
                for meeting in meetings],
        })
    feedback = (await session.scalars(select(MentorshipFeedback).where(
        MentorshipFeedback.team_id == team_id, MentorshipFeedback.slack_user_id == user_id)
        .order_by(MentorshipFeedback.id))).all()
    profile = await session.scalar(select(MentorProfile).where(MentorProfile.team_id == team_id,
                                                               MentorProfile.slack_user_id == user_id))
    return {
        "mentor_profile": _row(profile, "name", "expertise", "discipline", "career_stage", "capacity", "formats",
                               "modes", "bio", "accepting", "created_at", "updated_at") if profile else None,
        "requests_i_made": [_row(r, "id", "kind", "topics", "needs", "goal", "cadence", "mode",
                                 "preferred_discipline", "preferred_career_stage", "status", "created_at")
                            for r in requests],
        # What was asked of them as a mentor, and their own answers (not the mentee's words).
        "offers_to_me": [_row(c, "request_id", "status", "offered_at", "responded_at", "decline_reason")
                         for c in offers],
        "mentorships": mentorships,
        "my_feedback": [_row(f, "mentorship_id", "fit", "goals_met", "comment", "created_at") for f in feedback],
    }


async def what_we_hold(runtime: Runtime, team_id: str, user_id: str) -> StoredCounts:
    """How much we hold about the member, for `/qi-commons privacy` and the forget-me confirmation."""
    async with runtime.db.session() as session:
        return await stored_counts(session, team_id, user_id)


async def export(runtime: Runtime, team_id: str, user_id: str) -> dict[str, Any]:
    """Everything we hold about the member, as JSON-friendly data, with an audit row saying they took it."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        data = await export_member_data(session, team_id, user_id, now)
        record(session, team_id=team_id, actor_id=user_id, action="privacy.export", at=now, subject=f"member:{user_id}")
    return data


async def export_sent(runtime: Runtime, team_id: str, user_id: str, file_ids: list[str]) -> None:
    """Remember the files an export was uploaded as (audited: who, which file), so forgetting deletes them."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        for file_id in file_ids:
            record(session, team_id=team_id, actor_id=user_id, action=EXPORT_SENT, at=now, subject=f"file:{file_id}")


async def export_member_data(session: AsyncSession, team_id: str, user_id: str, now: datetime) -> dict[str, Any]:
    member = await session.scalar(select(Member).where(Member.team_id == team_id, Member.slack_user_id == user_id))
    updates = (await session.scalars(select(QiUpdate).where(QiUpdate.team_id == team_id,
                                                            QiUpdate.author_id == user_id)
                                     .order_by(QiUpdate.created_at, QiUpdate.id))).all()
    entries = (await session.scalars(select(CpdEntry).where(CpdEntry.team_id == team_id,
                                                            CpdEntry.member_id == user_id)
                                     .order_by(CpdEntry.occurred_on, CpdEntry.id))).all()
    stories = (await session.scalars(select(ValueStory).where(ValueStory.team_id == team_id,
                                                              ValueStory.author_id == user_id)
                                     .order_by(ValueStory.created_at, ValueStory.id))).all()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "team_id": team_id,
        "slack_user_id": user_id,
        "profile": _row(member, "profession", "career_stage", "cpd_framework",
                        "cpd_cycle_start_year", "cpd_annual_goal", "timezone", "reminders_enabled", "quiet_start",
                        "quiet_end", "name_in_digest_shares", "name_in_digest_mentoring", "value_story_asks",
                        "do_not_match", "created_at", "updated_at") if member else None,
        "projects": await _export_projects(session, team_id, user_id),
        "updates": [_row(u, "id", "project_id", "tried", "learned", "pdsa_stage", "progress_score", "help_wanted",
                         "feedback_received", "post_status", "permalink", "created_at", "updated_at")
                    for u in updates],
        "cpd_entries": [_row(e, "id", "framework", "activity_type", "occurred_on", "hours", "quantity", "title",
                             "reflection_learned", "reflection_change", "reflection_further", "qi_project_id",
                             "source", "created_at", "updated_at") for e in entries],
        "mentoring": await _export_mentoring(session, team_id, user_id),
        "value_stories": [_row(s, "id", "what_happened", "difference", "cycle", "consent", "created_at")
                          for s in stories],
    }


# --- forget ----------------------------------------------------------------------------------------


# Outbox rows keep a copy of what they post (and Slack's answer): a forgotten member's words must
# not outlive them there. Purposes of the mentoring DMs that quote a mentee's request
# (handlers/mentoring/notify.py and jobs.py name them; the subject is the candidate or request id).
MENTOR_DMS_BY_CANDIDATE = ("mentor_offer", "mentor_reminder", "mentor_offer_update")
MENTOR_DMS_BY_REQUEST = ("mentoring_escalation",)
MENTOR_DMS_BY_MENTORSHIP = ("mentorship_kickoff",)


def _about(purposes: tuple[str, ...] | str, subject_ids: Any) -> Any:
    purposes = (purposes,) if isinstance(purposes, str) else purposes
    return OutboxMessage.purpose.in_(purposes) & OutboxMessage.subject_id.in_(subject_ids)


def _updating(timestamps: list[str]) -> Any:
    """Edits of those messages (kudos counts, edited text): chat.update rows name the message by ts."""
    return (OutboxMessage.method == "chat.update") & OutboxMessage.args["ts"].as_string().in_(timestamps)


CANCELLED = "cancelled: its author asked to be forgotten"


async def _scrub_outbox(session: AsyncSession, team_id: str, rows: Any) -> None:
    """Blank the matching rows' copies and never send what is still pending. A pending chat.delete
    keeps its arguments: it is what takes their words off Slack."""
    rows = (OutboxMessage.team_id == team_id) & (OutboxMessage.method != "chat.delete") & rows
    await session.execute(update(OutboxMessage).where(rows, OutboxMessage.status == "pending")
                          .values(status="dead", last_error=CANCELLED))
    await session.execute(update(OutboxMessage).where(rows).values(args={}, result=None, channel_id=None))


async def _forget_updates(session: AsyncSession, team_id: str, user_id: str, result: ForgetResult,
                          now: datetime) -> None:
    updates = (await session.scalars(select(QiUpdate).where(QiUpdate.team_id == team_id,
                                                            QiUpdate.author_id == user_id))).all()
    for u in updates:
        if u.post_status == "posted" and u.channel_id and u.ts:
            result.messages.append(ChannelMessage(u.channel_id, u.ts))
        u.tried, u.learned, u.help_wanted = REMOVED, None, None
        u.author_id, u.post_status, u.permalink, u.updated_at = None, "deleted", None, now
    result.counts["updates"] = len(updates)
    await _scrub_outbox(session, team_id, _about(UPDATE_POST, [u.id for u in updates])
                        | _updating([u.ts for u in updates if u.ts]))
    mine = (Kudos.team_id == team_id) & (Kudos.slack_user_id == user_id)
    result.kudos_updates = list((await session.scalars(select(Kudos.update_id).where(mine))).all())
    await session.execute(delete(Kudos).where(mine))
    result.counts["kudos"] = len(result.kudos_updates)


async def _forget_projects(session: AsyncSession, team_id: str, user_id: str, result: ForgetResult) -> None:
    for project in await projects_of(session, team_id, user_id):
        teammates = [m.slack_user_id for m in sorted(project.members, key=lambda m: m.id)
                     if m.slack_user_id != user_id]
        result.teammates.update(teammates)
        if project.owner_id != user_id:
            result.kept_projects.append(project.id)
            continue
        others_posted = await _count(session, QiUpdate, QiUpdate.project_id == project.id,
                                     QiUpdate.author_id.is_not(None), QiUpdate.author_id != user_id)
        if teammates or others_posted:
            # The team's work stays with the team: the longest-standing teammate takes over, or nobody
            # does (the card then says "a former member") when only non-members ever posted to it.
            project.owner_id = teammates[0] if teammates else ""
            result.kept_projects.append(project.id)
            result.counts["projects handed to the team"] += 1
            continue
        if project.channel_id and project.thread_ts:
            result.messages.append(ChannelMessage(project.channel_id, project.thread_ts))
            await _scrub_outbox(session, team_id, _updating([project.thread_ts]))
        await _scrub_outbox(session, team_id, _about(PARENT_POST, [project.id]))
        await session.delete(project)
        result.counts["projects deleted"] += 1
    left = await session.execute(delete(QiProjectMember).where(QiProjectMember.team_id == team_id,
                                                               QiProjectMember.slack_user_id == user_id))
    result.counts["project memberships"] = left.rowcount or 0
    # Data points stay with the project's measures; only who recorded them goes.
    await session.execute(update(MeasureDataPoint).where(MeasureDataPoint.team_id == team_id,
                                                         MeasureDataPoint.recorded_by == user_id)
                          .values(recorded_by=""))
    # Notes on a team's charts are their words: they go (the points they mark stay).
    notes = await session.execute(delete(ChartAnnotation).where(ChartAnnotation.team_id == team_id,
                                                                ChartAnnotation.written_by == user_id))
    result.counts["chart notes"] = notes.rowcount or 0


async def _forget_mentoring(session: AsyncSession, team_id: str, user_id: str, result: ForgetResult,
                            now: datetime) -> None:
    # `forget` withdrew their open requests and passed their open offers on first; a request or offer
    # that opened meanwhile is closed here without ceremony.
    await session.execute(update(MentorshipRequest).where(
        MentorshipRequest.team_id == team_id, MentorshipRequest.mentee_id == user_id,
        MentorshipRequest.status.in_(mentoring.OPEN_STATUSES)).values(status="withdrawn"))
    await session.execute(update(MentorshipCandidate).where(
        MentorshipCandidate.team_id == team_id, MentorshipCandidate.mentor_id == user_id,
        MentorshipCandidate.status.in_(("shortlisted", "offered"))).values(status="superseded"))
    # Their words in every request they made go; the request's outcome stays for the programme's counts.
    theirs = (MentorshipRequest.team_id == team_id) & (MentorshipRequest.mentee_id == user_id)
    result.counts["mentor requests kept anonymously"] = await _count(session, MentorshipRequest, theirs)
    await session.execute(update(MentorshipRequest).where(theirs).values(needs="", goal=None, topics=[],
                                                                         updated_at=now))
    # Their answers as a mentor, and where their offer DMs were (their DM channel leads back to them).
    await session.execute(update(MentorshipCandidate).where(
        MentorshipCandidate.team_id == team_id, MentorshipCandidate.mentor_id == user_id)
        .values(decline_reason=None, dm_channel_id=None, dm_ts=None))
    request_ids = select(MentorshipRequest.id).where(theirs)
    # The withdrawals' own updates stay pending: they replace the mentors' copies of the request with
    # "withdrew this request", so they are what takes the mentee's words off Slack.
    closing = [outbox_id for withdrawn in result.withdrawn for outbox_id in withdrawn.queued]
    await _scrub_outbox(session, team_id, OutboxMessage.id.not_in(closing) & (
                        _about(MENTOR_DMS_BY_REQUEST, request_ids)
                        | _about(MENTOR_DMS_BY_CANDIDATE, select(MentorshipCandidate.id).where(
                            MentorshipCandidate.request_id.in_(request_ids)))
                        | _about(MENTOR_DMS_BY_MENTORSHIP, select(Mentorship.id).where(
                            Mentorship.team_id == team_id, Mentorship.mentee_id == user_id))))
    for m in await _mentorships(session, team_id, user_id):
        result.counts["mentorships kept anonymously"] += 1
        result.teammates.add(m.mentee_id if m.mentor_id == user_id else m.mentor_id)
        if m.status == "active":
            m.status, m.ended_at, m.ended_by = "ended", now, user_id
            result.counts["mentorships ended"] += 1
            result.partners_left.append(EndedPairing(m.id, m.mentee_id if m.mentor_id == user_id else m.mentor_id,
                                                     other_is_mentee=m.mentor_id == user_id))
    notes = await session.execute(update(MentorshipMeeting).where(
        MentorshipMeeting.team_id == team_id, MentorshipMeeting.logged_by == user_id,
        MentorshipMeeting.private_notes.is_not(None)).values(private_notes=None))
    result.counts["private notes"] = notes.rowcount or 0
    # The meetings they logged stay in the pair's history (date, length); what was discussed goes.
    await session.execute(update(MentorshipMeeting).where(
        MentorshipMeeting.team_id == team_id, MentorshipMeeting.logged_by == user_id).values(topics=[]))
    comments = await session.execute(update(MentorshipFeedback).where(
        MentorshipFeedback.team_id == team_id, MentorshipFeedback.slack_user_id == user_id,
        MentorshipFeedback.comment.is_not(None)).values(comment=None))
    result.counts["feedback comments"] = comments.rowcount or 0
    profile = await session.execute(delete(MentorProfile).where(MentorProfile.team_id == team_id,
                                                                MentorProfile.slack_user_id == user_id))
    result.counts["mentor profile"] = profile.rowcount or 0


async def _forget_in_search(session: AsyncSession, team_id: str, user_id: str, result: ForgetResult) -> None:
    """Nothing of theirs is found any more, and nobody is pointed to them: their documents go (their
    blanked updates, their profile, their solo projects went with the rows), the team projects they handed
    on are found under the new owner, and the suggestions of them to others are deleted."""
    await search_index.drop_owner(session, team_id, user_id)
    for project_id in result.kept_projects:
        project = await get_project(session, team_id, project_id)
        if project is not None:
            await search_index.index_project(session, project)
    await session.execute(delete(ConnectionSuggestion).where(ConnectionSuggestion.team_id == team_id,
                                                             ConnectionSuggestion.suggested_id == user_id))
    await search_index.purge_dropped_words(session)


def new_pseudonym() -> str:
    return PSEUDONYM_PREFIX + secrets.token_hex(8)


def _naming(user_id: str) -> re.Pattern[str]:
    """Their id as a whole token: U0MEMBER1 must not match inside U0MEMBER10."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(user_id)}(?![A-Za-z0-9])")


def _holds(column: Any, user_id: str) -> Any:
    """A cheap first pass in SQL over a JSON or text column; `_naming` decides."""
    return cast(column, String).contains(user_id, autoescape=True)


async def _redraw_waiting_cards(session: AsyncSession, team_id: str, result: ForgetResult,
                                render_card: CardRenderer) -> None:
    """A kept project's card that Slack has not taken yet is redrawn without them, not cancelled: the
    team's updates wait for it to open their thread."""
    rows = (await session.scalars(select(OutboxMessage).where(
        OutboxMessage.team_id == team_id, OutboxMessage.purpose == PARENT_POST, OutboxMessage.status == "pending",
        OutboxMessage.subject_id.in_(result.kept_projects)))).all()
    for row in rows:
        project = await get_project(session, team_id, row.subject_id)
        if project is not None:
            await session.refresh(project, ["members"])  # their membership was deleted in bulk
            row.args = {**row.args, **render_card(project_view(project))}


async def _outbox_naming_them(session: AsyncSession, team_id: str, user_id: str, keep: set[int]) -> None:
    """Every other outbox row that still names them (a DM to them, a card or offer quoting them): its
    copy is blanked and, if pending, it is never sent. `keep` are the calls that close their requests and
    pass their offers on: they must still go out, and name nobody (handlers/privacy/actions.py)."""
    naming = _naming(user_id)
    rows = (await session.scalars(select(OutboxMessage).where(
        OutboxMessage.team_id == team_id, OutboxMessage.method != "chat.delete",
        or_(OutboxMessage.channel_id == user_id, _holds(OutboxMessage.args, user_id),
            _holds(OutboxMessage.result, user_id))))).all()
    for row in rows:
        if row.id in keep or not naming.search(json.dumps([row.channel_id, row.args, row.result])):
            continue
        if row.status == "pending":
            row.status, row.last_error = "dead", CANCELLED
        row.args, row.result, row.channel_id = {}, None, None


async def _pseudonymise(session: AsyncSession, team_id: str, user_id: str, pseudonym: str) -> None:
    """What the programme counts stays, under the pseudonym: their words in it went before this runs."""
    for column in (MentorshipRequest.mentee_id, MentorshipCandidate.mentor_id, Mentorship.mentor_id,
                   Mentorship.mentee_id, Mentorship.ended_by, MentorshipMeeting.logged_by,
                   MentorshipFeedback.slack_user_id, ScheduleControl.updated_by, AuditLog.actor_id):
        model = column.class_
        await session.execute(update(model).where(model.team_id == team_id, column == user_id)
                              .values({column.key: pseudonym}))
    naming = _naming(user_id)
    # The audit trail keeps who did what, as the pseudonym: "member:U…" subjects, ids in details.
    for row in (await session.scalars(select(AuditLog).where(
            AuditLog.team_id == team_id, or_(_holds(AuditLog.subject, user_id), _holds(AuditLog.detail, user_id))))).all():
        row.subject = naming.sub(pseudonym, row.subject) if row.subject else row.subject
        row.detail = json.loads(naming.sub(pseudonym, json.dumps(row.detail)))
    # Other members' "never match me with" lists drop them: there is nobody left to avoid.
    for member in (await session.scalars(select(Member).where(
            Member.team_id == team_id, _holds(Member.do_not_match, user_id)))).all():
        member.do_not_match = [other for other in member.do_not_match if other != user_id]


async def _forget_rows(session: AsyncSession, team_id: str, user_id: str, now: datetime,
                       result: ForgetResult, render_card: CardRenderer) -> None:
    result.export_files = [subject.removeprefix("file:") for subject in (await session.scalars(
        select(AuditLog.subject).where(AuditLog.team_id == team_id, AuditLog.actor_id == user_id,
                                       AuditLog.action == EXPORT_SENT, AuditLog.subject.is_not(None)))).all()]
    await _forget_updates(session, team_id, user_id, result, now)
    await _forget_projects(session, team_id, user_id, result)
    await _forget_mentoring(session, team_id, user_id, result, now)
    await _forget_in_search(session, team_id, user_id, result)
    # DMs and ephemeral messages to them (shortlists, CPD offers, reminders) quote what they wrote.
    await _scrub_outbox(session, team_id, (OutboxMessage.args["channel"].as_string() == user_id)
                        | (OutboxMessage.args["user"].as_string() == user_id))
    entries = await session.execute(delete(CpdEntry).where(CpdEntry.team_id == team_id,
                                                           CpdEntry.member_id == user_id))
    result.counts["cpd entries"] = entries.rowcount or 0
    # Their value stories are their words: deleted. The report's counts of them go with them; the audit
    # row that a story was told stays, under the pseudonym, as every other action does.
    stories = await session.execute(delete(ValueStory).where(ValueStory.team_id == team_id,
                                                             ValueStory.author_id == user_id))
    result.counts["value stories"] = stories.rowcount or 0
    nudges = await session.execute(delete(Nudge).where(Nudge.team_id == team_id, Nudge.slack_user_id == user_id))
    result.counts["reminders"] = nudges.rowcount or 0
    profile = await session.execute(delete(Member).where(Member.team_id == team_id, Member.slack_user_id == user_id))
    result.counts["profile and settings"] = profile.rowcount or 0
    result.teammates.discard(user_id)
    await _redraw_waiting_cards(session, team_id, result, render_card)
    await _outbox_naming_them(session, team_id, user_id,
                              keep={outbox_id for withdrawn in result.withdrawn for outbox_id in withdrawn.queued}
                              | {outbox_id for handoff in result.handed_on for outbox_id in handoff.queued})


async def forget(runtime: Runtime, team_id: str, user_id: str, *, partner_left_text: PartnerLeftText,
                 render_card: CardRenderer,
                 announce_withdrawal: mentoring.Announce[mentoring.Withdrawn] | None = None,
                 announce_handoff: mentoring.Announce[mentoring.Handoff] | None = None) -> ForgetResult:
    """Forget a member who confirmed it: mentoring first (through its own services, so mentors are told
    and offers move on: `announce_withdrawal` and `announce_handoff` queue those DMs), then everything else in one audited
    transaction. The bot's channel posts of their updates are deleted through the outbox, and the other
    person of each mentorship it ends is told through it (`partner_left_text`), so a Slack hiccup delays
    either, never loses it. A team project's card still waiting for Slack is redrawn (`render_card`).

    It makes no Slack call: the caller sends `result.outbox_ids` (and what `withdrawn` and `handed_on`
    queued) once it has told Slack the click was taken; the outbox's sweep sends whatever it does not.
    """
    result = ForgetResult()
    async with runtime.db.session() as session:
        request_ids = (await session.scalars(select(MentorshipRequest.id).where(
            MentorshipRequest.team_id == team_id, MentorshipRequest.mentee_id == user_id,
            MentorshipRequest.status.in_(mentoring.OPEN_STATUSES)))).all()
        offer_ids = (await session.scalars(select(MentorshipCandidate.id).where(
            MentorshipCandidate.team_id == team_id, MentorshipCandidate.mentor_id == user_id,
            MentorshipCandidate.status == "offered"))).all()
    for request_id in request_ids:
        withdrawn = await mentoring.withdraw_request(runtime, team_id=team_id, mentee_id=user_id,
                                                     request_id=request_id, announce=announce_withdrawal)
        if isinstance(withdrawn, mentoring.Withdrawn):
            result.withdrawn.append(withdrawn)
    for candidate_id in offer_ids:
        handed_on = await mentoring.decline_offer(runtime, team_id=team_id, mentor_id=user_id,
                                                  candidate_id=candidate_id, reason=None, announce=announce_handoff)
        if isinstance(handed_on, mentoring.Handoff):
            result.handed_on.append(handed_on)
    result.counts["mentor requests withdrawn"] = len(result.withdrawn)
    result.counts["mentor offers passed on"] = len(result.handed_on)

    now = runtime.clock.now()
    outbox_ids = result.outbox_ids
    pseudonym = new_pseudonym()
    async with runtime.db.session() as session, session.begin():
        await _forget_rows(session, team_id, user_id, now, result, render_card)
        for message in result.messages:
            row = await runtime.outbox.enqueue(session, team_id=team_id, method="chat.delete",
                                               args={"channel": message.channel_id, "ts": message.ts},
                                               purpose=FORGET_DELETE)
            outbox_ids.append(row.id)
        for file_id in result.export_files:
            row = await runtime.outbox.enqueue(session, team_id=team_id, method="files.delete",
                                               args={"file": file_id}, purpose=FORGET_DELETE)
            outbox_ids.append(row.id)
        result.counts["channel posts"] = len(result.messages)
        result.counts["export files"] = len(result.export_files)
        for pairing in result.partners_left:
            text = partner_left_text(pairing.other_is_mentee)
            row = await runtime.outbox.enqueue(session, team_id=team_id, method="chat.postMessage",
                                               args={"channel": pairing.other_id, "text": text},
                                               purpose=PARTNER_LEFT, subject_id=pairing.mentorship_id)
            outbox_ids.append(row.id)
        await _pseudonymise(session, team_id, user_id, pseudonym)
        # Who (as the pseudonym) and how many of each kind, when: never what was deleted.
        record(session, team_id=team_id, actor_id=pseudonym, action="privacy.forget_me", at=now,
               subject=f"member:{pseudonym}", detail={"counts": {k: v for k, v in result.counts.items() if v}})
    return result
