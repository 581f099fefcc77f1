"""Connections of an inline SQLite file kept between units of work, with the transaction
begun and ended on the driver.

Through SQLAlchemy, a unit of work's connection costs three hand-overs to a greenlet and
the pool's bookkeeping each time: `engine.connect()` (checkout, events), `begin()` and
`close()` (the rollback, the check-in). On an inline SQLite file (`sqlite_inline`) none
of that does any I/O, yet a read paid more for it than for its statement. Here a unit of
work takes a connection that stays checked out from the pool, runs `BEGIN` on the
`sqlite3` connection itself and, at its end, `COMMIT` or `ROLLBACK` there too.

SQLAlchemy's own `Connection` does not know of that transaction. `Prepared` statements
look at the driver's (`sqlite3.Connection.in_transaction`) and run on it. A statement
through SQLAlchemy (`conn.execute`) makes SQLAlchemy begin a transaction of its own; its
"begin" event finds the driver's already open and leaves it (`InlineConnection.begin`),
and the unit of work then commits or rolls back through SQLAlchemy, which ends both.

A connection whose transaction could not be begun or ended cleanly is discarded (the
pool opens a new one in its place), never held or pooled again. At most the pool's size
is held; `close()` gives them all back before the engine is disposed of. See
docs/decisions/0030-held-sqlite-connections.md.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tenantry.domain.ports import StorageBusy
from tenantry.storage.db import is_lock_timeout
from tenantry.storage.sqlite_inline import InlineConnection


def driver_of(conn: AsyncConnection) -> InlineConnection:
    driver = conn.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    assert isinstance(driver, InlineConnection), "held connections are inline SQLite ones"
    return driver


class HeldConnections:
    def __init__(self, engine: AsyncEngine, most: int) -> None:
        self._engine = engine
        self._most = most
        self._idle: list[AsyncConnection] = []
        self._closed = False

    async def begin(self) -> AsyncConnection:
        """A connection with a transaction begun on its driver."""
        conn = self._idle.pop() if self._idle else await self._engine.connect()
        try:
            driver_of(conn).begin()  # deferred: takes no lock, so never refused as busy
        except BaseException:
            await _discard(conn)
            raise
        return conn

    async def commit(self, conn: AsyncConnection) -> None:
        if conn.in_transaction():  # SQLAlchemy began one too: ending it ends both
            await conn.commit()
        else:
            await driver_of(conn).commit()

    async def end(self, conn: AsyncConnection, exc: BaseException | None) -> None:
        """Roll back what was not committed, and hold the connection for the next unit of
        work; a lock wait that ran out is reported as `StorageBusy`."""
        try:
            if conn.in_transaction():
                await conn.rollback()
            driver = driver_of(conn)
            if driver.in_transaction:
                await driver.rollback()
        except BaseException:
            await _discard(conn)
            raise
        if self._closed or len(self._idle) >= self._most:
            await conn.close()
        else:
            self._idle.append(conn)
        if exc is not None and is_lock_timeout(exc):
            raise StorageBusy(str(exc)) from exc

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


async def _discard(conn: AsyncConnection) -> None:
    """Give a connection back for good: the pool must not hand out its driver again."""
    try:
        await conn.invalidate()
    finally:
        await conn.close()
