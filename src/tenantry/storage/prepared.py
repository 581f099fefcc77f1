"""Statements of the request path, run on the driver's own connection.

A statement through SQLAlchemy's `AsyncConnection.execute` costs about 0.1 ms of CPU
around SQLite's own 10–20 µs: the cache key, an execution context, a greenlet hand-over,
the result wrapper. A create runs nine statements, a read one. `Prepared` keeps the
statement a Core construct, written once for both backends, and runs the SQL that
SQLAlchemy compiled for it (once per dialect and set of value names), with the same
conversions of values both ways (the columns' types' own processors), inside the unit of
work's transaction:

- on an inline SQLite connection (`sqlite_inline`), straight on the `sqlite3` connection;
- on PostgreSQL, on asyncpg's connection the way SQLAlchemy's asyncpg adapter runs it
  (its transaction, its prepared statements, its lock and error translation), without
  the cursor and execution context around it (`asyncpg_rows`).

Errors come back as the SQLAlchemy exceptions the callers already catch
(`IntegrityError`, `OperationalError`). Anywhere else (an in-memory database, a
connection outside a transaction) it is an ordinary `execute`. See
docs/decisions/0027-hot-statements-on-the-driver.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Delete, Insert, Select, Update

from tenantry.storage.sqlite_inline import InlineConnection

_Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement's SQL for SQLite, its parameters in order, and their conversions."""

    __slots__ = ("binds", "fixed", "keys", "names", "plan", "reads", "results", "sql")

    def __init__(
        self, statement: Any, dialect: Dialect, keys: tuple[str, ...], writes: bool
    ) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.sql = str(compiled)
        self.keys: tuple[str, ...] = tuple(compiled.positiontup or ())
        # Values written into the statement itself (`column == "x"`) are bound too.
        self.fixed = {k: v for k, v in compiled.params.items() if k not in keys}
        self.binds: tuple[_Processor, ...] = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.keys
        )
        self.plan = tuple(zip(self.keys, self.binds, strict=True))
        columns = list(statement.exported_columns)  # a query's, or what a write returns
        # A query that takes no locks: it need not open the transaction (`asyncpg_rows`).
        self.reads = (
            not writes and isinstance(statement, Select) and statement._for_update_arg is None
        )
        self.names: tuple[str, ...] = tuple(str(column.key) for column in columns)
        self.results: tuple[_Processor, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        if self.fixed:
            values = {**self.fixed, **values}
        # A list comprehension over (name, conversion) pairs: a third of the time of a
        # generator over `zip` for a row of twenty values.
        return tuple(
            [values[key] if convert is None else convert(values[key]) for key, convert in self.plan]
        )

    def row(self, raw: tuple[Any, ...]) -> dict[str, Any]:
        return {
            name: value if convert is None else convert(value)
            for name, convert, value in zip(self.names, self.results, raw, strict=True)
        }


class Prepared:
    """A Core statement run with a dict of values; see the module's docstring."""

    def __init__(
        self, statement: Select[Any] | Insert | Update | Delete, *, writes: bool = False
    ) -> None:
        """`writes`: a query that writes all the same (through data-modifying CTEs)."""
        self.statement = statement
        self._writes = writes
        self._compiled: dict[tuple[str, ...], _Compiled] = {}  # by dialect and value names

    async def execute(self, conn: AsyncConnection, values: Mapping[str, Any]) -> None:
        """Run a statement that returns no rows."""
        driver = _driver(conn)
        if driver is None:
            await conn.execute(self.statement, dict(values))
            return
        await self._run(conn, driver, values)

    async def first(
        self, conn: AsyncConnection, values: Mapping[str, Any], *, last: bool = False
    ) -> dict[str, Any] | None:
        """The first row of a query (or of what a write returns), as a dict keyed by
        column, or None. `last`: the transaction's last statement before its commit; on
        PostgreSQL, if nothing began the transaction yet, it runs on its own (atomic by
        itself) and the commit has nothing left to send."""
        driver = _driver(conn)
        if driver is None:
            row = (await conn.execute(self.statement, dict(values))).first()
            return None if row is None else dict(row._mapping)
        compiled, rows = await self._run(conn, driver, values, last=last)
        return compiled.row(rows[0]) if rows else None

    async def _run(
        self,
        conn: AsyncConnection,
        driver: object,
        values: Mapping[str, Any],
        *,
        last: bool = False,
    ) -> tuple[_Compiled, list[Any]]:
        dialect = conn.dialect
        shape = (dialect.name, *values)  # one process may serve from both (tests do)
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = _Compiled(self.statement, dialect, shape[1:], self._writes)
            self._compiled[shape] = compiled
        parameters = compiled.parameters(values)
        if isinstance(driver, InlineConnection):
            try:
                return compiled, await driver.run(compiled.sql, parameters)
            except sqlite3.Error as exc:
                raise _wrapped(compiled, parameters, exc, sqlite3.Error, dialect) from exc
        adapter: Any = driver
        try:
            begin = not (compiled.reads or last)
            rows = await asyncpg_rows(adapter, compiled.sql, parameters, begin=begin)
            return compiled, rows
        except adapter.dbapi.Error as exc:
            raise _wrapped(compiled, parameters, exc, adapter.dbapi.Error, dialect) from exc


def _wrapped(
    compiled: _Compiled, parameters: Any, exc: Exception, base: Any, dialect: Dialect
) -> StatementError:
    """The driver's error as SQLAlchemy raises it (`IntegrityError`, `OperationalError`)."""
    return DBAPIError.instance(
        compiled.sql, parameters, exc, base, hide_parameters=True, dialect=dialect
    )


def _driver(conn: AsyncConnection) -> object | None:
    """The driver connection under `conn` when statements run on it directly: an inline
    SQLite connection (`sqlite_inline`) inside a transaction (begun through SQLAlchemy
    or on the driver itself, `held_connections`), or SQLAlchemy's asyncpg adapter inside
    a transaction SQLAlchemy began."""
    if conn.sync_connection is None:
        return None
    pooled = conn.sync_connection.connection
    driver = pooled.driver_connection
    if isinstance(driver, InlineConnection):
        return driver if driver.in_transaction else None
    adapter = pooled.dbapi_connection
    if type(adapter).__name__ == _ASYNCPG_ADAPTER and conn.in_transaction():
        return adapter
    return None


# SQLAlchemy's asyncpg adapter, named rather than imported: importing the PostgreSQL
# dialect costs a SQLite server's start for nothing.
_ASYNCPG_ADAPTER = "AsyncAdapt_asyncpg_connection"


async def asyncpg_rows(
    adapter: Any, sql: str, parameters: tuple[Any, ...], *, begin: bool
) -> list[Any]:
    """One statement on asyncpg's connection, as SQLAlchemy's adapter runs it (its
    transaction begun first if not yet, its cache of prepared statements, its lock, its
    translation of asyncpg's errors into the DB-API's), without the cursor and the
    execution context around it.

    A plain query (`begin=False`) that comes before the transaction's first write does not
    begin it: at READ COMMITTED, which Tenantry's connections are pinned to
    (`storage/db.py`), each statement reads its own snapshot in a transaction or not,
    and a transaction that only read has nothing to commit or roll back. A read of one
    customer thus takes one round trip instead of three (BEGIN, SELECT, ROLLBACK)."""
    async with adapter._execute_mutex:
        if adapter._transaction is None and begin:
            await adapter._start_transaction()
        try:
            prepared, _ = await adapter._prepare(sql, 0)
            rows: list[Any] = await prepared.fetch(*parameters)
        except Exception as error:
            adapter._handle_exception(error)  # raises the translated error
        return rows
