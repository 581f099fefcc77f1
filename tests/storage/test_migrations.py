"""The Alembic migrations build exactly the schema `storage/tables.py` describes."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tenantry.storage.tables import metadata
from tests.support.server import LiveServer


def test_migrated_database_matches_the_tables(server: LiveServer) -> None:
    """The live server migrated its database at start: compare it with the metadata."""

    async def diff() -> list[object]:
        async with server.runtime.engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                )
            )

    assert server.call(diff()) == []


def test_every_table_exists_with_the_alembic_version(server: LiveServer) -> None:
    async def names() -> tuple[set[str], str]:
        async with server.runtime.engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            version = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
            return tables, str(version)

    tables, version = server.call(names())
    assert set(metadata.tables) <= tables
    assert version == "0001"
