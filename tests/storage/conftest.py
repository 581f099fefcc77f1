"""Storage fixtures: an inline SQLite file holding the current schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage import tables as t
from tenantry.storage.db import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", lock_wait_seconds=1)
    async with engine.begin() as conn:
        await conn.run_sync(t.metadata.create_all)
    yield engine
    await engine.dispose()
