"""Several use cases in one database transaction: all of them commit, or none does.

The sandbox control plane changes the state wholesale with it (reset, import, seed).
Seeding runs `CustomerService.create` once per seeded customer; handing the service this
factory instead of the usual one makes the whole seed a single transaction. Units of work
opened inside share the connection and their `commit()` waits for the outer one.
Idempotency records are not kept: a seed is not a client request to be replayed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from sqlalchemy import delete, false, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tenantry.domain.idempotency import NothingKept
from tenantry.domain.ports import StorageBusy
from tenantry.storage.agreement_repository import SqlAgreementRepository
from tenantry.storage.audit_repository import SqlAuditLog
from tenantry.storage.customer_repository import SqlCustomerRepository
from tenantry.storage.customer_user_repository import SqlCustomerUserRepository
from tenantry.storage.db import is_lock_timeout
from tenantry.storage.order_repository import SqlOrderRepository
from tenantry.storage.partner_repository import SqlPartnerRepository
from tenantry.storage.subscription_repository import SqlSubscriptionRepository
from tenantry.storage.tables import partnerships
from tenantry.storage.unit_of_work import end_transaction

# Any constant works; it only has to differ from the migrations' lock (migrate.py).
_ADVISORY_LOCK = 7_366_265_717


async def _serialise(conn: AsyncConnection) -> None:
    """One shared transaction at a time: two seeds of the same partners then meet as
    "already there" instead of as a key conflict.

    SQLite: take the write lock now, waiting for it like any write (a transaction that
    read first would otherwise be refused its first write outright when another one
    committed in between: BUSY_SNAPSHOT). PostgreSQL: a transaction-scoped advisory lock,
    whose wait `lock_timeout` bounds like any other."""
    if conn.dialect.name == "sqlite":
        await conn.execute(delete(partnerships).where(false()))
    else:
        await conn.execute(select(func.pg_advisory_xact_lock(_ADVISORY_LOCK)))


class JoinedWork:
    """A unit of work inside the shared transaction: leaving it neither commits nor rolls
    back; the shared transaction decides."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.customers = SqlCustomerRepository(conn)
        self.idempotency = NothingKept()
        self.partners = SqlPartnerRepository(conn)
        self.audit = SqlAuditLog(conn)
        self.subscriptions = SqlSubscriptionRepository(conn)
        self.agreements = SqlAgreementRepository(conn)
        self.orders = SqlOrderRepository(conn)
        self.users = SqlCustomerUserRepository(conn)

    async def __aenter__(self) -> JoinedWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    @asynccontextmanager
    async def writes_then_commit(self) -> AsyncIterator[None]:
        yield  # the writes run as they are made; the shared transaction commits

    async def commit(self) -> None:
        return None


class SharedTransaction:
    """`async with SharedTransaction(engine) as tx:` then `tx()` wherever a unit-of-work
    factory is wanted, and `await tx.commit()` at the end; anything else rolls back."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SharedTransaction:
        conn = await self._engine.connect()
        try:
            await conn.begin()
            await _serialise(conn)
        except BaseException as exc:
            await conn.close()
            if is_lock_timeout(exc):
                raise StorageBusy(str(exc)) from exc
            raise
        self._conn = conn
        return self

    @property
    def connection(self) -> AsyncConnection:
        """For storage work no repository covers (clearing, snapshots)."""
        assert self._conn is not None, "the shared transaction is not open"
        return self._conn

    def __call__(self) -> JoinedWork:
        return JoinedWork(self.connection)

    async def commit(self) -> None:
        assert self._conn is not None, "commit outside the shared transaction"
        await self._conn.commit()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        await end_transaction(conn, exc)
