"""CPD entries and each member's CPD profile, in the database.

Privacy (issue 4, item 8): a member's CPD entries are theirs alone. Every query here filters on the
team AND the member asking, so an entry id from a forged button or another member's message finds
nothing; there is no admin path to someone else's entries (admin reports get totals elsewhere).

Titles and reflections are free text: the services here pass them through `bot.core.phi.guard` and
store nothing (raising ContainsPhi) on a hit.
Credits are never stored; `progress_for` and `export_rows` compute them with bot.cpd.rules and bot.cpd.progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.audit import record
from bot.core.members import ensure_member, member_today
from bot.core.phi import guard
from bot.core.runtime import Runtime
from bot.cpd.export import CsvRow
from bot.cpd.progress import CpdMember, CpdProgress, cycle_start_for, progress
from bot.cpd.quick_entry import NeedsType, ParsedEntry, ParseError, parse_quick_entry
from bot.cpd.rules import Framework, credits_for, get_framework
from storage.models import CpdEntry, Member, QiProject, QiProjectMember, QiUpdate

REFLECTION_FIELDS = ("reflection_learned", "reflection_change", "reflection_further")
MAX_REFLECTION = 3000  # one Slack section's worth, so a reflection can always be shown back
PAGE_SIZE = 20  # two blocks an entry: a page stays well inside Slack's 50 blocks a message


@dataclass(frozen=True)
class CpdProfile:
    framework: str
    cycle_start_year: int | None  # None until the member sets it
    annual_goal: Decimal | None
    today: dt.date  # in the member's timezone

    @property
    def rules(self) -> Framework:
        return get_framework(self.framework)

    def as_member(self) -> CpdMember:
        """For bot.cpd.progress; without a cycle start year the cycle is assumed to start this year (the UI says so)."""
        start = self.cycle_start_year if self.cycle_start_year is not None else self.rules.year_of(self.today)
        return CpdMember(self.framework, start, self.annual_goal)

    def cycle_containing(self, year: int) -> tuple[int, dt.date, dt.date]:
        """The first framework year, first day and last day of the member's cycle that contains `year`."""
        first = cycle_start_for(self.as_member(), year)
        return (
            first,
            self.rules.year_bounds(first)[0],
            self.rules.year_bounds(first + self.rules.cycle_years - 1)[1],
        )


@dataclass(frozen=True)
class NewEntry:
    activity_type: str
    date: dt.date
    hours: Decimal | None
    quantity: Decimal | None
    title: str
    reflection_learned: str | None = None
    reflection_change: str | None = None
    reflection_further: str | None = None
    qi_project_id: int | None = None
    source: str = "manual"  # manual | quick | qi_update | mentoring


@dataclass(frozen=True)
class Entry:
    """A stored entry as plain data; fits bot.cpd.rules's LoggedActivity."""

    id: int
    framework: str
    activity_type: str
    date: dt.date
    hours: Decimal | None
    quantity: Decimal | None
    title: str
    reflection_learned: str | None
    reflection_change: str | None
    reflection_further: str | None
    qi_project_id: int | None
    project_title: str | None

    @property
    def has_reflection(self) -> bool:
        return any((self.reflection_learned, self.reflection_change, self.reflection_further))

    @property
    def credits(self) -> Decimal:
        return credits_for(self)

    @property
    def reflection_text(self) -> str:
        answers = zip(
            ("Learned", "Change in practice", "Further learning"),
            (self.reflection_learned, self.reflection_change, self.reflection_further),
            strict=True,
        )
        return " | ".join(f"{label}: {text}" for label, text in answers if text)


@dataclass(frozen=True)
class LinkableProject:
    id: int
    title: str


@dataclass(frozen=True)
class UpdateForOffer:
    """What a CPD offer needs from a shared QI update."""

    project_id: int | None
    project_title: str | None
    tried: str
    learned: str | None
    feedback_received: bool


def _profile(runtime: Runtime, member: Member) -> CpdProfile:
    return CpdProfile(
        member.cpd_framework,
        member.cpd_cycle_start_year,
        member.cpd_annual_goal,
        member_today(runtime, member),
    )


async def get_profile(runtime: Runtime, team_id: str, user_id: str) -> CpdProfile:
    async with runtime.db.session() as session, session.begin():
        return _profile(runtime, await ensure_member(runtime, session, team_id, user_id))


