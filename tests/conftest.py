"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL (scripts/test.sh starts a private cluster and sets it). Its
schema is migrated once per session and emptied between tests; SQLite gets a copy of a migrated
template file per test. Both therefore run the real migrations, not `create_all`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_bolt.async_app import AsyncApp
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.core.clock import FrozenClock
from bot.core.config import Settings, load_settings
from bot.core.runtime import Runtime
from bot.core.slack import sessions
from bot.runners.app import build_app, build_runtime
from sandbox import SlackDriver, SlackStandIn
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


def pytest_collection_modifyitems(config, items):
    if POSTGRES_URL:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests cannot be skipped in CI")
    skip = pytest.mark.skip(reason="PostgreSQL is not available (set TEST_DATABASE_URL)")
    for item in items:
        if "[postgresql" in item.nodeid or item.get_closest_marker("postgresql"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str | None]:
    """A fresh database for this test session on the PostgreSQL server, migrated from empty.

    Each session gets its own database so that concurrent runs (two developers, or CI next to a
    developer) never truncate each other's tables; it is dropped at the end.
    """
    if not POSTGRES_URL:
        yield None
        return
    name = f"qi_test_{os.getpid()}_{secrets.token_hex(3)}"
    _admin_sql(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    _admin_sql(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_sql(url: str, statement: str) -> None:
    async def run() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        path = tmp_path / "qi.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("postgres_migrated")
    if url is None:
        pytest.skip("PostgreSQL is not available (set TEST_DATABASE_URL)")
    return url


@pytest.fixture
async def db(database_url, backend) -> AsyncIterator[Database]:
    database = Database(database_url)
    if backend == "postgresql":
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    await database.dispose()


@pytest.fixture(autouse=True)
async def close_slack_sessions() -> AsyncIterator[None]:
    """The kept-open Slack sessions belong to this test's event loop, which closes after it."""
    yield
    await sessions.close_all()


@pytest.fixture
def retry_waits(monkeypatch) -> list[float]:
    """The waits slack_sdk's 429 retry handler asks for, recorded instead of slept.

    Asserting the requested wait proves Retry-After was honoured without a real sleep (or a timing
    assertion) in the suite.
    """
    import slack_sdk.http_retry.builtin_async_handlers as handlers

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(handlers, "asyncio", type("RecordedSleep", (), {"sleep": staticmethod(sleep)}))
    return waits


@pytest.fixture
def clock() -> FrozenClock:
    # A Wednesday morning in Toronto, away from DST changes and holidays.
    return FrozenClock(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))


SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
ADMIN_ID = "U0ADMIN"


@pytest.fixture
def make_settings(database_url):
    def make(**overrides) -> Settings:
        values = dict(slack_bot_token="xoxb-test", slack_signing_secret=SIGNING_SECRET,
                      database_url=database_url, community_channel_id="C0COMMUNITY",
                      admin_user_ids=ADMIN_ID, staff_email_domains="uhn.ca,utoronto.ca",
                      _env_file=None)
        values.update(overrides)
        return load_settings(**values)

    return make


MEMBER_ID = "U0MEMBER1"
OTHER_ID = "U0MEMBER2"


@dataclass
class Harness:
    """The real app wired to a local Slack stand-in, driven with signed requests as Slack would."""

    slack: SlackStandIn
    runtime: Runtime
    app: AsyncApp
    driver: SlackDriver
    clock: FrozenClock

    async def settle(self) -> None:
        """Wait for the work listeners do after their ack."""
        assert await self.runtime.inflight.wait(10), "listeners still running after 10 s"


@pytest.fixture
async def env(make_settings, db, clock) -> AsyncIterator[Harness]:
    async with SlackStandIn() as slack:
        slack.add_user(ADMIN_ID, name="qi.lead", real_name="Dr. Ada Lead", email="ada.lead@uhn.ca")
        slack.add_user(OTHER_ID, name="sam.nurse", real_name="Sam Nurse", email="sam.nurse@uhn.ca",
                       tz="America/Vancouver")
        runtime = build_runtime(make_settings(slack_api_url=slack.api_url), clock=clock, db=db)
        app = build_app(runtime)
        driver = SlackDriver.in_process(app, signing_secret=SIGNING_SECRET, standin=slack, now=clock.timestamp)
        yield Harness(slack, runtime, app, driver, clock)
        await runtime.inflight.wait(10)
