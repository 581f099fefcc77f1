"""Stored idempotent answers, sealed at rest and bound to their key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.ports import IdempotencyKeyTaken, TwinStillRunning
from tenantry.security.sealing import Sealer
from tenantry.storage import tables as t
from tenantry.storage.db import is_lock_timeout
from tenantry.storage.prepared import Prepared
from tenantry.storage.write_batch import WriteBatch

# Built once and given their values as parameters: cheaper than a statement per call.
_r = t.idempotency_records.c
_now = bindparam("now", type_=t.UtcDateTime())
_SAME_KEY = and_(_r.scope_hash == bindparam("scope_hash"), _r.body_hash == bindparam("body_hash"))
_GET = Prepared(
    select(_r.status, _r.headers, _r.body_sealed, _r.request_hash).where(
        _SAME_KEY, _r.expires_at > _now
    )
)
_CLAIMS: dict[str, Prepared] = {}  # by dialect


def _claim_statement(dialect: str, values: Mapping[str, Any] | None = None) -> Any:
    """Insert a record, or take over an expired one with the same key, in one statement
    (`values`: the row's parameters when not the columns' own)."""
    upsert: Any
    if dialect == "postgresql":  # imported when used: a SQLite server never needs it
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(t.idempotency_records)
    if values is not None:
        statement = statement.values(values)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[_r.scope_hash, _r.body_hash],
        set_={c.name: new[c.name] for c in t.idempotency_records.c if not c.primary_key},
        where=_r.expires_at <= new.created_at,
    )


def _claim(dialect: str) -> Prepared:
    """The claim on its own: it returns the key when it inserted or took over a record,
    nothing when a live record holds the key (or, on PostgreSQL, a twin's that committed
    while this one waited for it)."""
    claim = _CLAIMS.get(dialect)
    if claim is None:
        claim = _CLAIMS[dialect] = Prepared(_claim_statement(dialect).returning(_r.scope_hash))
    return claim


def _batched_claim(values: Mapping[str, Any]) -> Any:
    return _claim_statement("postgresql", values)


class SqlIdempotencyRepository:
    """Stored responses are sealed (AES-GCM) and bound to their key."""

    def __init__(
        self, conn: AsyncConnection, sealer: Sealer, batch: WriteBatch | None = None
    ) -> None:
        self._conn = conn
        self._sealer = sealer
        self._batch = batch

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
        """Claim the key: the first write of a create, so a twin waits here for the winner.
        An expired record with the same key is replaced. In a unit of work's closing batch
        (`write_batch`) when one is collecting: then it guards the batch's other rows."""
        row = {
            "scope_hash": key.scope_hash,
            "body_hash": key.body_hash,
            "status": response.status,
            "headers": [list(h) for h in response.headers],
            "body_sealed": self._sealer.seal(response.body, _context(key)),
            "request_hash": response.request_hash,
            "created_at": now,
            "expires_at": expires_at,
        }
        failed = _ClaimFailure(key.scope_hash)
        if self._batch is not None and self._batch.collecting:
            self._batch.claim(
                "idempotency",
                t.idempotency_records,
                row,
                _batched_claim,
                refused=lambda: IdempotencyKeyTaken(key.scope_hash),
                translate=failed,
            )
            return
        try:
            claimed = await _claim(self._conn.dialect.name).first(self._conn, row)
        except DBAPIError as exc:
            if (twin := failed(exc)) is not None:
                raise twin from exc
            raise
        if claimed is None:
            raise IdempotencyKeyTaken(key.scope_hash)

    async def purge(self, now: datetime) -> int:
        result = await self._conn.execute(
            delete(t.idempotency_records).where(t.idempotency_records.c.expires_at <= now)
        )
        return int(result.rowcount or 0)


def _context(key: IdempotencyKey) -> bytes:
    return f"{key.scope_hash}:{key.body_hash}".encode()


class _ClaimFailure:
    """A claim that waited out the lock wait: a twin holds the key and is still running."""

    def __init__(self, scope_hash: str) -> None:
        self._scope_hash = scope_hash

    def __call__(self, exc: DBAPIError) -> Exception | None:
        return TwinStillRunning(self._scope_hash) if is_lock_timeout(exc) else None
