"""The Alembic migrations build exactly the schema `storage/tables.py` describes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, insert, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.config import to_async_url
from tenantry.storage import tables as t
from tenantry.storage.db import create_engine
from tenantry.storage.migrate import (
    HEAD,
    OLDEST_COMPATIBLE,
    REVISIONS,
    alembic_config,
    compatibility_table,
    upgrade_to_head,
)
from tenantry.storage.partner_repository import SqlPartnerRepository
from tenantry.storage.tables import metadata
from tests.support.server import LiveServer
from tests.support.storage import shared_postgres


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
    assert version == HEAD


def _new_database(backend: str, path: Path) -> str:
    if backend == "postgresql":
        server = shared_postgres()
        assert server is not None
        return server.new_database()
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> str:
    return _new_database(backend, tmp_path / "old.db")


async def _migrated_by_alembic(url: str) -> AsyncEngine:
    """Every migration from an empty database, as a database made by release 0001 and
    upgraded release by release would get them."""
    engine = create_engine(to_async_url(url), lock_wait_seconds=10)
    async with engine.connect() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))
        await conn.commit()
    return engine


def _schema(sync: Connection) -> dict[str, object]:
    """Everything about the tables a client of the database depends on."""
    found = inspect(sync)
    schema: dict[str, object] = {}
    for table in sorted(found.get_table_names()):

        def names(items: list[Any]) -> list[Any]:
            return sorted(
                ({k: v for k, v in item.items() if k != "dialect_options"} for item in items),
                key=repr,
            )

        schema[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in found.get_columns(table)
            ],
            "primary key": found.get_pk_constraint(table)["constrained_columns"],
            "indexes": names(found.get_indexes(table)),
            "unique": names(found.get_unique_constraints(table)),
            "foreign keys": names(found.get_foreign_keys(table)),
            "checks": names(found.get_check_constraints(table)),
        }
    return schema


def test_head_is_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_current_head() == HEAD
    assert tuple(reversed([s.revision for s in scripts.walk_revisions()])) == REVISIONS


def _not_bookkeeping(name: str | None, kind: str, parent: object) -> bool:
    """Alembic compares the tables of tables.py, not the revisions' own bookkeeping."""
    return not (kind == "table" and name == compatibility_table.name)


async def _compatibility(engine: AsyncEngine) -> list[tuple[str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(compatibility_table.select())
        return [(row.revision, row.oldest_compatible) for row in rows]


async def test_the_migrations_build_exactly_the_tables(backend: str, tmp_path: Path) -> None:
    """An empty database is given the tables straight from tables.py and stamped with the
    newest revision; the migrations must build the very same schema, or databases made
    either way would drift apart."""
    migrated = await _migrated_by_alembic(_new_database(backend, tmp_path / "a.db"))
    fresh = create_engine(
        to_async_url(_new_database(backend, tmp_path / "b.db")), lock_wait_seconds=10
    )
    try:
        await upgrade_to_head(fresh)
        async with migrated.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync, opts={"compare_type": True, "include_name": _not_bookkeeping}
                    ),
                    metadata,
                )
            )
            by_alembic = await conn.run_sync(_schema)
        async with fresh.connect() as conn:
            from_tables = await conn.run_sync(_schema)
            revision = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
        # What the newest migration records, a fresh database records too.
        recorded = await _compatibility(migrated)
        assert recorded == await _compatibility(fresh)
        assert (HEAD, OLDEST_COMPATIBLE) in recorded
    finally:
        await migrated.dispose()
        await fresh.dispose()
    assert diff == []
    assert from_tables == by_alembic
    assert revision == HEAD


async def test_upgrading_a_0001_database_keeps_its_partners(empty_database_url: str) -> None:
    """A database made by the first release gains the sign-in tables; its users keep
    working (the sandbox's second factor) and its apps get no redirect URIs."""
    engine = create_engine(to_async_url(empty_database_url), lock_wait_seconds=10)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    tenant, client, upn = str(uuid.uuid4()), str(uuid.uuid4()), "old@x.example"
    try:
        async with engine.connect() as conn:
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0001"))
            await conn.commit()
        async with engine.begin() as conn:  # only the columns release 0001 had
            await conn.execute(
                insert(t.partners).values(
                    tenant_id=tenant,
                    name="Old partner",
                    partner_type="direct_bill",
                    country="US",
                    created_at=now,
                )
            )
            await conn.execute(
                insert(t.partner_users).values(
                    id=str(uuid.uuid4()),
                    partner_id=tenant,
                    user_principal_name=upn,
                    user_principal_name_key=upn,
                    display_name="Old",
                    password_hash="h",
                    roles=["Admin agent"],
                    created_at=now,
                )
            )
            await conn.execute(
                insert(t.apps).values(
                    client_id=client,
                    partner_id=tenant,
                    display_name="Old app",
                    secret_hash="h",
                    created_at=now,
                )
            )
        await upgrade_to_head(engine)
        async with engine.connect() as conn:
            repository = SqlPartnerRepository(conn)
            user = await repository.get_user(upn.upper())
            app = await repository.get_app(client)
        assert user is not None
        assert user.mfa == "sandbox"
        assert user.totp_secret_sealed is None
        assert user.roles == ("Admin agent",)
        assert app is not None
        assert app.redirect_uris == ()
    finally:
        await engine.dispose()
