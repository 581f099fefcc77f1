"""The token-signing keys' table, inside the caller's transaction (`auth/ports.py`)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.auth.ports import StoredSigningKey
from tenantry.storage.tables import signing_keys


class SqlSigningKeyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def all(self) -> list[StoredSigningKey]:
        rows = (await self._conn.execute(select(signing_keys))).all()
        return [
            StoredSigningKey(row.kid, row.private_key_sealed, row.public_key_pem, row.created_at)
            for row in rows
        ]

    async def add(self, key: StoredSigningKey) -> None:
        await self._conn.execute(
            insert(signing_keys).values(
                kid=key.kid,
                private_key_sealed=key.private_key_sealed,
                public_key_pem=key.public_key_pem,
                created_at=key.created_at,
            )
        )

    async def remove(self, kid: str) -> None:
        await self._conn.execute(delete(signing_keys).where(signing_keys.c.kid == kid))
