"""Bring a database to the newest schema at start, safely when several nodes start at once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage.db import is_sqlite

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same on every node of one deployment.
_ADVISORY_LOCK = 7_366_265_716


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Run every pending migration. PostgreSQL nodes serialise on an advisory lock."""
    async with engine.connect() as conn:
        postgres = not is_sqlite(engine.url)
        if postgres:
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_LOCK})
            await conn.commit()
        try:
            await conn.run_sync(_upgrade)
            await conn.commit()
        finally:
            if postgres:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK})
                await conn.commit()
