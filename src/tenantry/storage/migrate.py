"""Bring a database to the newest schema at start, safely when several nodes start at once.

Three cases, told apart with one query: a database already at `HEAD` is left alone; an
empty one gets the tables straight from `tables.py` and is stamped `HEAD` (the migrations
build exactly that schema, which tests/storage/test_migrations.py checks on both backends);
anything else runs the pending Alembic migrations. Alembic is imported only in that last
case: it is a tenth of a second of every sandbox's start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage.db import is_sqlite
from tenantry.storage.tables import metadata

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions (a test keeps the two in step).
HEAD = "0003"
# Any constant works; it only has to be the same on every node of one deployment.
_ADVISORY_LOCK = 7_366_265_716

# Alembic's own bookkeeping table, as Alembic creates it.
_version_table = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _bring_to_head(connection: Connection) -> None:
    revision = _current_revision(connection)
    if revision == HEAD:
        return
    if revision is None and not inspect(connection).get_table_names():
        metadata.create_all(connection)
        _version_table.create(connection)
        connection.execute(_version_table.insert().values(version_num=HEAD))
        return
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Run every pending migration. PostgreSQL nodes serialise on an advisory lock."""
    async with engine.connect() as conn:
        postgres = not is_sqlite(engine.url)
        if postgres:
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_LOCK})
            await conn.commit()
        try:
            await conn.run_sync(_bring_to_head)
            await conn.commit()
        finally:
            if postgres:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK})
                await conn.commit()
