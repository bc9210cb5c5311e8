"""Migration 0005 remembers where running pairs' kick-offs and check-ins went, so their end updates them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import POSTGRES_URL, _admin_sql

ROWS = [  # (purpose, mentorship, status, args channel, result)
    ("mentorship_kickoff", 1, "sent", "G0PAIR", {"ok": True, "channel": "G0PAIR", "ts": "1.1"}),
    ("mentorship_checkin", 1, "sent", "U0MEMBER1", {"ok": True, "channel": "D0MEMBER1", "ts": "2.2"}),
    ("mentorship_checkin", 1, "pending", "U0MENTOR1", None),  # never sent: nothing to update
    ("mentorship_kickoff", 2, "sent", "G0ENDED", {"ok": True, "channel": "G0ENDED", "ts": "3.3"}),  # ended pair
]


async def _run(url: str, statements: list[tuple[str, dict]] | str) -> list:
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            if isinstance(statements, str):
                return (await connection.execute(text(statements))).all()
            for statement, values in statements:
                await connection.execute(text(statement), values)
            return []
    finally:
        await database.dispose()


def _seed(url: str) -> None:
    now = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
    statements = [(
        "INSERT INTO mentorships (id, team_id, mentor_id, mentee_id, kind, status, started_at) "
        "VALUES (:id, 'T0001', 'U0MENTOR1', 'U0MEMBER1', 'formal', :status, :now)",
        {"id": pair, "status": status, "now": now}) for pair, status in ((1, "active"), (2, "ended"))]
    for n, (purpose, pair, status, channel, result) in enumerate(ROWS, start=1):
        statements.append((
            "INSERT INTO outbox (id, team_id, method, args, channel_id, purpose, subject_id, status, attempts, "
            "next_attempt_at, result, created_at) VALUES (:id, 'T0001', 'chat.postMessage', :args, :channel, "
            ":purpose, :pair, :status, 1, :now, :result, :now)",
            {"id": n, "args": json.dumps({"channel": channel, "text": "x"}), "channel": channel, "purpose": purpose,
             "pair": pair, "status": status, "now": now, "result": json.dumps(result) if result else None}))
    asyncio.run(_run(url, statements))


def _check(url: str) -> None:
    upgrade(url, "0004")
    _seed(url)
    upgrade(url)
    rows = asyncio.run(_run(url, "SELECT mentorship_id, kind, slack_user_id, channel_id, ts FROM mentorship_messages "
                                 "ORDER BY id"))
    assert [tuple(row) for row in rows] == [(1, "kickoff", None, "G0PAIR", "1.1"),
                                            (1, "checkin", "U0MEMBER1", "D0MEMBER1", "2.2")]


def test_running_pairs_messages_are_remembered_on_sqlite(tmp_path):
    _check(f"sqlite+aiosqlite:///{tmp_path}/old.db")


@pytest.mark.postgresql
def test_running_pairs_messages_are_remembered_on_postgresql():
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL is not available (set TEST_DATABASE_URL)")
    name = f"{make_url(POSTGRES_URL).database}_0005"
    _admin_sql(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    try:
        _check(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        _admin_sql(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
