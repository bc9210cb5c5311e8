"""`/cpd-log settings`: the member's CPD framework, cycle start year and annual goal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.core.runtime import Runtime
from bot.cpd.entries import CpdProfile, get_profile, update_profile
from bot.cpd.rules import frameworks
from handlers.commands.context import CommandContext
from handlers.cpd.views import SETTINGS_FORM, VALUE, settings_form, settings_saved_view
from handlers.tenant import team_of

EARLIEST_CYCLE_START = 2000
MAX_GOAL = Decimal(1000)


async def open_settings(ctx: CommandContext) -> None:
    profile = await get_profile(ctx.runtime, ctx.team_id, ctx.user_id)
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=settings_form(profile))


def read_settings_form(values: dict[str, Any],
                       profile: CpdProfile) -> tuple[tuple[str, int | None, Decimal | None] | None, dict[str, str]]:
    errors: dict[str, str] = {}
    framework = ((values.get("framework", {}).get(VALUE, {}).get("selected_option")) or {}).get("value")
    if framework not in frameworks():
        errors["framework"] = "Choose a CPD framework."
    year_text = (values.get("cycle_start", {}).get(VALUE, {}).get("value") or "").strip()
    year = int(year_text) if year_text.isascii() and year_text.isdigit() else None
    latest = profile.today.year
    if year_text and (year is None or not EARLIEST_CYCLE_START <= year <= latest):
        errors["cycle_start"] = f"Write a year from {EARLIEST_CYCLE_START} to {latest}, e.g. 2024."
    goal_text = (values.get("annual_goal", {}).get(VALUE, {}).get("value") or "").strip()
    goal = None
    if goal_text:
        try:
            goal = Decimal(goal_text)
        except InvalidOperation:
            goal = None
        if goal is None or not goal.is_finite() or not 0 < goal <= MAX_GOAL:
            errors["annual_goal"] = f"Write a number above 0 and at most {MAX_GOAL}, e.g. 50."
    if errors:
        return None, errors
    return (framework, year, goal.quantize(Decimal("0.01")) if goal is not None else None), {}


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.view(SETTINGS_FORM)
    async def submitted(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any]) -> None:
        team_id, user_id = team_of(context), body["user"]["id"]
        profile = await get_profile(runtime, team_id, user_id)
        read, errors = read_settings_form(view["state"]["values"], profile)
        if read is None:
            await ack(response_action="errors", errors=errors)
            return
        framework, year, goal = read
        saved = await update_profile(runtime, team_id, user_id, framework=framework, cycle_start_year=year,
                                     annual_goal=goal)
        await ack(response_action="update", view=settings_saved_view(saved))
