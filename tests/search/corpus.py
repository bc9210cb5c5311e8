"""A small department's worth of QI work, stored through the real services (so the index upkeep runs)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bot.sharing import services
from bot.sharing.projects import ProjectFields
from bot.sharing.updates import UpdateFields
from tests.mentoring_helpers import add_mentor

TEAM = "T0001"
ME = "U0MEMBER1"
OTHER = "U0MEMBER2"
THIRD = "U0THIRD3"
MENTOR = "U0MENTOR1"


def project(title: str, aim: str, *, tags: tuple[str, ...] = (), change_ideas: str | None = None,
            measures: tuple[tuple[str, str], ...] = (), stage: str = "plan") -> ProjectFields:
    return ProjectFields(title=title, aim=aim, measures=measures, change_ideas=change_ideas, pdsa_stage=stage,
                         progress_score=Decimal("1.0"), members=(), tags=tags)


async def new_project(env, owner: str, fields: ProjectFields, team_id: str = TEAM) -> int:
    env.clock.advance(timedelta(days=1))  # each a day apart: ties break newest first
    saved = await services.save_project(env.runtime, team_id=team_id, user_id=owner, fields=fields)
    return saved.project_id


async def share(env, owner: str, project_id: int | None, tried: str, learned: str | None = None,
                stage: str | None = "do") -> int:
    env.clock.advance(timedelta(days=1))
    shared = await services.share_update(env.runtime, team_id=TEAM, user_id=owner, project_id=project_id,
                                         fields=UpdateFields(tried=tried, learned=learned, pdsa_stage=stage))
    return shared.update_id


async def seed(env) -> dict[str, int]:
    """Ids by name of what the tests look for."""
    env.slack.add_user(THIRD, name="third", real_name="Dr. Third Person")
    ids = {}
    ids["falls"] = await new_project(env, ME, project(
        "Falls prevention on 4B", "Reduce inpatient falls on 4B by 30% by June 2027", tags=("falls", "safety"),
        change_ideas="Hourly rounding; bed alarms", measures=(("outcome", "Falls per 1,000 patient days"),)))
    ids["discharge"] = await new_project(env, OTHER, project(
        "Discharge summaries within 48 hours", "Send every discharge summary to the family doctor within 48 hours",
        tags=("discharge", "handover"), stage="do"))
    ids["readmission"] = await new_project(env, THIRD, project(
        "Réadmission à 30 jours", "Reduce 30-day readmissions after discharge from the mood disorders unit",
        tags=("readmission",), stage="study"))
    ids["restraint"] = await new_project(env, OTHER, project(
        "Restraint use in the emergency department", "Fewer restraints through early de-escalation",
        tags=("restraint", "safety")))
    ids["metabolic"] = await new_project(env, THIRD, project(
        "Metabolic monitoring on antipsychotics", "Screen 80% of inpatients on antipsychotics for metabolic risk",
        tags=("metabolic",)))
    ids["falls_update"] = await share(env, ME, ids["falls"], "Hourly rounding at night to prevent a fall",
                                      "Bed alarms helped; night shift liked the checklist")
    ids["general_update"] = await share(env, OTHER, None, "Tried a huddle about discharge planning", None, None)
    await add_mentor(env, MENTOR, "Dr. Ada Example", ("measurement-run-charts",),
                     bio="I have coached falls audits and run charts on three units.")
    ids["other_team_falls"] = await new_project(env, ME, project(
        "Falls prevention in another workspace", "Falls falls falls", tags=("falls",)), team_id="T0OTHER")
    return ids
