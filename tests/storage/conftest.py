"""Storage fixtures: an inline SQLite file, or a PostgreSQL database of its own, holding
the current schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.config import to_async_url
from tenantry.storage import tables as t
from tenantry.storage.db import create_engine
from tests.support.storage import shared_postgres


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", lock_wait_seconds=1)
    async with engine.begin() as conn:
        await conn.run_sync(t.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def pg(backend: str) -> AsyncIterator[AsyncEngine]:
    """For tests parametrized with the "postgresql" backend (indirectly)."""
    server = shared_postgres()
    assert server is not None
    url = server.new_database()
    engine = create_engine(to_async_url(url), lock_wait_seconds=5)
    async with engine.begin() as conn:
        await conn.run_sync(t.metadata.create_all)
    yield engine
    await engine.dispose()
    server.drop_database(url)
