"""Stored idempotent answers, sealed at rest and bound to their key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.ports import IdempotencyKeyTaken, TwinStillRunning
from tenantry.security.sealing import Sealer
from tenantry.storage import tables as t
from tenantry.storage.db import is_lock_timeout
from tenantry.storage.prepared import Prepared

# Built once and given their values as parameters: cheaper than a statement per call.
_r = t.idempotency_records.c
_now = bindparam("now", type_=t.UtcDateTime())
_SAME_KEY = and_(_r.scope_hash == bindparam("scope_hash"), _r.body_hash == bindparam("body_hash"))
_GET = Prepared(
    select(_r.status, _r.headers, _r.body_sealed, _r.request_hash).where(
        _SAME_KEY, _r.expires_at > _now
    )
)
_DELETE_EXPIRED = Prepared(delete(t.idempotency_records).where(_SAME_KEY, _r.expires_at <= _now))
_INSERT = Prepared(insert(t.idempotency_records))


class SqlIdempotencyRepository:
    """Stored responses are sealed (AES-GCM) and bound to their key."""

    def __init__(self, conn: AsyncConnection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    async def get(self, key: IdempotencyKey, now: datetime) -> StoredResponse | None:
        row = await _GET.first(
            self._conn, {"scope_hash": key.scope_hash, "body_hash": key.body_hash, "now": now}
        )
        if row is None:
            return None
        body = self._sealer.open(row["body_sealed"], _context(key))
        headers = tuple((k, v) for k, v in row["headers"])
        return StoredResponse(row["status"], headers, body, request_hash=row["request_hash"])

    async def insert(
        self, key: IdempotencyKey, response: StoredResponse, now: datetime, expires_at: datetime
    ) -> None:
        """Claim the key: the first write of a create, so a twin waits here for the winner."""
        try:
            # An expired record with the same key must not block a new request.
            await _DELETE_EXPIRED.execute(
                self._conn,
                {"scope_hash": key.scope_hash, "body_hash": key.body_hash, "now": now},
            )
            await _INSERT.execute(
                self._conn,
                {
                    "scope_hash": key.scope_hash,
                    "body_hash": key.body_hash,
                    "status": response.status,
                    "headers": [list(h) for h in response.headers],
                    "body_sealed": self._sealer.seal(response.body, _context(key)),
                    "request_hash": response.request_hash,
                    "created_at": now,
                    "expires_at": expires_at,
                },
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
