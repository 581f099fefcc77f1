"""What a database says about the deployment that uses it, read before anything else is
opened (no master key needed): whether it holds the sandbox's development partner, which
every sandbox server creates and every production server refuses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage.tables import partners


async def holds_partner(engine: AsyncEngine, tenant_id: str) -> bool:
    async with engine.connect() as conn:
        found = await conn.execute(
            select(partners.c.tenant_id).where(partners.c.tenant_id == tenant_id)
        )
        return found.first() is not None