async def update_profile(
    runtime: Runtime,
    team_id: str,
    user_id: str,
    *,
    framework: str,
    cycle_start_year: int | None,
    annual_goal: Decimal | None,
) -> CpdProfile:
    get_framework(framework)  # refuse an unknown framework before storing it
    async with runtime.db.session() as session, session.begin():
        member = await ensure_member(runtime, session, team_id, user_id)
        member.cpd_framework = framework
        member.cpd_cycle_start_year = cycle_start_year
        member.cpd_annual_goal = annual_goal
        member.updated_at = runtime.clock.now()
        record(session, team_id=team_id, actor_id=user_id, action="cpd_profile.updated", subject="cpd_profile",
               at=member.updated_at, detail={"framework": framework})
        profile = _profile(runtime, member)
    runtime.member_changed(team_id, user_id)
    return profile


def _mine(team_id: str, user_id: str):  # noqa: ANN202 - a SQLAlchemy where-clause
    return (CpdEntry.team_id == team_id) & (CpdEntry.member_id == user_id)


def _entry(row: CpdEntry, project_title: str | None) -> Entry:
    return Entry(
        id=row.id,
        framework=row.framework,
        activity_type=row.activity_type,
        date=row.occurred_on,
        hours=row.hours,
        quantity=row.quantity,
        title=row.title,
        reflection_learned=row.reflection_learned,
        reflection_change=row.reflection_change,
        reflection_further=row.reflection_further,
        qi_project_id=row.qi_project_id,
        project_title=project_title,
    )


