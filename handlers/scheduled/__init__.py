"""Scheduled posts: the weekly prompt and digest jobs, their buttons, and the digest preview."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot import scheduled_posts
from bot.runtime import Runtime
from handlers.scheduled import actions


def register(app: AsyncApp, runtime: Runtime) -> None:
    scheduled_posts.install(runtime)
    actions.register(app, runtime)
