"""What the report counts that nothing recorded before: a primer read, a changed aim, a share answering the
weekly prompt. Each is an audit row written where it happens, and the report counts it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from bot.report.build import report_of
from bot.report.periods import Period
from bot.sharing import services
from handlers.weekly.jobs import run_weekly_job
from storage.models import AuditLog
from tests.conftest import MEMBER_ID
from tests.sharing_helpers import NEW_PROJECT, projects, submit_share

NOVEMBER = Period(date(2026, 11, 1), 1)


async def _actions(env) -> list[tuple[str, str | None]]:
    async with env.runtime.db.session() as session:
        return [tuple(r) for r in (await session.execute(
            select(AuditLog.action, AuditLog.subject).where(AuditLog.action.in_(
                ("learn.primer_read", "weekly_prompt.answered", "qi_project.aim_changed")))
            .order_by(AuditLog.id))).all()]


async def _figure(env, indicator: str) -> str:
    return (await report_of(env.runtime, "T0001", NOVEMBER)).figure(indicator).current


async def test_opening_a_primer_is_counted(env):
    await env.driver.command("/qi-commons", "learn pdsa")
    await env.driver.action("learn_open_topic_smart-aims", value="smart-aims")
    await env.driver.command("/qi-commons", "learn no such topic")  # not a primer: not counted
    await env.settle()
    # Each read is recorded after its reply, so the command's and the click's may land in either order.
    assert sorted(await _actions(env)) == [("learn.primer_read", "topic:pdsa"), ("learn.primer_read", "topic:smart-aims")]
    assert await _figure(env, "primers_read") == "2"


async def test_a_share_from_the_weekly_prompt_answers_it_and_a_plain_share_does_not(env):
    prompt = await run_weekly_job(env.runtime, "prompt")
    await env.settle()
    actions = next(b for b in prompt.message["blocks"] if b["type"] == "actions")
    await env.driver.action("scheduled_share_update", value="share", block_id=actions["block_id"])
    await env.settle()
    await submit_share(env, "new", view=env.slack.opened_views[-1]["view"])
    await submit_share(env, "new", new=dict(NEW_PROJECT, title={"input": "Another project"}))
    prompt_id = actions["block_id"].split(":", 1)[1]
    assert await _actions(env) == [("weekly_prompt.answered", f"prompt:{prompt_id}")]
    assert (await _figure(env, "prompt_responses"), await _figure(env, "shares")) == ("1", "2")


async def test_a_changed_aim_is_counted_once_per_project(env):
    await submit_share(env, "new")
    [project] = await projects(env)
    fields = services.ProjectFields(title=project.title, aim=project.aim, measures=(("outcome", "% screened"),),
                                    change_ideas=None, pdsa_stage="do", progress_score=project.progress_score,
                                    members=(), tags=())
    await services.save_project(env.runtime, team_id="T0001", user_id=MEMBER_ID, fields=fields, project_id=project.id)
    assert await _actions(env) == []  # the same aim: an edit, not a new aim
    for aim in ("Screen 90% of admissions by June", "Screen 95% of admissions by June"):
        await services.save_project(env.runtime, team_id="T0001", user_id=MEMBER_ID, project_id=project.id,
                                    fields=replace(fields, aim=aim))
    assert await _actions(env) == [("qi_project.aim_changed", f"qi_project:{project.id}")] * 2
    assert await _figure(env, "aims_changed") == "1"
