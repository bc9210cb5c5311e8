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
    report,
    sharing,
    weekly,
    workspace,
)
from handlers.charts.delivery import CHART
from handlers.commands import qi_commons
from handlers.search import actions as search
from handlers.sharing.blocks import KUDOS


def register(app: AsyncApp, runtime: Runtime) -> None:
    # A partner organisation's guest in a shared channel may give kudos and open a run chart; nothing else.
    middleware.register(app, runtime, open_to_guests=frozenset({KUDOS, CHART}))
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
    report.register(app, runtime)
    workspace.register(app, runtime)
