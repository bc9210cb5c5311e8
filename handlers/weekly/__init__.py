"""Scheduled posts: the weekly prompt and digest jobs, their buttons, and the digest preview."""

from __future__ import annotations

from functools import partial

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.weekly import claims
from handlers.weekly import actions
from handlers.weekly.blocks import failure_notice


def register(app: AsyncApp, runtime: Runtime) -> None:
    # Keep each claim in step with the outbox row that posts it.
    runtime.outbox.on_sent(claims.PURPOSE, claims.mark_posted)
    runtime.outbox.on_dead(claims.PURPOSE, partial(claims.mark_failed, runtime, failure_notice))
    actions.register(app, runtime)
