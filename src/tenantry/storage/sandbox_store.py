"""The sandbox's whole state in the database (`sandbox/ports.py`): one shared transaction
that may clear or replace every table, and consistent exports."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.domain.ports import UnitOfWork
from tenantry.sandbox.ports import SnapshotRows, StateConflict, WholeState
from tenantry.security.sealing import Sealer
from tenantry.storage import snapshot
from tenantry.storage.db import is_sqlite
from tenantry.storage.shared_transaction import SharedTransaction


class _WholeState:
    def __init__(self, tx: SharedTransaction, responses: Sealer) -> None:
        self._tx = tx
        self._responses = responses

    def joined(self) -> UnitOfWork:
        return self._tx()

    async def clear(self) -> None:
        await snapshot.clear_all(self._tx.connection)

    async def load(self, rows: SnapshotRows, now: datetime) -> Mapping[str, int]:
        return await snapshot.load(self._tx.connection, rows, responses=self._responses, now=now)

    async def commit(self) -> None:
        await self._tx.commit()


class SqlSandboxStore:
    def __init__(self, engine: AsyncEngine, signing: Sealer, responses: Sealer) -> None:
        self._engine = engine
        self._signing = signing
        self._responses = responses

    @contextlib.asynccontextmanager
    async def replace(self) -> AsyncIterator[WholeState]:
        try:
            async with SharedTransaction(self._engine) as tx:
                yield _WholeState(tx, self._responses)
        except IntegrityError as exc:
            raise StateConflict(str(exc.orig)) from exc

    async def export(self, now: datetime) -> dict[str, Any]:
        async with self._engine.connect() as conn:
            if not is_sqlite(self._engine.url):  # one consistent picture across the tables
                await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                return await snapshot.dump(conn, now)

    def read_snapshot(self, document: Any) -> SnapshotRows:
        rows = snapshot.read_document(document)
        snapshot.check_sealed(rows, self._signing)
        return rows
