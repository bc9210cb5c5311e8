"""The async engine and sessions: one session per unit of work."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the health check read while a job writes,
    # and the busy timeout turns brief lock contention into a wait instead of an error.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def upsert(session: AsyncSession, model: Any) -> Any:
    """An INSERT that takes ON CONFLICT (both databases support it): one statement where a savepoint,
    an insert and a retry would be three round trips."""
    return (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(model)


def create_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # One connection: SQLite has one writer at a time, and writers queued on our pool wait their turn
        # in order, where a dozen connections spinning in SQLite's busy handler starve each other into
        # "database is locked" under a burst. So a session must never be opened inside another one.
        engine = create_async_engine(url, pool_size=1, max_overflow=0)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Twenty connections a process, kept: under a burst, "overflow" connections were opened and closed
    # again at every checkin (about 40 a bench run), each paying its connect, authentication, type
    # codec set-up and statement preparation again. The cap is what it was (10 + 10 overflow).
    engine = create_async_engine(url, pool_size=20, max_overflow=0)
    _ping_idle_connections(engine)
    return engine


# A connection back in the pool for longer than this is checked before use.
PING_AFTER_IDLE = 5.0  # seconds


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """pool_pre_ping, but only for connections idle a while (as HikariCP does).

    SQLAlchemy's pre-ping costs three round trips on asyncpg at every checkout: an eighth of a share's CPU
    under a burst, when the connection was in use a millisecond ago. A connection that sat idle (the
    server may have restarted meanwhile) is still pinged, and a dead one replaced before anyone uses it.
    """
    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _check(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("returned_at", 0.0) < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure: the pool replaces the connection
            raise exc.DisconnectionError(str(error)) from error


class Database:
    """Owns the engine; hands out sessions.

    `session()` is the unit of work: `async with db.session() as s, s.begin():` for a change, whose
    statements commit together. `autocommit()` is for what needs no transaction: reads, and a change
    that is one statement (a conditional UPDATE, an INSERT that a unique key guards). Each statement
    commits on its own, so PostgreSQL is spared the BEGIN and the COMMIT or ROLLBACK, two of the
    three round trips of a one-statement transaction; under READ COMMITTED each statement of a
    transaction sees a fresh snapshot anyway, so reads see what they would have seen in one.
    """

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.engine = create_engine(database_url)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self.autocommit = async_sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                                             expire_on_commit=False, class_=AsyncSession)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "unreachable" to a health check
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
