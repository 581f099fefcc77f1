"""The Alembic migrations build exactly the schema `storage/tables.py` describes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect

from tenantry.config import to_async_url
from tenantry.storage import tables as t
from tenantry.storage.db import create_engine
from tenantry.storage.migrate import alembic_config, upgrade_to_head
from tenantry.storage.partner_repository import SqlPartnerRepository
from tenantry.storage.tables import metadata
from tests import conftest
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
    assert version == "0003"


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        server = conftest._postgres()
        assert server is not None
        return server.new_database()
    return f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"


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
