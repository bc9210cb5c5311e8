"""One migration history gives the models' schema on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Base, is_full_text_internal


def _diff(sync_connection):
    context = MigrationContext.configure(sync_connection, opts={
        "compare_type": True,
        "include_object": lambda _obj, name, type_, _reflected, _compare: not is_full_text_internal(name, type_)})
    return compare_metadata(context, Base.metadata)


def _shape(sync_connection):
    inspector = inspect(sync_connection)
    shape = {}
    # The full-text index is each database's own (migration 0009); tests/search checks it on both.
    for table in inspector.get_table_names():
        if table == "alembic_version" or is_full_text_internal(table, "table"):
            continue
        shape[table] = {
            "columns": sorted((c["name"], c["nullable"]) for c in inspector.get_columns(table)
                              if not is_full_text_internal(c["name"], "column")),
            "unique": sorted(u["name"] for u in inspector.get_unique_constraints(table)),
            # PostgreSQL also lists each unique constraint as an index; count it once.
            "indexes": sorted(i["name"] for i in inspector.get_indexes(table)
                              if not i.get("duplicates_constraint") and not is_full_text_internal(i["name"], "index")),
            "foreign_keys": sorted((fk["constrained_columns"][0], fk["referred_table"])
                                   for fk in inspector.get_foreign_keys(table)),
        }
    return shape


def _inspect(url, fn):
    async def go():
        database = Database(url)
        try:
            async with database.engine.connect() as connection:
                return await connection.run_sync(fn)
        finally:
            await database.dispose()

    return asyncio.run(go())


async def test_migrations_match_the_models(db):
    """The equivalent of `alembic check`: autogenerate finds nothing to change."""
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
        assert await connection.run_sync(current_revision) == head_revision()


@pytest.mark.postgresql
def test_schema_is_identical_on_both_databases(tmp_path, postgres_migrated):
    if postgres_migrated is None:
        pytest.skip("PostgreSQL is not available")
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    upgrade(sqlite_url)
    sqlite_shape, postgres_shape = _inspect(sqlite_url, _shape), _inspect(postgres_migrated, _shape)
    assert sqlite_shape == postgres_shape
    assert set(sqlite_shape) == {table.name for table in Base.metadata.sorted_tables}


def test_upgrade_from_empty_is_repeatable(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/empty.db"
    upgrade(url)
    upgrade(url)  # every start runs it; the second time must be a no-op, not an error
    assert _inspect(url, current_revision) == head_revision()


@pytest.mark.postgresql
def test_replicas_migrating_a_new_database_together_both_succeed(postgres_migrated):
    """Two replicas started at once on an empty PostgreSQL database must not crash each other."""
    if postgres_migrated is None:
        pytest.skip("PostgreSQL is not available")
    from tests.conftest import _admin_sql

    name = f"{make_url(postgres_migrated).database}_fresh"
    _admin_sql(postgres_migrated, f'CREATE DATABASE "{name}"')
    url = make_url(postgres_migrated).set(database=name).render_as_string(hide_password=False)
    try:
        # Separate processes, as replicas are (Alembic's context is process-global).
        command = [sys.executable, "-c", "import sys; from storage.migrate import upgrade; upgrade(sys.argv[1])", url]
        replicas = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for replica in replicas:
            _, errors = replica.communicate(timeout=120)
            assert replica.returncode == 0, errors
        assert _inspect(url, current_revision) == head_revision()
    finally:
        _admin_sql(postgres_migrated, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
