"""QI projects: the Model for Improvement's parts (aim, measures, change ideas), PDSA stage and progress.

A project belongs to its owner and its team members; they (and admins) may post updates to it and
edit it. Projects are found by a short slug made from the title (`/qi-share #slug ...`), unique per
workspace. Every query here is scoped by team_id.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MeasureDataPoint, QiMeasure, QiProject, QiProjectMember

# The progress score QI collaboratives use (IHI), so members speak the same language as QI programmes.
PROGRESS_SCALE: tuple[tuple[Decimal, str], ...] = tuple((Decimal(score), meaning) for score, meaning in (
    ("0.5", "Intent to participate"),
    ("1.0", "Forming team"),
    ("1.5", "Planning for the project has begun"),
    ("2.0", "Activity, but no changes yet"),
    ("2.5", "Changes tested, but no improvement yet"),
    ("3.0", "Modest improvement"),
    ("3.5", "Improvement"),
    ("4.0", "Significant improvement"),
    ("4.5", "Sustainable improvement"),
    ("5.0", "Outstanding sustainable results"),
))
# Each stage says what it means, so the picker teaches the cycle.
PDSA_STAGES: tuple[tuple[str, str, str], ...] = (
    ("plan", "Plan", "state a prediction and plan a small test"),
    ("do", "Do", "run the test and collect data"),
    ("study", "Study", "compare the results with the prediction"),
    ("act", "Act", "adopt, adapt or abandon the change"),
)
MEASURE_KINDS: tuple[tuple[str, str], ...] = (
    ("outcome", "does the change improve what matters to patients?"),
    ("process", "are we doing what we planned, as planned?"),
    ("balancing", "are we causing a problem somewhere else?"),
)
STATUSES = ("active", "paused", "completed")

# Lengths keep every field inside one Slack block even after escaping (see handlers/sharing/blocks.py).
LIMITS = {"title": 120, "aim": 1000, "change_ideas": 1000, "measures": 1500, "tags": 200}
MAX_MEASURES = 10
MAX_TAGS = 10
SLUG_LENGTH = 40
_SLUG_SAFE = re.compile(r"[^a-z0-9]+")
_MEASURE_LINE = re.compile(r"\s*[-*•]?\s*(\w+)\s*[:\-–]\s*(.+)")


@dataclass(frozen=True)
class ProjectFields:
    """What a member types about a project, already checked."""

    title: str
    aim: str | None
    measures: tuple[tuple[str, str], ...]  # (kind, name)
    change_ideas: str | None
    pdsa_stage: str
    progress_score: Decimal
    members: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class MeasureView:
    id: int
    kind: str
    name: str
    unit: str | None = None


@dataclass(frozen=True)
class ProjectView:
    """Everything a project's card, list entry and forms show; what renderers get instead of the row."""

    id: int
    slug: str
    title: str
    aim: str | None
    change_ideas: str | None
    pdsa_stage: str | None
    progress_score: Decimal | None
    status: str
    tags: tuple[str, ...]
    owner_id: str
    members: tuple[str, ...]  # Slack user ids of the team, the owner not included
    measures: tuple[MeasureView, ...]
    channel_id: str | None
    thread_ts: str | None


def project_view(project: QiProject) -> ProjectView:
    return ProjectView(id=project.id, slug=project.slug, title=project.title, aim=project.aim,
                       change_ideas=project.change_ideas, pdsa_stage=project.pdsa_stage,
                       progress_score=project.progress_score, status=project.status, tags=tuple(project.tags or ()),
                       owner_id=project.owner_id, members=tuple(m.slack_user_id for m in project.members),
                       measures=tuple(MeasureView(m.id, m.kind, m.name, m.unit) for m in project.measures),
                       channel_id=project.channel_id, thread_ts=project.thread_ts)


def progress_label(score: Decimal | None) -> str:
    """'2.5 · Changes tested, but no improvement yet' (option text stays under Slack's 75)."""
    if score is None:
        return "not scored"
    meaning = dict(PROGRESS_SCALE).get(Decimal(score).quantize(Decimal("0.1")), "")
    return f"{Decimal(score):.1f} · {meaning}" if meaning else f"{Decimal(score):.1f}"


def stage_label(stage: str | None) -> str:
    return next((label for key, label, _ in PDSA_STAGES if key == stage), "not set")


def parse_progress(value: str | None) -> Decimal | None:
    scores = {str(score): score for score, _ in PROGRESS_SCALE}
    return scores.get(value or "")


def parse_measures(text: str | None) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """'Outcome: % screened' lines -> ((kind, name), ...), or an error saying how to write them."""
    kinds = {kind for kind, _ in MEASURE_KINDS}
    measures: list[tuple[str, str]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _MEASURE_LINE.fullmatch(line)
        kind = match.group(1).lower() if match else ""
        if kind not in kinds:
            return (), (f"Start each line with outcome:, process: or balancing: (\"{line.strip()[:30]}\" "
                        "does not).")[:150]
        name = match.group(2).strip()[:150]
        if name.lower() not in {n.lower() for _, n in measures}:
            measures.append((kind, name))
    if len(measures) > MAX_MEASURES:
        return (), f"Please list at most {MAX_MEASURES} measures: the few that tell you most."
    return tuple(measures), None


def parse_tags(text: str | None) -> tuple[str, ...]:
    tags: list[str] = []
    for raw in re.split(r"[,;\n]", text or ""):
        tag = raw.strip().lstrip("#").lower()[:30]
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags[:MAX_TAGS])


