"""What a release does with a database that is not at its own revision: newer (rolling
upgrades), drifted, refused by `--no-migrate`, stepped back for a rollback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.config import Settings, to_async_url
from tenantry.runtime import ConfigurationError, open_runtime
from tenantry.storage.db import create_engine
from tenantry.storage.migrate import (
    HEAD,
    SchemaRefused,
    Verdict,
    compatibility_table,
    downgrade_to,
    schema_status,
    upgrade_to_head,
)
from tests.storage.historical import load
from tests.support.storage import database_url_for


@pytest.fixture
async def url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: sqlite:///… in tmp_path/data, or a new PostgreSQL database."""
    (tmp_path / "data").mkdir()
    with database_url_for(backend) as given:
        yield given or f"sqlite:///{tmp_path / 'data' / 'tenantry.db'}"


@pytest.fixture
async def engine(url: str) -> AsyncIterator[AsyncEngine]:
    made = create_engine(to_async_url(url), lock_wait_seconds=10)
    yield made
    await made.dispose()


async def _sql(engine: AsyncEngine, *statements: str) -> None:
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


async def _revision(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return str((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar())


def _settings(url: str, tmp_path: Path, *, no_migrate: bool = False) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=url, no_migrate=no_migrate)


async def _newer(engine: AsyncEngine, revision: str, oldest: str | None) -> None:
    """The database as a newer release leaves it: its revision, and what it accepts."""
    await _sql(engine, f"UPDATE alembic_version SET version_num = '{revision}'")
    if oldest is not None:
        await _sql(
            engine,
            f"INSERT INTO {compatibility_table.name} VALUES ('{revision}', '{oldest}')",
        )


async def test_a_newer_compatible_database_is_used_as_it_is(
    engine: AsyncEngine, url: str, tmp_path: Path
) -> None:
    await upgrade_to_head(engine)
    await _newer(engine, "0097", HEAD)
    assert await upgrade_to_head(engine) == ("0097", "0097")
    found = await schema_status(engine)
    assert (found.verdict, found.runnable) == (Verdict.AHEAD, True)
    for no_migrate in (False, True):
        runtime = await open_runtime(_settings(url, tmp_path, no_migrate=no_migrate))
        await runtime.close()
    assert await _revision(engine) == "0097"


@pytest.mark.parametrize(("revision", "oldest"), [("0098", "0097"), ("0097", None)])
async def test_a_newer_incompatible_database_is_refused_naming_both_revisions(
    engine: AsyncEngine, url: str, tmp_path: Path, revision: str, oldest: str | None
) -> None:
    await upgrade_to_head(engine)
    await _newer(engine, revision, oldest)
    with pytest.raises(SchemaRefused) as refused:
        await upgrade_to_head(engine)
    message = str(refused.value)
    assert f"revision {revision}" in message
    assert f"this release's {HEAD}" in message
    assert "locate" not in message
    with pytest.raises(ConfigurationError, match=f"revision {revision}"):
        await open_runtime(_settings(url, tmp_path))
    assert not (await schema_status(engine)).runnable


async def test_drift_is_found_and_named(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    assert (await schema_status(engine)).verdict is Verdict.CURRENT
    await _sql(engine, "DROP INDEX ix_customers_partner_domain", "DROP TABLE throttle_windows")
    found = await schema_status(engine)
    assert found.verdict is Verdict.DRIFT
    assert not found.runnable
    assert "throttle_windows" in found.reason
    assert "(and 1 more)" in found.reason
    assert "\n" not in found.reason


async def test_no_migrate_refuses_a_database_behind_and_changes_nothing(
    backend: str, url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    load("4b478fb", backend, url)
    with pytest.raises(ConfigurationError, match=r"^--no-migrate: .*revision 0001, behind"):
        await open_runtime(_settings(url, tmp_path, no_migrate=True))
    assert await _revision(engine) == "0001"
    async with engine.connect() as conn:  # not migrated, and no signing key made
        migrated = await conn.run_sync(lambda sync: inspect(sync).has_table("subscriptions"))
        assert (await conn.execute(text("SELECT count(*) FROM signing_keys"))).scalar() == 0
    assert not migrated
    with database_url_for(backend) as other:  # nor does it start on an empty database
        elsewhere = other or f"sqlite:///{tmp_path / 'empty.db'}"
        with pytest.raises(ConfigurationError, match="empty"):
            await open_runtime(_settings(elsewhere, tmp_path, no_migrate=True))


async def test_a_refused_repair_changes_nothing(
    backend: str, url: str, engine: AsyncEngine
) -> None:
    """A table that must be rebuilt keeps a column this release does not know: refused,
    and the database is left exactly as it was (the migration is one transaction)."""
    load("8747c51", backend, url)
    await _sql(engine, "ALTER TABLE idempotency_records ADD COLUMN kept_by_the_operator INTEGER")
    with pytest.raises(SchemaRefused, match="kept_by_the_operator"):
        await upgrade_to_head(engine)
    assert await _revision(engine) == "0001"
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert "throttle_windows" not in tables
    assert "partner_users" not in tables


async def test_rolling_back_steps_the_schema_back_only_as_far_as_it_allows(
    engine: AsyncEngine,
) -> None:
    await upgrade_to_head(engine)
    with pytest.raises(SchemaRefused, match="restore a backup"):
        await downgrade_to(engine, "0002")
    assert await downgrade_to(engine, "0003") == (HEAD, "0003")
    assert await _revision(engine) == "0003"

    def tables(sync: Connection) -> set[str]:
        return set(inspect(sync).get_table_names())

    async with engine.connect() as conn:
        left = await conn.run_sync(tables)
    assert compatibility_table.name not in left
    assert {"throttle_windows", "partnerships", "subscriptions"} <= left
    assert await upgrade_to_head(engine) == ("0003", HEAD)
    assert (await schema_status(engine)).current


async def test_nodes_starting_together_on_an_old_database_migrate_it_once(
    backend: str, url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("several nodes share a database on PostgreSQL only")
    load("3c177f7-then-91e4fc5", backend, url)
    engines = [create_engine(to_async_url(url), lock_wait_seconds=10) for _ in range(3)]
    try:
        moved = await asyncio.gather(*(upgrade_to_head(e) for e in engines))
        assert sorted(moved, key=str) == sorted([("0003", HEAD), (HEAD, HEAD), (HEAD, HEAD)])
        assert (await schema_status(engines[0])).current
    finally:
        for e in engines:
            await e.dispose()


async def test_tables_without_a_revision_are_not_taken_for_an_old_schema(
    engine: AsyncEngine,
) -> None:
    await _sql(engine, "CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    with pytest.raises(SchemaRefused, match="not made by Tenantry"):
        await upgrade_to_head(engine)
    assert (await schema_status(engine)).verdict is Verdict.DRIFT
