"""Mentor profiles: who offers mentoring, in what, how much, and how quickly they usually answer.

Services own their transaction and PHI-check the free text they store (name, bio) themselves.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.audit import record
from bot.core.members import ensure_member
from bot.core.phi import guard
from bot.core.runtime import Runtime
from bot.core.slack import LookupFailed
from bot.mentoring import vocabulary as mentor_vocabulary
from bot.mentoring.matching import MentorCandidate
from bot.search.index import drop_document, index_mentor
from storage.models import Member, MentorProfile, Mentorship, MentorshipCandidate

NAME_CHARS = 120  # MentorProfile.name
# Responsiveness looks at each mentor's recent answers only: people change, and so do their rotas.
RESPONSIVENESS_SAMPLE = 20
RESPONSIVENESS_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class ProfileInput:
    name: str | None  # None keeps the name on file
    expertise: tuple[str, ...]
    discipline: str | None
    career_stage: str | None
    capacity: int
    formats: tuple[str, ...]
    modes: tuple[str, ...]
    bio: str | None
    accepting: bool | None = None  # None keeps what the mentor chose (a roster re-import); new: accepting


@dataclass(frozen=True)
class ProfileView:
    """A mentor's profile as their profile form shows it."""

    accepting: bool
    capacity: int
    expertise: tuple[str, ...]
    discipline: str | None
    career_stage: str | None
    formats: tuple[str, ...]
    modes: tuple[str, ...]
    bio: str | None


async def profile_view(runtime: Runtime, *, team_id: str, user_id: str) -> ProfileView | None:
    async with runtime.db.session() as session:
        profile = await get_profile(session, team_id, user_id)
        if profile is None:
            return None
        return ProfileView(accepting=profile.accepting, capacity=profile.capacity, expertise=tuple(profile.expertise),
                           discipline=profile.discipline, career_stage=profile.career_stage,
                           formats=tuple(profile.formats), modes=tuple(profile.modes), bio=profile.bio)


@dataclass(frozen=True)
class ProfileStart:
    """What the mentor form starts from where the profile says nothing: the member's own settings, so a
    member who already told us their profession and career stage is not asked again."""

    discipline: str | None
    career_stage: str | None


async def profile_start(runtime: Runtime, *, team_id: str, user_id: str) -> ProfileStart:
    async with runtime.db.session() as session:
        member = await session.scalar(select(Member).where(Member.team_id == team_id,
                                                           Member.slack_user_id == user_id))
    return ProfileStart(discipline=member.profession if member else None,
                        career_stage=member.career_stage if member else None)


async def get_profile(session: AsyncSession, team_id: str, user_id: str) -> MentorProfile | None:
    return await session.scalar(select(MentorProfile).where(MentorProfile.team_id == team_id,
                                                            MentorProfile.slack_user_id == user_id))


async def upsert_profile(runtime: Runtime, session: AsyncSession, *, team_id: str, user_id: str,
                         profile: ProfileInput, source: str) -> bool:
    """Create or update a mentor's profile in the caller's transaction; True when it is new."""
    profile = replace(profile, **guard(runtime.settings.staff_email_domains, name=profile.name, bio=profile.bio))
    now = runtime.clock.now()
    values = dict(expertise=list(profile.expertise), discipline=profile.discipline,
                  career_stage=profile.career_stage, capacity=profile.capacity, formats=list(profile.formats),
                  modes=list(profile.modes), bio=profile.bio, source=source)
    if profile.name:  # a roster row names the mentor; the form does not (Slack's name is set after the save)
        values["name"] = profile.name[:NAME_CHARS]
    if profile.accepting is not None:
        values["accepting"] = profile.accepting
    existing = await get_profile(session, team_id, user_id)
    if existing is None:
        try:
            async with session.begin_nested():
                created = MentorProfile(team_id=team_id, slack_user_id=user_id, created_at=now,
                                        **{"accepting": True, **values})
                session.add(created)
            await _index(session, created)
            return True
        except IntegrityError:
            existing = await get_profile(session, team_id, user_id)
            assert existing is not None
    for key, value in values.items():
        setattr(existing, key, value)
    existing.updated_at = now
    await _index(session, existing)
    return False


async def _index(session: AsyncSession, profile: MentorProfile) -> None:
    """Search finds a mentor by what they offer, as the vocabulary names it too ("Run charts")."""
    labels = []
    for topic_id in profile.expertise:
        try:
            labels.append(mentor_vocabulary.term(topic_id).label)
        except KeyError:
            continue
    await index_mentor(session, profile, labels)


