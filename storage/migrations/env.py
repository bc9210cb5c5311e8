"""Alembic environment: runs migrations over the async engine in one connection."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import create_engine
from storage.models import Base, is_full_text_internal

config = context.config
target_metadata = Base.metadata


def include_object(_object, name, type_, _reflected, _compare_to) -> bool:
    return not is_full_text_internal(name, type_)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Replicas starting together on a new database would both create the schema; the second
            # waits here, then finds it up to date. The lock ends with the transaction.
            connection.execute(text("SELECT pg_advisory_xact_lock(7270001)"))
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
