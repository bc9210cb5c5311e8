"""Every sharing state change, one function each: it owns its transaction, checks who may do it,
passes every user text through the one PHI gate, and writes its audit (and outbox) rows with it.

Refusals are typed exceptions the handlers put into words: `ContainsPhi` (nothing stored),
`NotFound` (the update or project is gone), `NotAllowed` (the server's author/owner/admin rule),
`MeasureConflict` (an edit would drop a measure that has data).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import phi
from bot.core.audit import record
from bot.core.members import ensure_member
from bot.core.runtime import Runtime
from bot.search.index import index_project, index_update
from bot.sharing.projects import (
    STATUSES,
    ProjectFields,
    ProjectView,
    can_contribute,
    create_project,
    get_project,
    project_view,
    projects_of,
    set_status,
    update_project,
)
from bot.sharing.publishing import Queued, Renderers, queue_post
from bot.sharing.updates import (
    LIMITS,
    DataPoint,
    UpdateFields,
    UpdateView,
    can_change_update,
    edit_update,
    get_update,
    last_update_at,
    route_quick_share,
    store_update,
    update_view,
)
from bot.sharing.updates import toggle_kudos as _toggle_kudos
from storage.models import QiProject, QiUpdate

# Audit actions only sharing writes, which the value report (bot/data/value_indicators.toml) counts.
AIM_CHANGED = "qi_project.aim_changed"
PROMPT_ANSWERED = "weekly_prompt.answered"


class NotFound(Exception):
    """The update has been deleted, or the project does not exist in this workspace."""


class NotAllowed(Exception):
    """The server's rule says no: only the author/admin (updates) or owner/team/admin (projects)."""


