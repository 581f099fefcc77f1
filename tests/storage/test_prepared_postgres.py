"""On PostgreSQL, `Prepared` statements run on asyncpg's connection inside SQLAlchemy's
transaction, and store and read exactly what SQLAlchemy would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage import tables as t
from tenantry.storage.db import create_engine
from tests.storage.test_prepared import _EVENT, _EVENT_BY_ID, _TOKEN, _TOKEN_BY_HASH, _event, _token

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


async def _row(engine: AsyncEngine, table: Any, column: Any, value: str) -> dict[str, Any]:
    async with engine.connect() as conn:
        row = (await conn.execute(select(table).where(column == value))).first()
    assert row is not None
    return dict(row._mapping)


async def test_rows_are_stored_and_read_as_sqlalchemy_does(pg: AsyncEngine) -> None:
    async with pg.connect() as conn:
        await conn.begin()
        await conn.execute(_EVENT.statement, _event("by-sqlalchemy"))
        await _EVENT.execute(conn, _event("prepared"))
        await conn.execute(_TOKEN.statement, _token("sa", None))
        await _TOKEN.execute(conn, _token("prepared", None))
        await conn.commit()
    events = [
        await _row(pg, t.audit_events, t.audit_events.c.id, i)
        for i in ("prepared", "by-sqlalchemy")
    ]
    assert {**events[0], "id": ""} == {**events[1], "id": ""}
    assert events[0]["details"] == {"names": ["Zoë", "王"], "mfa": True, "count": 3, "none": None}

    async with pg.connect() as conn:
        await conn.begin()
        read = await _EVENT_BY_ID.first(conn, {"id": "prepared"})
        token = await _TOKEN_BY_HASH.first(conn, {"token_hash": "prepared"})
        missing = await _TOKEN_BY_HASH.first(conn, {"token_hash": "none"})
    assert read == events[0]
    assert token == await _row(pg, t.refresh_tokens, t.refresh_tokens.c.token_hash, "prepared")
    assert missing is None


async def test_they_belong_to_the_connections_transaction(pg: AsyncEngine) -> None:
    async with pg.connect() as conn:
        await conn.begin()
        await _EVENT.execute(conn, _event("rolled-back"))
        assert await _EVENT_BY_ID.first(conn, {"id": "rolled-back"}) is not None
        await conn.rollback()
        await conn.begin()
        assert await _EVENT_BY_ID.first(conn, {"id": "rolled-back"}) is None


async def test_a_refused_insert_is_sqlalchemys_integrity_error(pg: AsyncEngine) -> None:
    async with pg.connect() as conn:
        await conn.begin()
        await _EVENT.execute(conn, _event("twice"))
        with pytest.raises(IntegrityError) as refused:
            await _EVENT.execute(conn, _event("twice"))
    assert getattr(refused.value.orig, "sqlstate", None) == "23505"
    assert "Zoë" not in str(refused.value)  # the values are not in the message


async def test_one_statement_serves_sqlite_and_postgresql_in_one_process(
    pg: AsyncEngine, tmp_path: Path
) -> None:
    lite = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", lock_wait_seconds=1)
    async with lite.begin() as conn:
        await conn.run_sync(t.metadata.create_all)
    try:
        for engine in (lite, pg, lite):
            async with engine.connect() as conn:
                await conn.begin()
                assert await _EVENT_BY_ID.first(conn, {"id": "nowhere"}) is None
    finally:
        await lite.dispose()


async def test_a_query_before_the_first_write_does_not_open_the_transaction(
    pg: AsyncEngine,
) -> None:
    """One round trip for a read of one row; the transaction begins with the first write,
    and rolling back still takes every write with it."""
    async with pg.connect() as conn:
        await conn.begin()
        adapter: Any = (await conn.get_raw_connection()).dbapi_connection
        assert await _EVENT_BY_ID.first(conn, {"id": "none"}) is None
        assert adapter._transaction is None
        await _EVENT.execute(conn, _event("written"))
        assert adapter._transaction is not None
        assert await _EVENT_BY_ID.first(conn, {"id": "written"}) is not None  # in it
        await conn.rollback()
    async with pg.connect() as conn:
        await conn.begin()
        assert await _EVENT_BY_ID.first(conn, {"id": "written"}) is None


async def test_connections_read_committed_whatever_the_servers_default(
    pg: AsyncEngine,
) -> None:
    async with pg.connect() as conn:
        name = (await conn.execute(text("SELECT current_database()"))).scalar()
        isolation = "default_transaction_isolation = serializable"
        await conn.execute(text(f'ALTER DATABASE "{name}" SET {isolation}'))
        await conn.commit()
    await pg.dispose()  # new connections read the database's new default, unless told
    async with pg.connect() as conn:
        level = (await conn.execute(text("SHOW default_transaction_isolation"))).scalar()
    assert level == "read committed"
