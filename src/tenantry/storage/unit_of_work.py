"""One database transaction per use case, exposing the repositories over it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tenantry.domain.ports import StorageBusy
from tenantry.security.sealing import Sealer
from tenantry.storage.agreement_repository import SqlAgreementRepository
from tenantry.storage.audit_repository import SqlAuditLog
from tenantry.storage.customer_repository import SqlCustomerRepository
from tenantry.storage.customer_user_repository import SqlCustomerUserRepository
from tenantry.storage.db import inline_sqlite_path, is_lock_timeout, pool_size
from tenantry.storage.held_connections import HeldConnections
from tenantry.storage.idempotency_repository import SqlIdempotencyRepository
from tenantry.storage.order_repository import SqlOrderRepository
from tenantry.storage.partner_repository import SqlPartnerRepository
from tenantry.storage.signing_key_repository import SqlSigningKeyRepository
from tenantry.storage.subscription_repository import SqlSubscriptionRepository
from tenantry.storage.write_batch import WriteBatch


async def end_transaction(conn: AsyncConnection | None, exc: BaseException | None) -> None:
    """Roll back what was not committed, give the connection back, and report a lock
    wait that ran out as `StorageBusy`."""
    if conn is not None:
        # `close()` rolls back a transaction still open and tells the pool so, which then
        # skips its own reset; a separate `rollback()` first cost a second rollback (and a
        # greenlet hand-over) per read. If the rollback fails, the pool resets the
        # connection itself (invalidating it if that fails too), as before.
        await conn.close()
    if exc is not None and is_lock_timeout(exc):
        raise StorageBusy(str(exc)) from exc


class SqlUnitOfWork:
    customers: SqlCustomerRepository
    idempotency: SqlIdempotencyRepository
    partners: SqlPartnerRepository
    subscriptions: SqlSubscriptionRepository
    audit: SqlAuditLog
    signing_keys: SqlSigningKeyRepository
    agreements: SqlAgreementRepository
    orders: SqlOrderRepository
    users: SqlCustomerUserRepository

    def __init__(
        self,
        engine: AsyncEngine,
        sealer: Sealer,
        turns: asyncio.Semaphore | None = None,
        held: HeldConnections | None = None,
    ) -> None:
        self._engine = engine
        self._sealer = sealer
        self._turns = turns
        self._held = held
        self._conn: AsyncConnection | None = None
        # PostgreSQL: the closing writes go as one statement (`writes_then_commit`).
        self._batch = WriteBatch() if engine.dialect.name == "postgresql" else None

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._held is not None:
            conn = await self._held.begin()
        else:
            if self._turns is not None:
                await self._turns.acquire()
            try:
                conn = await self._begin()
            except BaseException:
                if self._turns is not None:
                    self._turns.release()
                raise
        self._conn = conn
        self.customers = SqlCustomerRepository(conn, self._batch)
        self.idempotency = SqlIdempotencyRepository(conn, self._sealer, self._batch)
        self.partners = SqlPartnerRepository(conn)
        self.subscriptions = SqlSubscriptionRepository(conn)
        self.audit = SqlAuditLog(conn, self._batch)
        self.signing_keys = SqlSigningKeyRepository(conn)
        self.agreements = SqlAgreementRepository(conn)
        self.orders = SqlOrderRepository(conn)
        self.users = SqlCustomerUserRepository(conn)
        return self

    async def _begin(self) -> AsyncConnection:
        conn = await self._engine.connect()
        try:
            await conn.begin()
        except BaseException as exc:
            await conn.close()
            if is_lock_timeout(exc):
                raise StorageBusy(str(exc)) from exc
            raise
        return conn

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if self._held is not None and conn is not None:
            await self._held.end(conn, exc)
            return
        try:
            await end_transaction(conn, exc)
        finally:
            if self._turns is not None:
                self._turns.release()

    @asynccontextmanager
    async def writes_then_commit(self) -> AsyncIterator[None]:
        """The block's writes, then the commit. On PostgreSQL the writes of the
        repositories that can (an idempotency claim, a new customer's rows, audit events)
        are collected and sent as one statement when the block ends (`write_batch`)."""
        batch = self._batch
        if batch is None:
            yield
        else:
            batch.collecting = True
            try:
                yield
            except BaseException:
                batch.clear()
                raise
            finally:
                batch.collecting = False
            assert self._conn is not None, "writes outside the unit of work"
            await batch.send(self._conn)
        await self.commit()

    async def commit(self) -> None:
        assert self._conn is not None, "commit outside the unit of work"
        if self._held is not None:
            await self._held.commit(self._conn)
        else:
            await self._conn.commit()


class SqlUnitOfWorkFactory:
    """Units of work on one engine. On PostgreSQL they take turns for the pool's
    connections in the order they asked: the pool's own queue lets a newcomer take a
    connection that was being handed to a unit of work already waiting, which then waits
    again at the back, and under load a few requests waited many times the median
    (docs/decisions/0029-fair-turns-for-connections.md)."""

    def __init__(self, engine: AsyncEngine, sealer: Sealer) -> None:
        self._engine = engine
        self._sealer = sealer
        self._turns: asyncio.Semaphore | None = None
        self._held: HeldConnections | None = None
        if engine.dialect.name == "postgresql":
            self._turns = asyncio.Semaphore(pool_size(engine))
        elif inline_sqlite_path(engine.url) is not None:
            self._held = HeldConnections(engine, pool_size(engine))

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine, self._sealer, self._turns, self._held)

    async def close(self) -> None:
        """Give back the connections held between units of work (before the engine is
        disposed of)."""
        if self._held is not None:
            await self._held.close()
