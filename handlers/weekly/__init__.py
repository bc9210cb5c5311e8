"""Scheduled posts: the weekly prompt and digest jobs, their buttons, and the digest preview."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.weekly import claims as scheduled_posts
from handlers.weekly import actions


def register(app: AsyncApp, runtime: Runtime) -> None:
    scheduled_posts.install(runtime)
    actions.register(app, runtime)