async def _select_entries(
    session: AsyncSession,
    team_id: str,
    user_id: str,
    *extra,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Entry]:
    order = (
        (CpdEntry.occurred_on.desc(), CpdEntry.id.desc())
        if newest_first
        else (CpdEntry.occurred_on, CpdEntry.id)
    )
    query = (
        select(CpdEntry, QiProject.title)
        .outerjoin(QiProject, (QiProject.id == CpdEntry.qi_project_id) & (QiProject.team_id == team_id))
        .where(_mine(team_id, user_id), *extra)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    return [_entry(row, title) for row, title in (await session.execute(query)).all()]


def _linkable(team_id: str, user_id: str):  # noqa: ANN202 - a SQLAlchemy select
    return (
        select(QiProject.id, QiProject.title)
        .where(
            QiProject.team_id == team_id,
            or_(
                QiProject.owner_id == user_id,
                QiProject.id.in_(
                    select(QiProjectMember.project_id).where(
                        QiProjectMember.team_id == team_id, QiProjectMember.slack_user_id == user_id
                    )
                ),
            ),
        )
        .order_by(QiProject.created_at.desc(), QiProject.id.desc())
    )


async def linkable_projects(runtime: Runtime, team_id: str, user_id: str) -> list[LinkableProject]:
    """The QI projects a member owns or belongs to, newest first: the ones they may link an entry to."""
    async with runtime.db.session() as session:
        rows = await session.execute(_linkable(team_id, user_id).limit(100))
        return [LinkableProject(pid, title) for pid, title in rows.all()]


async def add_entry(runtime: Runtime, team_id: str, user_id: str, new: NewEntry) -> Entry:
    """Store an entry under the member's current framework.

    A project id the member cannot link to is dropped rather than trusted: it came from a form.
    Raises ContainsPhi, storing nothing, when the title or a reflection answer holds an identifier.
    """
    async with runtime.db.session() as session, session.begin():
        member = await ensure_member(runtime, session, team_id, user_id)
        entry = await _store_entry(runtime, session, member, new)
    runtime.member_changed(team_id, user_id)
    return entry


async def log_quick_entry(runtime: Runtime, team_id: str, user_id: str, text: str
                          ) -> tuple[ParsedEntry | NeedsType | ParseError, Entry | None]:
    """`/cpd-log TEXT`: read under the member's own framework and date, and stored if it reads as one entry,
    in one transaction (it runs before the ack, so a crash after it cannot lose the entry). The parse
    says why when nothing was stored (a question or a mistake to show the member).

    Raises ContainsPhi, storing nothing, when the title holds an identifier.
    """
    async with runtime.db.session() as session, session.begin():
        member = await ensure_member(runtime, session, team_id, user_id)
        parsed = parse_quick_entry(text, member.cpd_framework, member_today(runtime, member))
        if not isinstance(parsed, ParsedEntry):
            return parsed, None
        entry = await _store_entry(runtime, session, member, NewEntry(
            activity_type=parsed.activity_type, date=parsed.date, hours=parsed.hours, quantity=parsed.quantity,
            title=parsed.title, source="quick"))
    runtime.member_changed(team_id, user_id)
    return parsed, entry


async def _store_entry(runtime: Runtime, session: AsyncSession, member: Member, new: NewEntry) -> Entry:
    """An entry's writes (and its audit row), in the caller's transaction, its texts through the PHI gate."""
    texts = guard(
        runtime.settings.staff_email_domains,
        title=new.title,
        **{name: getattr(new, name) for name in REFLECTION_FIELDS},
    )
    team_id, user_id = member.team_id, member.slack_user_id
    get_framework(member.cpd_framework).activity(new.activity_type)
    project_id, project_title = new.qi_project_id, None
    if project_id is not None:
        linked = (
            await session.execute(_linkable(team_id, user_id).where(QiProject.id == project_id))
        ).first()
        project_id, project_title = (linked[0], linked[1]) if linked else (None, None)
    row = CpdEntry(
        team_id=team_id,
        member_id=user_id,
        framework=member.cpd_framework,
        activity_type=new.activity_type,
        occurred_on=new.date,
        hours=new.hours,
        quantity=new.quantity,
        title=texts["title"],
        reflection_learned=texts["reflection_learned"] or None,
        reflection_change=texts["reflection_change"] or None,
        reflection_further=texts["reflection_further"] or None,
        qi_project_id=project_id,
        source=new.source,
        created_at=runtime.clock.now(),
    )
    session.add(row)
    await session.flush()
    # Who logged what kind of entry, when: never its title or reflection (those are the member's alone).
    record(session, team_id=team_id, actor_id=user_id, action="cpd_entry.logged", subject=f"cpd_entry:{row.id}",
           at=row.created_at, detail={"source": new.source})
    return _entry(row, project_title)


async def get_entry(runtime: Runtime, team_id: str, user_id: str, entry_id: int) -> Entry | None:
    """The member's own entry with this id, or None (also when it is someone else's)."""
    async with runtime.db.session() as session:
        found = await _select_entries(session, team_id, user_id, CpdEntry.id == entry_id)
        return found[0] if found else None


async def last_entry(runtime: Runtime, team_id: str, user_id: str) -> Entry | None:
    """The member's most recently logged entry (by when it was logged, not its activity date)."""
    async with runtime.db.session() as session:
        row_id = await session.scalar(
            select(CpdEntry.id)
            .where(_mine(team_id, user_id))
            .order_by(CpdEntry.created_at.desc(), CpdEntry.id.desc())
            .limit(1)
        )
        if row_id is None:
            return None
        return (await _select_entries(session, team_id, user_id, CpdEntry.id == row_id))[0]


@dataclass(frozen=True)
class EntryPage:
    """One page of a member's entries, newest first, and where it sits in the whole list."""

    entries: list[Entry]
    page: int  # from 0
    pages: int  # at least 1
    total: int
    first: int  # the position of entries[0] in the whole list, from 1 (0 when there are none)


def _needs_reflection(start: dt.date, end: dt.date) -> tuple:
    # What Entry.has_reflection is false for: services store an empty answer as NULL.
    return (CpdEntry.occurred_on >= start, CpdEntry.occurred_on <= end,
            *(getattr(CpdEntry, name).is_(None) for name in REFLECTION_FIELDS))


async def entries_page(
    runtime: Runtime,
    team_id: str,
    user_id: str,
    page: int = 0,
    *,
    needing_reflection: tuple[dt.date, dt.date] | None = None,
    per_page: int = PAGE_SIZE,
) -> EntryPage:
    """A page of the member's entries (or of those between two dates still needing a reflection).

    A page past the end (a button pressed after deletions) gives the last page, not an empty one.
    """
    where = _needs_reflection(*needing_reflection) if needing_reflection else ()
    async with runtime.db.session() as session:
        total = await session.scalar(select(func.count()).select_from(CpdEntry).where(_mine(team_id, user_id), *where))
        pages = max(1, -(-(total or 0) // per_page))
        page = min(max(page, 0), pages - 1)
        found = await _select_entries(session, team_id, user_id, *where, newest_first=True, limit=per_page,
                                      offset=page * per_page)
    return EntryPage(found, page, pages, total or 0, page * per_page + 1 if found else 0)


async def delete_entry(runtime: Runtime, team_id: str, user_id: str, entry_id: int) -> Entry | None:
    """Delete the member's own entry; None when there is no such entry of theirs (nothing is deleted)."""
    async with runtime.db.session() as session, session.begin():
        found = await _select_entries(session, team_id, user_id, CpdEntry.id == entry_id)
        if not found:
            return None
        await session.execute(delete(CpdEntry).where(_mine(team_id, user_id), CpdEntry.id == entry_id))
        record(session, team_id=team_id, actor_id=user_id, action="cpd_entry.deleted", subject=f"cpd_entry:{entry_id}",
               at=runtime.clock.now())
    runtime.member_changed(team_id, user_id)
    return found[0]


async def set_reflection(
    runtime: Runtime, team_id: str, user_id: str, entry_id: int, answers: Mapping[str, str | None]
) -> Entry | None:
    """Replace the reflection answers of the member's own entry; None when it is not theirs.

    Raises ContainsPhi, storing nothing, when an answer holds an identifier.
    """
    answers = guard(runtime.settings.staff_email_domains, **{name: answers.get(name) for name in REFLECTION_FIELDS})
    async with runtime.db.session() as session, session.begin():
        row = await session.scalar(select(CpdEntry).where(_mine(team_id, user_id), CpdEntry.id == entry_id))
        if row is None:
            return None
        for name in REFLECTION_FIELDS:
            setattr(row, name, answers.get(name) or None)
        row.updated_at = runtime.clock.now()
        record(session, team_id=team_id, actor_id=user_id, action="cpd_entry.reflected", subject=f"cpd_entry:{entry_id}",
               at=row.updated_at)
        await session.flush()
        entry = (await _select_entries(session, team_id, user_id, CpdEntry.id == entry_id))[0]
    runtime.member_changed(team_id, user_id)
    return entry


async def entries_between(
    runtime: Runtime, team_id: str, user_id: str, start: dt.date, end: dt.date
) -> list[Entry]:
    async with runtime.db.session() as session:
        return await _select_entries(
            session, team_id, user_id, CpdEntry.occurred_on >= start, CpdEntry.occurred_on <= end
        )


@dataclass(frozen=True)
class Standing:
    profile: CpdProfile
    progress: CpdProgress
    entries: Sequence[Entry]  # the cycle's entries under any framework, oldest first


async def progress_for(runtime: Runtime, team_id: str, user_id: str, year: int | None = None) -> Standing:
    """The member's standing for framework year `year` (default: the current one) and its cycle."""
    profile = await get_profile(runtime, team_id, user_id)
    year = profile.rules.year_of(profile.today) if year is None else year
    # Fetch the whole cycle: per-cycle caps are spent in date order across its years.
    _, start, end = profile.cycle_containing(year)
    entries = await entries_between(runtime, team_id, user_id, start, end)
    return Standing(profile, progress(profile.as_member(), year, entries, profile.today), entries)


def export_rows(entries: Sequence[Entry]) -> list[CsvRow]:
    rows = []
    for entry in entries:
        rules = get_framework(entry.framework)
        activity = rules.activity(entry.activity_type)
        rows.append(
            CsvRow(
                date=entry.date,
                section=rules.section(activity.section).name,
                activity_type=activity.name,
                title=entry.title,
                hours=entry.hours,
                quantity=entry.quantity,
                credits=entry.credits if rules.awards_credits else None,
                reflection=entry.reflection_text,
                linked_project=entry.project_title or "",
            )
        )
    return rows


async def update_for_offer(
    runtime: Runtime, team_id: str, user_id: str, update_id: int
) -> tuple[UpdateForOffer, CpdProfile] | None:
    """The member's own QI update and their CPD profile, for the CPD offer after a share; None if it is
    not theirs. One read, as the author of a shared update has a member row already (sharing made it)."""
    async with runtime.db.autocommit() as session:
        found = (
            await session.execute(
                select(QiUpdate, QiProject.title, Member)
                .outerjoin(QiProject, (QiProject.id == QiUpdate.project_id) & (QiProject.team_id == team_id))
                .outerjoin(Member, (Member.team_id == team_id) & (Member.slack_user_id == user_id))
                .where(QiUpdate.id == update_id, QiUpdate.team_id == team_id, QiUpdate.author_id == user_id)
            )
        ).first()
    if found is None:
        return None
    update, project_title, member = found
    # An update stored some other way (a demo's seed) may have none: made as any first use makes one.
    profile = _profile(runtime, member) if member is not None else await get_profile(runtime, team_id, user_id)
    return UpdateForOffer(
        update.project_id if project_title else None,
        project_title,
        update.tried,
        update.learned,
        update.feedback_received,
    ), profile
