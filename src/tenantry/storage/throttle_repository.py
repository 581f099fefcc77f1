"""Request counts per partner, resource and window: one atomic upsert per request."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage.tables import throttle_windows as w


class SqlHitCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        upsert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        # Built once; each hit only binds its values.
        self._hit = (
            upsert(w)
            .values(
                partner_id=bindparam("partner_id"),
                resource=bindparam("resource"),
                window_start=bindparam("window_start"),
                hits=1,
            )
            .on_conflict_do_update(
                index_elements=[w.c.partner_id, w.c.resource, w.c.window_start],
                set_={"hits": w.c.hits + 1},
            )
            .returning(w.c.hits)
        )

    async def hit(self, partner_id: str, resource: str, window_start: int) -> int:
        values = {"partner_id": partner_id, "resource": resource, "window_start": window_start}
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
