"""Value stories: once a month, members who opted in are asked whether QI Commons made a difference.

The ask is a nudge (bot.core.nudges), so it keeps to the member's quiet hours, weekdays, the one-DM-a-day
cap and their Reminders switch like every other nudge; its key is the month, so it is owed once a month
however many sweeps or replicas run. `share_story` is the one function that stores a story (and indexes
the shareable ones for search). Who may read a story is its teller's choice (`consent`):

    named      anyone: the report and the digest, with their name
    anonymous  anyone: the report and the digest, as "a member"
    admins     the admins' report only (with their name: it is told to the admins)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import nudges, phi
from bot.core.audit import record
from bot.core.members import ensure_member
from bot.core.runtime import Runtime
from bot.report.definitions import CYCLES
from bot.search.index import index_story
from storage.models import Member, Nudge, ValueStory

ASK_NUDGE = "value_story"
STORY_SHARED = "value_story.shared"
CONSENTS = ("named", "anonymous", "admins")
SHAREABLE = ("named", "anonymous")  # may be featured in the weekly digest
LIMITS = {"what_happened": 1500, "difference": 1500}


@dataclass(frozen=True)
class StoryFields:
    what_happened: str
    difference: str
    cycle: str
    consent: str


@dataclass(frozen=True)
class Story:
    """A story as it may be shown: `author_id` is None when its teller asked to stay anonymous."""

    id: int
    author_id: str | None
    what_happened: str
    difference: str
    cycle: str
    consent: str
    created_at: datetime


def problems(fields: StoryFields) -> dict[str, str]:
    """Field name -> what to fix; a forged submission can send any string."""
    errors = {name: f"Keep it under {limit} characters." for name, limit in LIMITS.items()
              if len(getattr(fields, name)) > limit}
    errors.update({name: "Tell us in a few words." for name in LIMITS if not getattr(fields, name).strip()})
    if fields.cycle not in CYCLES:
        errors["cycle"] = "Choose the kind of difference it made."
    if fields.consent not in CONSENTS:
        errors["consent"] = "Choose who may read your story."
    return errors


class InvalidStory(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


async def share_story(runtime: Runtime, *, team_id: str, user_id: str, fields: StoryFields) -> Story:
    """Store a member's story: checked, through the PHI gate, audited (never its words) in one transaction.

    Raises InvalidStory (field errors) or phi.ContainsPhi; either way nothing is stored.
    """
    if errors := problems(fields):
        raise InvalidStory(errors)
    clean = phi.guard(runtime.settings.staff_email_domains, what_happened=fields.what_happened,
                      difference=fields.difference)
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        await ensure_member(runtime, session, team_id, user_id)
        story = ValueStory(team_id=team_id, author_id=user_id, what_happened=(clean["what_happened"] or "").strip(),
                           difference=(clean["difference"] or "").strip(), cycle=fields.cycle,
                           consent=fields.consent, created_at=now)
        session.add(story)
        await session.flush()
        await index_story(session, story)  # findable at once when its teller let anyone read it
        record(session, team_id=team_id, actor_id=user_id, action=STORY_SHARED, subject=f"value_story:{story.id}",
               at=now, detail={"cycle": fields.cycle, "consent": fields.consent})
        return _shown(story)


def _shown(row: ValueStory) -> Story:
    return Story(row.id, None if row.consent == "anonymous" else row.author_id, row.what_happened, row.difference,
                 row.cycle, row.consent, row.created_at)


async def stories_between(session: AsyncSession, team_id: str, since: datetime, until: datetime, *,
                          limit: int, shareable_only: bool = False) -> tuple[list[Story], int]:
    """The newest stories told in [since, until) that the reader may see, and how many there are in all.

    The admins' report sees every story; the digest (`shareable_only`) only those its tellers let anyone read.
    """
    where = [ValueStory.team_id == team_id, ValueStory.created_at >= since, ValueStory.created_at < until]
    if shareable_only:
        where.append(ValueStory.consent.in_(SHAREABLE))
    rows = (await session.scalars(select(ValueStory).where(*where)
                                  .order_by(ValueStory.created_at.desc(), ValueStory.id.desc()).limit(limit))).all()
    total = await session.scalar(select(func.count()).select_from(ValueStory).where(*where))
    return [_shown(row) for row in rows], total or 0


async def featured_stories(runtime: Runtime, team_id: str, since: datetime, until: datetime,
                           limit: int) -> list[Story]:
    """Stories for the weekly digest: told in its window, by people who let anyone read them."""
    async with runtime.db.session() as session:
        return (await stories_between(session, team_id, since, until, limit=limit, shareable_only=True))[0]


async def owe_monthly_asks(runtime: Runtime, month_key: str, due_at: datetime) -> int:
    """Owe this month's ask to every opted-in member who is not owed it yet; how many were added.

    One read finds who is missing; `schedule_once` keeps it to one per member and month even when two
    replicas sweep at once. Members who turn the setting off later are skipped when it is sent.
    """
    async with runtime.db.session() as session, session.begin():
        owed = select(Nudge.id).where(Nudge.team_id == Member.team_id, Nudge.slack_user_id == Member.slack_user_id,
                                      Nudge.kind == ASK_NUDGE, Nudge.subject_key == month_key)
        missing = (await session.execute(select(Member.team_id, Member.slack_user_id)
                                         .where(Member.value_story_asks.is_(True), ~owed.exists()))).all()
        added = 0
        for team_id, user_id in missing:
            added += await nudges.schedule_once(session, team_id=team_id, user_id=user_id, kind=ASK_NUDGE,
                                                subject_key=month_key, due_at=due_at)
    return added


async def still_wants_asks(session: AsyncSession, team_id: str, user_id: str) -> bool:
    """At send time: a member who turned the monthly ask off since it was owed gets nothing."""
    return bool(await session.scalar(select(Member.value_story_asks).where(
        Member.team_id == team_id, Member.slack_user_id == user_id)))