class MeasureConflict(Exception):
    """A project edit would drop a measure that already has data points; `errors` is per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class QuickShareHasPhi(phi.ContainsPhi):
    """A quick share holds an identifier; `body` (never stored) and `project_id` let the member edit it."""

    def __init__(self, hits: dict[str, list[phi.PhiHit]], body: str, project_id: int | None) -> None:
        super().__init__(hits)
        self.body, self.project_id = body, project_id


@dataclass(frozen=True)
class Shared:
    update_id: int
    project_id: int | None
    had_thread: bool = False  # the project's card was already in the channel (so it needs a refresh)
    queued: Queued | None = None  # what queue_post queued (and leased) with it


@dataclass(frozen=True)
class ProjectSaved:
    project_id: int
    slug: str
    created: bool


@dataclass(frozen=True)
class UpdateDeleted:
    delete_outbox_id: int | None  # the queued chat.delete of the channel post, if it was posted


@dataclass(frozen=True)
class QuickShare:
    """Where a quick share went, or why it did not: exactly one of `shared` or a refusal is set."""

    shared: Shared | None = None
    unknown_slug: str | None = None
    not_allowed_slug: str | None = None
    owner_id: str | None = None
    missing_text_slug: str | None = None  # "" for a general update
    too_long: int | None = None  # the length of a text over LIMITS["tried"]
    # Nothing stored: the member chooses where it goes first (bot.sharing.updates.route_quick_share).
    ask: str | None = None
    text: str = ""
    choices: tuple[ProjectView, ...] = ()


def _guard_update(runtime: Runtime, fields: UpdateFields) -> UpdateFields:
    clean = phi.guard(runtime.settings.staff_email_domains, tried=fields.tried, learned=fields.learned,
                      help_wanted=fields.help_wanted)
    return replace(fields, tried=clean["tried"] or "", learned=clean["learned"], help_wanted=clean["help_wanted"])


def _guard_project(runtime: Runtime, fields: ProjectFields) -> ProjectFields:
    """Every text a project stores, measures and tags included; a hit on a measure names the measures block."""
    domains = runtime.settings.staff_email_domains
    try:
        clean = phi.guard(domains, title=fields.title, aim=fields.aim, change_ideas=fields.change_ideas)
        names = phi.guard(domains, **{f"m{i}": name for i, (_, name) in enumerate(fields.measures)})
        tags = phi.guard(domains, **{f"t{i}": tag for i, tag in enumerate(fields.tags)})
    except phi.ContainsPhi as exc:
        raise phi.ContainsPhi(_by_block(exc.hits)) from None
    return replace(fields, title=clean["title"] or "", aim=clean["aim"], change_ideas=clean["change_ideas"],
                   measures=tuple((kind, names[f"m{i}"] or "") for i, (kind, _) in enumerate(fields.measures)),
                   tags=tuple(tags[f"t{i}"] or "" for i in range(len(fields.tags))))


def _by_block(hits: dict[str, list[phi.PhiHit]]) -> dict[str, list[phi.PhiHit]]:
    merged: dict[str, list[phi.PhiHit]] = {}
    for name, found in hits.items():
        block = {"m": "measures", "t": "tags"}.get(name[0], name) if name[1:].isdigit() else name
        merged.setdefault(block, []).extend(found)
    return merged


async def share_update(runtime: Runtime, *, team_id: str, user_id: str, fields: UpdateFields,
                       project_id: int | None = None, new_project: ProjectFields | None = None,
                       data_point: DataPoint | None = None, render: Renderers | None = None,
                       answers_prompt: str | None = None, lease: bool = True) -> Shared:
    """Store an update (and the new project it starts, and its data point) before anything goes to Slack.

    `answers_prompt` is the id of the weekly prompt whose "Share an update" button opened the form: an
    audit row says the update answers it (the value report counts weekly-prompt responses from it).

    With `render` its post is queued and leased in the same transaction, so a crash can never leave it
    stored and unposted; the caller then delivers `Shared.queued` (publishing.publish) once it commits.
    Left undelivered (a crash), its lease lapses within 20 s and the drain posts it; `lease=False` leaves
    it to the drain from the start.
    """
    # Every field at once, the update's and the new project's, so the member fixes them in one go.
    hits: dict[str, list[phi.PhiHit]] = {}
    try:
        fields = _guard_update(runtime, fields)
    except phi.ContainsPhi as exc:
        hits.update(exc.hits)
    if new_project is not None:
        try:
            new_project = _guard_project(runtime, new_project)
        except phi.ContainsPhi as exc:
            hits.update(exc.hits)
    if hits:
        raise phi.ContainsPhi(hits)
    async with runtime.db.session() as session, session.begin():
        stored = await _store_share(runtime, session, team_id=team_id, user_id=user_id, fields=fields,
                                    project_id=project_id, new_project=new_project, data_point=data_point,
                                    render=render, answers_prompt=answers_prompt, lease=lease)
    return _after_share(runtime, team_id, *stored)


async def _store_share(runtime: Runtime, session: AsyncSession, *, team_id: str, user_id: str,
                       fields: UpdateFields, project_id: int | None, new_project: ProjectFields | None,
                       data_point: DataPoint | None, render: Renderers | None, answers_prompt: str | None = None,
                       lease: bool = True) -> tuple[Shared, list[str], DataPoint | None]:
    """share_update's writes, in the caller's transaction, on fields already through the PHI gate:
    (what was shared, the members whose views changed, the data point stored with it)."""
    now = runtime.clock.now()
    is_admin = runtime.settings.is_admin(user_id)
    if new_project is not None:
        await ensure_member(runtime, session, team_id, user_id)
        project = await create_project(session, team_id=team_id, owner_id=user_id, fields=new_project, now=now)
        record(session, team_id=team_id, actor_id=user_id, action="qi_project.created",
               subject=f"qi_project:{project.id}", at=now)
    else:
        project = await get_project(session, team_id, project_id)
        if project_id is not None and project is None:
            raise NotFound
        if project is not None and not can_contribute(project, user_id, is_admin):
            raise NotAllowed
        await ensure_member(runtime, session, team_id, user_id)
    update = await store_update(session, team_id=team_id, author_id=user_id, project=project, fields=fields,
                                data_point=data_point, now=now)
    if new_project is not None:
        await index_project(session, project)  # an update changes no word a project is found by
    await index_update(session, update, project)
    record(session, team_id=team_id, actor_id=user_id, action="qi_update.shared",
           subject=f"qi_update:{update.id}", at=now)
    if answers_prompt:
        record(session, team_id=team_id, actor_id=user_id, action=PROMPT_ANSWERED,
               subject=f"prompt:{answers_prompt[:60]}", at=now)
    queued = await queue_post(runtime, render, session, update, fresh=True, lease=lease) if render else None
    members = [user_id, *(m.slack_user_id for m in project.members)] if project else [user_id]
    shared = Shared(update.id, project.id if project else None,
                    had_thread=project is not None and project.thread_ts is not None, queued=queued)
    return shared, members, data_point


def _after_share(runtime: Runtime, team_id: str, shared: Shared, members: list[str],
                 data_point: DataPoint | None) -> Shared:
    """Once the share is committed: the background work it causes (run-chart signals, App Homes)."""
    if data_point is not None:
        runtime.data_point_added(team_id, data_point.measure_id)
    for member in members:
        runtime.member_changed(team_id, member)
    return shared


async def quick_share(runtime: Runtime, *, team_id: str, user_id: str, text: str,
                      render: Renderers | None = None) -> QuickShare:
    """`/qi-share TEXT`: to `#slug`, else the member's only active project, else a general update.

    The whole text is checked, `#slug` included: the replies repeat the slug, and an identifier never comes back.
    """
    # One transaction from reading where it goes to storing it with its post queued: a share is the
    # commonest command, and each transaction more is two more round trips to the database.
    async with runtime.db.session() as session, session.begin():
        route = await route_quick_share(session, team_id=team_id, user_id=user_id,
                                        is_admin=runtime.settings.is_admin(user_id), text=text)
        project = route.project
        slug, owner_id, project_id = (project.slug, project.owner_id, project.id) if project else ("", None, None)
        if len(route.text) > LIMITS["tried"]:
            return QuickShare(too_long=len(route.text))
        try:
            phi.guard(runtime.settings.staff_email_domains, tried=text)
        except phi.ContainsPhi as exc:
            raise QuickShareHasPhi(exc.hits, route.text, project_id) from None
        if route.unknown_slug:
            return QuickShare(unknown_slug=route.unknown_slug)
        if route.not_allowed:
            return QuickShare(not_allowed_slug=slug, owner_id=owner_id)
        if not route.text:
            return QuickShare(missing_text_slug=slug)
        if route.ask:
            return QuickShare(ask=route.ask, text=route.text, choices=tuple(project_view(p) for p in route.choices))
        stored = await _store_share(runtime, session, team_id=team_id, user_id=user_id,
                                    fields=_guard_update(runtime, _quick_fields(route.text, project)),
                                    project_id=project_id, new_project=None, data_point=None, render=render)
    return QuickShare(shared=_after_share(runtime, team_id, *stored))


async def share_chosen(runtime: Runtime, *, team_id: str, user_id: str, text: str, project_id: int | None,
                       render: Renderers | None = None) -> QuickShare:
    """The member chose where an ambiguous quick share goes: one of their projects, or None for a general
    update. The text comes back from Slack (a button's value), so it is checked again like a new one."""
    async with runtime.db.session() as session:
        project = await get_project(session, team_id, project_id)
        if project_id is not None and project is None:
            raise NotFound
        if project is not None and not can_contribute(project, user_id, runtime.settings.is_admin(user_id)):
            return QuickShare(not_allowed_slug=project.slug, owner_id=project.owner_id)
        fields = _quick_fields(text, project)
    if len(text) > LIMITS["tried"]:
        return QuickShare(too_long=len(text))
    try:
        phi.guard(runtime.settings.staff_email_domains, tried=text)
    except phi.ContainsPhi as exc:
        raise QuickShareHasPhi(exc.hits, text, project_id) from None
    if not text:
        return QuickShare(missing_text_slug=project.slug if project else "")
    shared = await share_update(runtime, team_id=team_id, user_id=user_id, project_id=project_id, fields=fields,
                                render=render)
    return QuickShare(shared=shared)


def _quick_fields(text: str, project: QiProject | None) -> UpdateFields:
    """A quick share reports no stage or score of its own: it keeps the project's."""
    return UpdateFields(tried=text, pdsa_stage=project.pdsa_stage if project else None,
                        progress_score=project.progress_score if project else None)


async def _live_update(session: AsyncSession, team_id: str, update_id: int) -> QiUpdate:
    """The update, unless it is gone (NotFound): deleted updates take no edits, kudos or second deletes."""
    update = await get_update(session, team_id, update_id)
    if update is None or update.post_status == "deleted":
        raise NotFound
    return update


async def edit_shared_update(runtime: Runtime, *, team_id: str, user_id: str, update_id: int,
                             fields: UpdateFields) -> Shared:
    """The author (or an admin) changes what an update says; the handler refreshes its post."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        update = await _live_update(session, team_id, update_id)
        if not can_change_update(update, user_id, runtime.settings.is_admin(user_id)):
            raise NotAllowed
        edit_update(update, _guard_update(runtime, fields), now)
        await index_update(session, update, await get_project(session, team_id, update.project_id))
        record(session, team_id=team_id, actor_id=user_id, action="qi_update.edited",
               subject=f"qi_update:{update.id}", at=now)
        author, shared = update.author_id, Shared(update.id, update.project_id)
    if author:
        runtime.member_changed(team_id, author)
    return shared


async def delete_update(runtime: Runtime, *, team_id: str, user_id: str, update_id: int) -> UpdateDeleted:
    """Mark the update deleted and queue the removal of its channel post in the same transaction.

    A refusal is audited too (in its own transaction, which commits): someone tried to remove another's post.
    """
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        update = await _live_update(session, team_id, update_id)
        if not can_change_update(update, user_id, runtime.settings.is_admin(user_id)):
            record(session, team_id=team_id, actor_id=user_id, action="qi_update.delete_refused",
                   subject=f"qi_update:{update.id}", at=now)
            refused = True
        else:
            refused = False
            outbox_id = None
            if update.post_status == "posted" and update.channel_id and update.ts:
                outbox_id = (await runtime.outbox.enqueue(session, team_id=team_id, method="chat.delete",
                                                          args={"channel": update.channel_id, "ts": update.ts})).id
            update.post_status, update.updated_at = "deleted", now
            await index_update(session, update, None)  # out of search with the delete
            record(session, team_id=team_id, actor_id=user_id, action="qi_update.deleted",
                   subject=f"qi_update:{update.id}", at=now)
            author = update.author_id
    if refused:
        raise NotAllowed
    if author:
        runtime.member_changed(team_id, author)
    return UpdateDeleted(outbox_id)


async def toggle_kudos(runtime: Runtime, *, team_id: str, user_id: str, update_id: int) -> bool:
    """Give kudos, or take them back; True when the member now gives kudos."""
    async with runtime.db.session() as session, session.begin():
        update = await _live_update(session, team_id, update_id)
        return await _toggle_kudos(session, team_id=team_id, update_id=update.id, user_id=user_id,
                                   now=runtime.clock.now())


async def save_project(runtime: Runtime, *, team_id: str, user_id: str, fields: ProjectFields,
                       project_id: int | None = None) -> ProjectSaved:
    """Create a project (no id) or edit one the member may change."""
    fields = _guard_project(runtime, fields)
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        if project_id is not None:
            project = await get_project(session, team_id, project_id)
            if project is None:
                raise NotFound
            if not can_contribute(project, user_id, runtime.settings.is_admin(user_id)):
                raise NotAllowed
            before = {m.slack_user_id for m in project.members} | {project.owner_id}
            aim_before = project.aim
            if errors := await update_project(session, project, fields, now):
                raise MeasureConflict(errors)
            action = "qi_project.edited"
            if (aim_before or "").strip() != (project.aim or "").strip():
                # A changed aim is reframing value in the leaders' report: counted from this row.
                record(session, team_id=team_id, actor_id=user_id, action=AIM_CHANGED,
                       subject=f"qi_project:{project.id}", at=now)
        else:
            await ensure_member(runtime, session, team_id, user_id)
            project = await create_project(session, team_id=team_id, owner_id=user_id, fields=fields, now=now)
            before, action = set(), "qi_project.created"
        await index_project(session, project, with_updates=project_id is not None)
        record(session, team_id=team_id, actor_id=user_id, action=action, subject=f"qi_project:{project.id}", at=now)
        people = before | {m.slack_user_id for m in project.members} | {project.owner_id, user_id}
        saved = ProjectSaved(project.id, project.slug, created=project_id is None)
    for person in sorted(people):
        runtime.member_changed(team_id, person)
    return saved


async def change_project_status(runtime: Runtime, *, team_id: str, user_id: str, project_id: int | None,
                                status: str) -> None:
    """Pause, resume or complete a project (ValueError for a status that does not exist)."""
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        project = await get_project(session, team_id, project_id)
        if project is None or not can_contribute(project, user_id, runtime.settings.is_admin(user_id)):
            raise NotAllowed
        if status not in STATUSES:
            raise ValueError(f"unknown project status {status!r}")
        set_status(project, status, now)
        record(session, team_id=team_id, actor_id=user_id, action=f"qi_project.{status}",
               subject=f"qi_project:{project.id}", at=now)
        people = [project.owner_id, *(m.slack_user_id for m in project.members)]
    for person in people:
        runtime.member_changed(team_id, person)



# --- reads the handlers render (no state change) -------------------------------------------------


@dataclass(frozen=True)
class ProjectList:
    projects: list[ProjectView]
    last_updates: dict[int, datetime]
    total: int


async def active_projects(runtime: Runtime, team_id: str, user_id: str) -> list[ProjectView]:
    """A member's active projects (owner or team), most recently changed first."""
    async with runtime.db.session() as session:
        return [project_view(p) for p in await projects_of(session, team_id, user_id, active_only=True)]


async def project_list(runtime: Runtime, team_id: str, user_id: str, *, limit: int) -> ProjectList:
    """A member's most recently active `limit` projects, when each last had an update, and how many there are."""
    async with runtime.db.session() as session:
        projects = await projects_of(session, team_id, user_id, limit=limit + 1)
        total = len(projects) if len(projects) <= limit else len(await projects_of(session, team_id, user_id))
        return ProjectList([project_view(p) for p in projects],
                           await last_update_at(session, [p.id for p in projects]), total)


async def project_to_change(runtime: Runtime, team_id: str, user_id: str, project_id: int | None) -> ProjectView:
    """The project, if this member may post to or edit it (NotAllowed otherwise, as for a missing one)."""
    async with runtime.db.session() as session:
        project = await get_project(session, team_id, project_id)
    if project is None or not can_contribute(project, user_id, runtime.settings.is_admin(user_id)):
        raise NotAllowed
    return project_view(project)


async def update_to_edit(runtime: Runtime, team_id: str, user_id: str, update_id: int) -> UpdateView:
    async with runtime.db.session() as session:
        update = await _live_update(session, team_id, update_id)
        if not can_change_update(update, user_id, runtime.settings.is_admin(user_id)):
            raise NotAllowed
        view = await update_view(session, team_id, update_id)
    assert view is not None
    return view
