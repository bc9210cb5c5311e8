"""The PHI gate runs in every storing sharing service itself, not only behind the Slack forms."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.core import phi
from bot.sharing import services
from bot.sharing.projects import ProjectFields
from bot.sharing.updates import UpdateFields
from storage.models import OutboxMessage, QiProject, QiUpdate
from tests.sharing_helpers import MEMBER, projects, submit_share, updates

HEALTH_NUMBER = "1234-567-897"
TEAM = "T0TEST"


def test_the_number_used_here_is_a_valid_ontario_health_number():
    assert [hit.kind for hit in phi.scan(HEALTH_NUMBER)] == ["health_number"]


def _project(**text: str) -> ProjectFields:
    values = {"title": "Falls on 4B", "aim": None, "change_ideas": None, **text}
    measures = ((("outcome", values.pop("measure")),) if "measure" in values else (("outcome", "falls"),))
    tags = (values.pop("tag"),) if "tag" in values else ()
    return ProjectFields(measures=measures, tags=tags, pdsa_stage="plan", progress_score=Decimal("1.0"),
                         members=(), **values)


async def _counts(env) -> tuple[int, int, int]:
    async with env.runtime.db.session() as session:
        return tuple([await session.scalar(select(func.count()).select_from(model))  # type: ignore[misc]
                      for model in (QiUpdate, QiProject, OutboxMessage)])


async def _refused(env, call) -> None:
    before = await _counts(env)
    with pytest.raises(phi.ContainsPhi):
        await call
    assert await _counts(env) == before


@pytest.mark.parametrize("field", ["tried", "learned", "help_wanted"])
async def test_share_update_refuses_a_health_number_in_any_update_text(env, field):
    fields = UpdateFields(**{"tried": "Tried a checklist", field: f"OHIP {HEALTH_NUMBER}"})
    await _refused(env, services.share_update(env.runtime, team_id=TEAM, user_id=MEMBER, fields=fields))


@pytest.mark.parametrize("text", [{"title": f"Falls {HEALTH_NUMBER}"}, {"aim": f"Start with {HEALTH_NUMBER}"},
                                  {"change_ideas": f"Call {HEALTH_NUMBER}"}, {"measure": f"falls {HEALTH_NUMBER}"},
                                  {"tag": HEALTH_NUMBER}])
async def test_a_new_project_with_a_health_number_stores_nothing(env, text):
    await _refused(env, services.share_update(env.runtime, team_id=TEAM, user_id=MEMBER,
                                              fields=UpdateFields(tried="Tried a checklist"),
                                              new_project=_project(**text)))
    await _refused(env, services.save_project(env.runtime, team_id=TEAM, user_id=MEMBER, fields=_project(**text)))


async def test_quick_share_edit_and_project_edit_refuse_a_health_number(env):
    await submit_share(env, "new")
    [project], [update] = await projects(env), await updates(env)
    await _refused(env, services.quick_share(env.runtime, team_id=project.team_id, user_id=MEMBER,
                                             text=f"#{project.slug} Reviewed OHIP {HEALTH_NUMBER}"))
    await _refused(env, services.edit_shared_update(env.runtime, team_id=project.team_id, user_id=MEMBER,
                                                    update_id=update.id,
                                                    fields=UpdateFields(tried=f"Called {HEALTH_NUMBER}")))
    await _refused(env, services.save_project(env.runtime, team_id=project.team_id, user_id=MEMBER,
                                              project_id=project.id, fields=_project(aim=f"OHIP {HEALTH_NUMBER}")))
    [unchanged] = await updates(env)
    assert unchanged.tried == update.tried
    assert [p.aim for p in await projects(env)] == [project.aim]
