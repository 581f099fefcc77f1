"""Stored idempotent answers, sealed at rest and bound to their key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.ports import IdempotencyKeyTaken, TwinStillRunning
from tenantry.security.sealing import Sealer
from tenantry.storage import tables as t
from tenantry.storage.db import is_lock_timeout


class SqlIdempotencyRepository:
    """Stored responses are sealed (AES-GCM) and bound to their key."""

    def __init__(self, conn: AsyncConnection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    async def get(self, key: IdempotencyKey, now: datetime) -> StoredResponse | None:
        r = t.idempotency_records.c
        query = select(r.status, r.headers, r.body_sealed, r.request_hash).where(
            r.scope_hash == key.scope_hash, r.body_hash == key.body_hash, r.expires_at > now
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        body = self._sealer.open(row.body_sealed, _context(key))
        headers = tuple((k, v) for k, v in row.headers)
        return StoredResponse(row.status, headers, body, request_hash=row.request_hash)

    async def insert(
        self, key: IdempotencyKey, response: StoredResponse, now: datetime, expires_at: datetime
    ) -> None:
        """Claim the key: the first write of a create, so a twin waits here for the winner."""
        r = t.idempotency_records.c
        try:
            # An expired record with the same key must not block a new request.
            await self._conn.execute(
                delete(t.idempotency_records).where(
                    and_(
                        r.scope_hash == key.scope_hash,
                        r.body_hash == key.body_hash,
                        r.expires_at <= now,
                    )
                )
            )
            await self._conn.execute(
                insert(t.idempotency_records).values(
                    scope_hash=key.scope_hash,
                    body_hash=key.body_hash,
                    status=response.status,
                    headers=[list(h) for h in response.headers],
                    body_sealed=self._sealer.seal(response.body, _context(key)),
                    request_hash=response.request_hash,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        except IntegrityError as exc:
            raise IdempotencyKeyTaken(key.scope_hash) from exc
        except DBAPIError as exc:
            if is_lock_timeout(exc):
                raise TwinStillRunning(key.scope_hash) from exc
            raise

    async def purge(self, now: datetime) -> int:
        result = await self._conn.execute(
            delete(t.idempotency_records).where(t.idempotency_records.c.expires_at <= now)
        )
        return int(result.rowcount or 0)


def _context(key: IdempotencyKey) -> bytes:
    return f"{key.scope_hash}:{key.body_hash}".encode()