def slugify(title: str) -> str:
    """'Métabolic monitoring on 4B!' -> 'metabolic-monitoring-on-4b'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _SLUG_SAFE.sub("-", ascii_title.lower()).strip("-")[:SLUG_LENGTH].rstrip("-")
    return slug or "project"


async def _unique_slug(session: AsyncSession, team_id: str, title: str, exclude_id: int | None = None) -> str:
    base = slugify(title)
    taken = set((await session.scalars(
        select(QiProject.slug).where(QiProject.team_id == team_id, QiProject.slug.like(f"{base}%"),
                                     QiProject.id != (exclude_id or 0)))).all())
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


async def get_project(session: AsyncSession, team_id: str, project_id: int | None) -> QiProject | None:
    if project_id is None:
        return None
    return await session.scalar(select(QiProject).where(QiProject.team_id == team_id, QiProject.id == project_id))


async def project_by_slug(session: AsyncSession, team_id: str, slug: str) -> QiProject | None:
    return await session.scalar(select(QiProject).where(QiProject.team_id == team_id, QiProject.slug == slug.lower()))


async def projects_of(session: AsyncSession, team_id: str, user_id: str, *, active_only: bool = False,
                      limit: int | None = None) -> list[QiProject]:
    """Projects a member owns or is on the team of, most recently changed first."""
    membership = select(QiProjectMember.project_id).where(QiProjectMember.team_id == team_id,
                                                          QiProjectMember.slack_user_id == user_id)
    query = (select(QiProject)
             .where(QiProject.team_id == team_id, or_(QiProject.owner_id == user_id, QiProject.id.in_(membership)))
             .order_by(QiProject.status != "active", QiProject.updated_at.desc().nulls_last(),
                       QiProject.created_at.desc(), QiProject.id.desc())
             .limit(limit))
    if active_only:
        query = query.where(QiProject.status == "active")
    return list((await session.scalars(query)).all())


def can_contribute(project: QiProject, user_id: str, is_admin: bool) -> bool:
    """Owner, team members and admins may post updates to a project and edit it."""
    return is_admin or project.owner_id == user_id or any(m.slack_user_id == user_id for m in project.members)


async def create_project(session: AsyncSession, *, team_id: str, owner_id: str, fields: ProjectFields,
                         now: datetime) -> QiProject:
    project = QiProject(team_id=team_id, owner_id=owner_id, slug=await _unique_slug(session, team_id, fields.title),
                        title=fields.title, aim=fields.aim, change_ideas=fields.change_ideas,
                        pdsa_stage=fields.pdsa_stage, progress_score=fields.progress_score, status="active",
                        tags=list(fields.tags), created_at=now, updated_at=now)
    project.members = [QiProjectMember(team_id=team_id, slack_user_id=user) for user in fields.members
                       if user != owner_id]
    project.measures = [QiMeasure(team_id=team_id, name=name, kind=kind) for kind, name in fields.measures]
    session.add(project)
    await session.flush()
    return project


async def update_project(session: AsyncSession, project: QiProject, fields: ProjectFields,
                         now: datetime) -> dict[str, str]:
    """Apply an edit; a measure that already has data points may not be dropped (field errors if so)."""
    wanted = {name.lower(): (kind, name) for kind, name in fields.measures}
    dropped = [m for m in project.measures if m.name.lower() not in wanted]
    for measure in dropped:
        if await session.scalar(select(exists().where(MeasureDataPoint.measure_id == measure.id))):
            return {"measures": f"\"{measure.name[:40]}\" has data points, so keep it in the list."}
    if fields.title != project.title:
        project.slug = await _unique_slug(session, project.team_id, fields.title, exclude_id=project.id)
    project.title, project.aim, project.change_ideas = fields.title, fields.aim, fields.change_ideas
    project.pdsa_stage, project.progress_score = fields.pdsa_stage, fields.progress_score
    project.tags, project.updated_at = list(fields.tags), now
    kept = {m.name.lower(): m for m in project.measures if m not in dropped}
    for key, (kind, name) in wanted.items():
        if key in kept:
            kept[key].kind, kept[key].name = kind, name
    project.measures = [*kept.values(), *(QiMeasure(team_id=project.team_id, name=name, kind=kind)
                                          for key, (kind, name) in wanted.items() if key not in kept)]
    members = [user for user in fields.members if user != project.owner_id]
    current = {m.slack_user_id: m for m in project.members}
    project.members = [current.get(user) or QiProjectMember(team_id=project.team_id, slack_user_id=user)
                       for user in members]
    await session.flush()
    return {}


def set_status(project: QiProject, status: str, now: datetime) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown project status {status!r}")
    project.status, project.updated_at = status, now
