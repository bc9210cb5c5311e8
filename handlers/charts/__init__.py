"""Run charts in Slack: `/qi-commons chart #slug [measure]` to the member's DM, "Run chart" on a project's card
into its thread."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.charts import actions


def register(app: AsyncApp, runtime: Runtime) -> None:
    actions.register(app, runtime)
