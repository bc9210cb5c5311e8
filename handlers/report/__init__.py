"""The value report and value stories: `/qi-commons admin report`, the monthly DMs, the story form."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.report import jobs, stories


def register(app: AsyncApp, runtime: Runtime) -> None:
    jobs.register(runtime)
    stories.register(app, runtime)
