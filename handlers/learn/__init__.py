"""`/qi-commons learn`: short, sourced QI primers (the words live in bot/data/learn_topics.toml)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.learn import actions


def register(app: AsyncApp, runtime: Runtime) -> None:
    actions.register(app, runtime)
