"""The portal's sessions by digest (`auth/portal_sessions.py`): one statement a call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.auth.portal_sessions import StoredSession
from tenantry.storage.tables import portal_sessions as ps


class SqlPortalSessionStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, id_digest: str, session: StoredSession, created_at: datetime) -> None:
        values = {
            "id_digest": id_digest,
            "user_id": session.user_id,
            "user_stamp": session.user_stamp,
            "expires_at": session.expires_at,
            "created_at": created_at,
        }
        async with self._engine.begin() as conn:
            await conn.execute(insert(ps).values(values))

    async def find(self, id_digest: str) -> StoredSession | None:
        statement = select(ps.c.user_id, ps.c.user_stamp, ps.c.expires_at).where(
            ps.c.id_digest == id_digest
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(statement)).first()
        return None if row is None else StoredSession(row.user_id, row.user_stamp, row.expires_at)

    async def remove(self, id_digest: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(ps).where(ps.c.id_digest == id_digest))

    async def remove_expired(self, before: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(ps).where(ps.c.expires_at <= before))

    async def remove_user(self, user_id: str, *, expired_before: datetime | None = None) -> None:
        statement = delete(ps).where(ps.c.user_id == user_id)
        if expired_before is not None:
            statement = statement.where(ps.c.expires_at <= expired_before)
        async with self._engine.begin() as conn:
            await conn.execute(statement)
