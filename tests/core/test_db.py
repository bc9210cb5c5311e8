"""The engine's connections: a dead PostgreSQL connection is replaced before anyone uses it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from storage import db as storage_db
from storage.models import Member


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_connection_the_server_dropped_is_replaced_unseen(db, monkeypatch):
    async with db.session() as session:
        await session.execute(select(Member.id))  # one pooled connection, now idle
    async with db.engine.connect() as other:  # the server ends every other backend, as a restart would
        await other.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE", 0.0)  # as if it had sat idle a while
    async with db.session() as session:
        assert (await session.execute(select(Member.id))).all() == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_connection_just_used_is_not_pinged(db):
    pings = []
    monkey = db.engine.dialect.do_ping
    db.engine.dialect.do_ping = lambda connection: pings.append(connection) or monkey(connection)
    for _ in range(5):
        async with db.session() as session:
            await session.execute(select(Member.id))
    assert pings == []  # each checkout found a connection returned a moment ago
