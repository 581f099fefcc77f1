"""Request counts per partner, resource and window: one atomic upsert per request."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage.tables import throttle_windows as w


class SqlHitCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    async def hit(self, partner_id: str, resource: str, window_start: int) -> int:
        statement = (
            self._insert(w)
            .values(partner_id=partner_id, resource=resource, window_start=window_start, hits=1)
            .on_conflict_do_update(
                index_elements=[w.c.partner_id, w.c.resource, w.c.window_start],
                set_={"hits": w.c.hits + 1},
            )
            .returning(w.c.hits)
        )
        async with self._engine.begin() as conn:
            return int((await conn.execute(statement)).scalar_one())

    async def purge(self, before: int) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(w).where(w.c.window_start < before))
