"""One database transaction per use case, exposing the repositories over it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tenantry.domain.ports import StorageBusy
from tenantry.security.sealing import Sealer
from tenantry.storage.repositories import (
    SqlCustomerRepository,
    SqlIdempotencyRepository,
    SqlPartnerRepository,
)

# PostgreSQL SQLSTATEs for "gave up waiting": lock_not_available, deadlock_detected.
_PG_BUSY = {"55P03", "40P01"}


class SqlUnitOfWork:
    customers: SqlCustomerRepository
    idempotency: SqlIdempotencyRepository
    partners: SqlPartnerRepository

    def __init__(self, engine: AsyncEngine, sealer: Sealer) -> None:
        self._engine = engine
        self._sealer = sealer
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        conn = await self._engine.connect()
        try:
            await conn.begin()
        except BaseException as exc:
            await conn.close()
            if _is_busy(exc):
                raise StorageBusy(str(exc)) from exc
            raise
        self._conn = conn
        self.customers = SqlCustomerRepository(conn)
        self.idempotency = SqlIdempotencyRepository(conn, self._sealer)
        self.partners = SqlPartnerRepository(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                if conn.in_transaction():
                    await conn.rollback()
            finally:
                await conn.close()
        if exc is not None and _is_busy(exc):
            raise StorageBusy(str(exc)) from exc

    async def commit(self) -> None:
        assert self._conn is not None, "commit outside the unit of work"
        await self._conn.commit()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, sealer: Sealer) -> None:
        self._engine = engine
        self._sealer = sealer

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine, self._sealer)


def _is_busy(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in _PG_BUSY
    return False
