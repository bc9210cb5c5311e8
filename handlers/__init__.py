"""Slack listeners: one small listener per file, registered folder by folder."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers import (
    admin,
    charts,
    cpd,
    errors,
    home,
    learn,
    member_settings,
    mentoring,
    middleware,
    privacy,
    sharing,
    weekly,
    workspace,
)
from handlers.commands import qi_commons
from handlers.search import actions as search


def register(app: AsyncApp, runtime: Runtime) -> None:
    middleware.register(app, runtime)
    errors.register(app, runtime)
    qi_commons.register(app, runtime)
    cpd.register(app, runtime)
    sharing.register(app, runtime)
    weekly.register(app, runtime)
    home.register(app, runtime)
    mentoring.register(app, runtime)
    learn.register(app, runtime)
    charts.register(app, runtime)
    member_settings.register(app, runtime)
    privacy.register(app, runtime)
    search.register(app, runtime)
    admin.register(app, runtime)
    workspace.register(app, runtime)
