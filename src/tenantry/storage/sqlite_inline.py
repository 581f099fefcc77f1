"""SQLite called inline on the event loop, behind SQLAlchemy's aiosqlite dialect.

`aiosqlite` runs every call (cursor, execute, fetch, close, commit) on a helper thread and
hands the result back through the event loop. A create makes about 25 such calls and a
read about 10; under load each hand-over waits for the GIL, which the busy event loop
gives up only every few milliseconds, so the hops, not SQLite, set the pace. SQLite's own
work for these statements is tens of microseconds: cheaper to do on the loop itself.

`connect()` returns an object with the parts of aiosqlite's interface that SQLAlchemy's
adapter uses, doing each call inline. One thing must not happen inline: waiting for a
lock. SQLite's busy handler would sleep on the loop's thread, and the transaction holding
the lock may belong to a coroutine of this very process that can then never finish. So
the connection's busy timeout is 0, and a statement refused with SQLITE_BUSY is retried
after an `asyncio.sleep`, until the lock wait (`--lock-wait`) runs out; then the error
is raised as SQLite would have raised it. A stale snapshot (SQLITE_BUSY_SNAPSHOT) cannot
be cured by waiting and is raised at once, as before.
See docs/decisions/0010-inline-sqlite.md.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any

from tenantry.storage.wal_checkpoints import restart_gate

_SQLITE_BUSY = 5  # the primary code; SQLITE_BUSY_SNAPSHOT (517) and others are not waited on
_FIRST_PAUSE = 0.0005
# The longest a write waits on the loop's thread for a restart of the log to end.
_RESTART_WAIT = 0.05
_LONGEST_PAUSE = 0.005


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == _SQLITE_BUSY


async def _patiently(call: Callable[[], Any], lock_wait: float, path: str) -> Any:
    """Run `call`; while SQLite answers "busy", let the loop run and try again. While the
    process's own checkpoint thread restarts the log (`wal_checkpoints`), wait for it
    here instead: its few milliseconds are shorter than a turn of a busy loop."""
    try:
        return call()
    except sqlite3.OperationalError as exc:
        if not _is_busy(exc):
            raise
    gate = restart_gate(path)
    if gate is not None and not gate.is_set():
        gate.wait(_RESTART_WAIT)  # lets go of the GIL; bounded
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
    deadline = time.monotonic() + lock_wait
    pause = _FIRST_PAUSE
    while True:
        await asyncio.sleep(pause)
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
        pause = min(pause * 2, _LONGEST_PAUSE)


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor, lock_wait: float, path: str) -> None:
        self._cursor = cursor
        self._lock_wait = lock_wait
        self._path = path

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        await _patiently(lambda: self._cursor.execute(sql, parameters), self._lock_wait, self._path)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = list(parameters)
        connection = self._cursor.connection
        before = connection.total_changes

        def attempt() -> Any:
            try:
                return self._cursor.executemany(sql, rows)
            except sqlite3.OperationalError:
                if connection.total_changes != before:  # some rows went in: no retry
                    raise sqlite3.OperationalError("database is locked") from None
                raise

        await _patiently(attempt, self._lock_wait, self._path)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _CursorOpener:
    """What `connection.cursor()` returns in aiosqlite: awaited through `__aenter__`."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection

    async def __aenter__(self) -> InlineCursor:
        connection = self._connection
        return InlineCursor(connection._conn.cursor(), connection.lock_wait, connection.path)

    async def __aexit__(self, *exc: object) -> None:
        return None


class _InlineQueue:
    """SQLAlchemy sets `isolation_level` through aiosqlite's private call queue."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:
            if future is None:
                raise
            future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection:
    def __init__(self, conn: sqlite3.Connection, lock_wait: float, path: str) -> None:
        self._connection: sqlite3.Connection | None = conn
        self._tx = _InlineQueue()
        self.lock_wait = lock_wait
        self.path = path

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    def cursor(self) -> _CursorOpener:
        return _CursorOpener(self)

    def begin(self) -> None:
        """A deferred BEGIN: it takes no lock (the first statement does), so it is never
        refused as busy and needs no waiting; called straight from SQLAlchemy's "begin"
        event, without an execution context and a cursor of SQLAlchemy's for it. A
        transaction already open (begun by a unit of work on a held connection,
        `held_connections`) is left as it is."""
        if not self._conn.in_transaction:
            self._conn.execute("BEGIN")

    async def run(self, sql: str, parameters: tuple[Any, ...]) -> list[Any]:
        """One statement straight on the connection (waiting out "busy" as every statement
        here does); its rows, none for a statement that returns none."""
        cursor = await _patiently(
            lambda: self._conn.execute(sql, parameters), self.lock_wait, self.path
        )
        try:
            return cursor.fetchall() if cursor.description is not None else []
        finally:
            cursor.close()

    async def commit(self) -> None:
        await _patiently(self._conn.commit, self.lock_wait, self.path)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self._conn.isolation_level = value


def connector(path: str, lock_wait: float) -> Callable[[], Any]:
    """SQLAlchemy's `async_creator` for the SQLite file at `path`."""

    async def connect() -> InlineConnection:
        # timeout=0: no sleeping in SQLite's busy handler; waits happen in `_patiently`.
        conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        return InlineConnection(conn, lock_wait, path)

    return connect