async def save_profile(runtime: Runtime, *, team_id: str, user_id: str, profile: ProfileInput) -> bool:
    async with runtime.db.session() as session, session.begin():
        await ensure_member(runtime, session, team_id, user_id)  # a mentor is a member: their Home shows it
        created = await upsert_profile(runtime, session, team_id=team_id, user_id=user_id, profile=profile,
                                       source="self")
        record(session, team_id=team_id, actor_id=user_id, action="mentor.profile_saved", subject="mentor_profile",
               at=runtime.clock.now(), detail={"created": created, "accepting": profile.accepting})
    runtime.member_changed(team_id, user_id)
    return created


async def remove_profile(runtime: Runtime, *, team_id: str, user_id: str) -> bool:
    """Stop being a mentor: no new requests. Pairs already running carry on."""
    async with runtime.db.session() as session, session.begin():
        profile = await get_profile(session, team_id, user_id)
        if profile is None:
            return False
        await drop_document(session, team_id=team_id, kind="mentor", ref_ids=[profile.id])
        await session.delete(profile)
        record(session, team_id=team_id, actor_id=user_id, action="mentor.profile_removed",
               subject="mentor_profile", at=runtime.clock.now())
    runtime.member_changed(team_id, user_id)
    return True


async def slack_display_name(runtime: Runtime, user_id: str) -> str | None:
    """How Slack names the person (real name first), for buttons such as "Ask Dr. Ada Example"."""
    try:
        return (await runtime.people.by_id(user_id)).name
    except LookupFailed:
        return None  # the name is a nicety: keep the one on file


async def set_mentor_name(runtime: Runtime, *, team_id: str, user_id: str, name: str) -> None:
    """Store the name Slack gave us, looked up after the profile was saved (and acknowledged)."""
    async with runtime.db.session() as session, session.begin():
        profile = await get_profile(session, team_id, user_id)
        if profile is not None:
            profile.name = name[:NAME_CHARS]
            await _index(session, profile)


async def mentor_candidates(session: AsyncSession, team_id: str, now: datetime) -> list[MentorCandidate]:
    """Every mentor of the team as the matcher sees them: load, exclusions and responsiveness."""
    profiles = (await session.scalars(select(MentorProfile).where(MentorProfile.team_id == team_id))).all()
    active = dict((await session.execute(
        select(Mentorship.mentor_id, func.count())
        .where(Mentorship.team_id == team_id, Mentorship.status == "active", Mentorship.kind == "formal")
        .group_by(Mentorship.mentor_id))).all())
    blocked = dict((await session.execute(
        select(Member.slack_user_id, Member.do_not_match)
        .where(Member.team_id == team_id, Member.slack_user_id.in_([p.slack_user_id for p in profiles])))
    ).all())
    latency = await _median_response_hours(session, team_id, now)
    return [
        MentorCandidate(
            user_id=p.slack_user_id, expertise=frozenset(p.expertise), discipline=p.discipline,
            career_stage=p.career_stage, capacity=max(p.capacity, 1), active_mentees=active.get(p.slack_user_id, 0),
            formats=frozenset(p.formats), modes=frozenset(p.modes), accepting=p.accepting,
            do_not_match=frozenset(blocked.get(p.slack_user_id) or ()),
            median_response_hours=latency.get(p.slack_user_id))
        for p in profiles
    ]


async def _median_response_hours(session: AsyncSession, team_id: str, now: datetime) -> dict[str, float]:
    rows = (await session.execute(
        select(MentorshipCandidate.mentor_id, MentorshipCandidate.offered_at, MentorshipCandidate.responded_at)
        .where(MentorshipCandidate.team_id == team_id, MentorshipCandidate.responded_at.is_not(None),
               MentorshipCandidate.offered_at.is_not(None),
               MentorshipCandidate.responded_at >= now - RESPONSIVENESS_WINDOW)
        .order_by(MentorshipCandidate.responded_at.desc()))).all()
    hours: dict[str, list[float]] = defaultdict(list)
    for mentor_id, offered_at, responded_at in rows:
        if len(hours[mentor_id]) < RESPONSIVENESS_SAMPLE:
            hours[mentor_id].append((responded_at - offered_at).total_seconds() / 3600)
    return {mentor_id: statistics.median(values) for mentor_id, values in hours.items()}
