"""Mentoring (issue 5): mentor profiles, /find-mentor, formal and informal flows, check-ins, escalation.

`/qi-commons mentor` is routed from handlers/commands/qi_commons.py; the roster import is the
`qi-commons mentors import` CLI (bot/mentor_import.py); the minute sweep runs jobs.move_requests_on
and the nudges through bot.core.nudges.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from handlers.mentoring import answers, find, jobs, notify, pairs, profile, requests


def register(app: AsyncApp, runtime: Runtime) -> None:
    notify.register_hooks(runtime)
    jobs.register(runtime)
    profile.register(app, runtime)
    find.register(app, runtime)
    requests.register(app, runtime)
    answers.register(app, runtime)
    pairs.register(app, runtime)
