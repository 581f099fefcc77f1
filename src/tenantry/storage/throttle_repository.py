"""Request counts per partner, resource and window: one atomic upsert adds n hits (one
request, or a lease of several) and returns the window's total."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.dml import ReturningInsert

from tenantry.storage.tables import throttle_windows as w


def _counting(upsert: Any) -> ReturningInsert[Any]:
    """The upsert, built once (each hit only binds its values). `upsert` is PostgreSQL's or
    SQLite's INSERT, which share ON CONFLICT DO UPDATE but no type."""
    statement: ReturningInsert[Any] = (
        upsert.values(
            partner_id=bindparam("partner_id"),
            resource=bindparam("resource"),
            window_start=bindparam("window_start"),
            hits=bindparam("n"),
        )
        .on_conflict_do_update(
            index_elements=[w.c.partner_id, w.c.resource, w.c.window_start],
            set_={"hits": w.c.hits + bindparam("n")},
        )
        .returning(w.c.hits)
    )
    return statement


class SqlHitCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # Only the dialect in use is imported: PostgreSQL's costs a SQLite start ~50 ms.
        if engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            self._hit = _counting(pg_insert(w))
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            self._hit = _counting(sqlite_insert(w))

    async def hit(self, partner_id: str, resource: str, window_start: int, n: int = 1) -> int:
        values = {
            "partner_id": partner_id,
            "resource": resource,
            "window_start": window_start,
            "n": n,
        }
        async with self._engine.begin() as conn:
            return int((await conn.execute(self._hit, values)).scalar_one())

    async def count(self, partner_id: str, resource: str, window_start: int) -> int:
        """The hits so far in this window, without adding one."""
        statement = select(w.c.hits).where(
            w.c.partner_id == partner_id,
            w.c.resource == resource,
            w.c.window_start == window_start,
        )
        async with self._engine.connect() as conn:
            return int((await conn.execute(statement)).scalar_one_or_none() or 0)

    async def purge(self, before: int) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(w).where(w.c.window_start < before))
