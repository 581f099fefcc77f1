"""Bring a database to the newest schema at start, safely when several nodes start at once;
tell, without changing anything, whether a database is current for this release.

The cases, told apart with one query:

- at `HEAD`: left alone;
- empty: the tables come straight from `tables.py` and it is stamped `HEAD` (the
  migrations build exactly that schema, which tests/storage/test_migrations.py checks);
- at an older revision: the pending Alembic migrations run, then the schema is compared
  with `tables.py` and the start refused (and the migration undone) if they differ. A
  database at 0001 or 0002 is stamped 0003 first: revision 0004 repairs every variant
  the edited 0001 left and builds what 0002 and 0003 add, which 0002 cannot do on the
  earliest variants;
- at a revision newer than this release's (another node was upgraded first): this
  release runs on it, unmigrated, if the database records that revision's code as
  compatible with this one (`schema_compatibility`); otherwise it refuses, naming both.

Alembic is imported only when migrations run: it is a tenth of a second of every
sandbox's start-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
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
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tenantry.storage.db import is_sqlite
from tenantry.storage.schema_repair import RepairRefused
from tenantry.storage.schema_shape import differences
from tenantry.storage.tables import metadata

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The revisions in migrations/versions, oldest first (a test keeps the two in step).
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
HEAD = REVISIONS[-1]
# The oldest revision whose code may run on a database at HEAD: what HEAD's migration
# records in `schema_compatibility` (a test checks that the two agree).
OLDEST_COMPATIBLE = "0003"
# A database at one of these is stamped 0003 and repaired by 0004 (see the docstring).
_REPAIRED_BY_0004 = ("0001", "0002")
# Any constant works; it only has to be the same on every node of one deployment.
_ADVISORY_LOCK = 7_366_265_716
log = logging.getLogger("tenantry")

_bookkeeping = MetaData()
# Alembic's own bookkeeping table, as Alembic creates it.
_version_table = Table(
    "alembic_version",
    _bookkeeping,
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
# Per revision, the oldest revision whose code may run on it, as its migration wrote it.
compatibility_table = Table(
    "schema_compatibility",
    _bookkeeping,
    Column("revision", String(32), nullable=False),
    Column("oldest_compatible", String(32), nullable=False),
    PrimaryKeyConstraint("revision", name="schema_compatibility_pkc"),
)


class SchemaRefused(RuntimeError):
    """This release must not run on (or change) the database as it is; one line why."""


class Verdict(StrEnum):
    CURRENT = "current"
    EMPTY = "empty"
    BEHIND = "behind"
    AHEAD = "ahead"
    DRIFT = "drift"


@dataclass(frozen=True)
class SchemaStatus:
    verdict: Verdict
    revision: str | None
    reason: str  # one line
    runnable: bool  # whether this release may serve on the database as it is, unmigrated

    @property
    def current(self) -> bool:
        return self.verdict is Verdict.CURRENT


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


def _ahead(connection: Connection, revision: str) -> SchemaStatus:
    """A revision this release does not know: runnable if the database says so."""
    oldest = None
    if inspect(connection).has_table(compatibility_table.name):
        c = compatibility_table.c
        found = select(c.oldest_compatible).where(c.revision == revision)
        oldest = connection.execute(found).scalar()
    where = f"the database is at revision {revision}, newer than this release's {HEAD}"
    if oldest in REVISIONS:
        reason = f"{where}; it accepts releases from revision {oldest} on, this one included"
        return SchemaStatus(Verdict.AHEAD, revision, reason, runnable=True)
    needs = f"revision {oldest} or later" if oldest else f"revision {revision}"
    reason = f"{where}, and needs a release at {needs}: run that release or restore a backup"
    return SchemaStatus(Verdict.AHEAD, revision, reason, runnable=False)


def status(connection: Connection, *, compare: bool = True) -> SchemaStatus:
    """What this release finds in the database; reads only. `compare` also compares a
    database at `HEAD` with `tables.py`."""
    revision = _current_revision(connection)
    if revision is None:
        if not inspect(connection).get_table_names():
            why = "the database is empty: `tenantry db upgrade` creates the schema"
            return SchemaStatus(Verdict.EMPTY, None, why, runnable=False)
        why = "the database has tables but no Alembic revision: it was not made by Tenantry"
        return SchemaStatus(Verdict.DRIFT, None, why, runnable=False)
    if revision not in REVISIONS:
        return _ahead(connection, revision)
    if revision != HEAD:
        why = (
            f"the database is at revision {revision}, behind this release's {HEAD}: "
            "run `tenantry db upgrade`"
        )
        return SchemaStatus(Verdict.BEHIND, revision, why, runnable=False)
    found = differences(connection, metadata) if compare else []
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        why = f"the database is at revision {HEAD} but its schema differs: {found[0]}{more}"
        return SchemaStatus(Verdict.DRIFT, revision, why, runnable=False)
    why = f"the database is at revision {HEAD}, current for this release"
    return SchemaStatus(Verdict.CURRENT, revision, why, runnable=True)


def _create_fresh(connection: Connection) -> None:
    # The caller found no table at all: no need to ask, table by table, whether it exists.
    metadata.create_all(connection, checkfirst=False)
    _bookkeeping.create_all(connection, checkfirst=False)
    connection.execute(_version_table.insert().values(version_num=HEAD))
    connection.execute(
        compatibility_table.insert().values(revision=HEAD, oldest_compatible=OLDEST_COMPATIBLE)
    )


def _bring_to_head(connection: Connection) -> tuple[str | None, str]:
    revision = _current_revision(connection)
    if revision == HEAD:
        return revision, HEAD
    if revision is None:
        if inspect(connection).get_table_names():
            raise SchemaRefused(status(connection, compare=False).reason)
        _create_fresh(connection)
        return None, HEAD
    if revision not in REVISIONS:
        found = _ahead(connection, revision)
        if not found.runnable:
            raise SchemaRefused(found.reason)
        log.warning("%s", found.reason)
        return revision, revision
    from alembic import command

    if revision in _REPAIRED_BY_0004:
        log.info("database at %s: stamped 0003; 0004 builds what 0002 and 0003 add", revision)
        connection.execute(_version_table.update().values(version_num="0003"))
    try:
        command.upgrade(alembic_config(connection), "head")
    except RepairRefused as exc:
        refused = f"migrating from {revision} to {HEAD} refused, nothing changed: {exc}"
        raise SchemaRefused(refused) from exc
    left = differences(connection, metadata)
    if left:
        raise SchemaRefused(
            f"after migrating from {revision} to {HEAD} the schema still differs from this "
            f"release's: {'; '.join(left[:3])}; nothing was changed"
        )
    return revision, HEAD


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Outside a transaction only (SQLite ignores the pragma inside one): rebuilding a
    table that others refer to needs them off while it runs."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


async def _locked(conn: AsyncConnection, postgres: bool, lock: bool) -> None:
    if postgres:
        function = "pg_advisory_lock" if lock else "pg_advisory_unlock"
        await conn.execute(text(f"SELECT {function}(:k)"), {"k": _ADVISORY_LOCK})
        await conn.commit()


async def upgrade_to_head(engine: AsyncEngine) -> tuple[str | None, str]:
    """Run every pending migration; returns the revisions before and after (None: the
    database was empty). PostgreSQL nodes serialise on an advisory lock."""
    async with engine.connect() as conn:
        postgres = not is_sqlite(engine.url)
        await _locked(conn, postgres, lock=True)
        if not postgres:
            await conn.run_sync(_sqlite_foreign_keys, False)
        try:
            moved = await conn.run_sync(_bring_to_head)
            await conn.commit()
        finally:
            await conn.rollback()
            if not postgres:
                await conn.run_sync(_sqlite_foreign_keys, True)
            await _locked(conn, postgres, lock=False)
    return moved


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    """Whether the database is current for this release; nothing is written."""
    async with engine.connect() as conn:
        try:
            return await conn.run_sync(status)
        finally:
            await conn.rollback()


async def require_runnable(engine: AsyncEngine) -> SchemaStatus:
    """For a start that must not migrate: the status, or `SchemaRefused` with its reason."""
    found = await schema_status(engine)
    if not found.runnable:
        raise SchemaRefused(found.reason)
    return found


def _downgrade(connection: Connection, target: str) -> tuple[str, str]:
    revision = _current_revision(connection)
    if revision not in REVISIONS or target not in REVISIONS:
        raise SchemaRefused(
            f"cannot downgrade from {revision} to {target}: "
            f"this release knows {', '.join(REVISIONS)}"
        )
    c = compatibility_table.c
    oldest = None
    if inspect(connection).has_table(compatibility_table.name):
        oldest = connection.execute(
            select(c.oldest_compatible).where(c.revision == revision)
        ).scalar()
    if REVISIONS.index(target) >= REVISIONS.index(revision):
        raise SchemaRefused(f"the database is at {revision}: {target} is not older")
    if oldest is None or REVISIONS.index(target) < REVISIONS.index(oldest):
        raise SchemaRefused(
            f"revision {target}'s code cannot run on this schema (revision {revision} accepts "
            f"releases from {oldest or revision} on): restore a backup instead"
        )
    from alembic import command

    command.downgrade(alembic_config(connection), target)
    return revision, target


async def downgrade_to(engine: AsyncEngine, target: str) -> tuple[str, str]:
    """Step back to `target`, for rolling back to an older release; only as far as the
    database's revision declares compatible, so no table or column that older code reads
    is dropped."""
    async with engine.connect() as conn:
        postgres = not is_sqlite(engine.url)
        await _locked(conn, postgres, lock=True)
        try:
            moved = await conn.run_sync(_downgrade, target)
            await conn.commit()
        finally:
            await conn.rollback()
            await _locked(conn, postgres, lock=False)
    return moved
