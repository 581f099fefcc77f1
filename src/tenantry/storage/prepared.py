"""Statements of the request path, run on SQLite's own connection when SQLite is inline.

A statement through SQLAlchemy's `AsyncConnection.execute` costs about 0.1 ms of CPU
around SQLite's own 10–20 µs: the cache key, an execution context, a greenlet hand-over,
the result wrapper. A create runs nine statements, a read one. `Prepared` keeps the
statement a Core construct, written once for both backends; on an inline SQLite
connection (`sqlite_inline`) it runs the SQL that SQLAlchemy compiled for it, with the
same conversions of values both ways (the columns' types' own processors), straight on
the `sqlite3` connection inside the unit of work's transaction. Errors come back as the
SQLAlchemy exceptions the callers already catch (`IntegrityError`, `OperationalError`).
Anywhere else (PostgreSQL, an in-memory database, a connection outside a transaction) it
is an ordinary `execute`. See docs/decisions/0027-hot-statements-on-the-driver.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Delete, Insert, Select, Update

from tenantry.storage.sqlite_inline import InlineConnection

_Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement's SQL for SQLite, its parameters in order, and their conversions."""

    __slots__ = ("binds", "fixed", "keys", "names", "results", "sql")

    def __init__(self, statement: Any, dialect: Dialect, keys: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.sql = str(compiled)
        self.keys: tuple[str, ...] = tuple(compiled.positiontup or ())
        # Values written into the statement itself (`column == "x"`) are bound too.
        self.fixed = {k: v for k, v in compiled.params.items() if k not in keys}
        self.binds: tuple[_Processor, ...] = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.keys
        )
        columns = list(statement.selected_columns) if isinstance(statement, Select) else []
        self.names: tuple[str, ...] = tuple(str(column.key) for column in columns)
        self.results: tuple[_Processor, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        if self.fixed:
            values = {**self.fixed, **values}
        return tuple(
            value if convert is None else convert(value)
            for convert, value in zip(self.binds, (values[key] for key in self.keys), strict=True)
        )

    def row(self, raw: tuple[Any, ...]) -> dict[str, Any]:
        return {
            name: value if convert is None else convert(value)
            for name, convert, value in zip(self.names, self.results, raw, strict=True)
        }


class Prepared:
    """A Core statement run with a dict of values; see the module's docstring."""

    def __init__(self, statement: Select[Any] | Insert | Update | Delete) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, ...], _Compiled] = {}

    async def execute(self, conn: AsyncConnection, values: Mapping[str, Any]) -> None:
        """Run a statement that returns no rows."""
        inline = _inline(conn)
        if inline is None:
            await conn.execute(self.statement, dict(values))
            return
        await self._run(inline, conn.dialect, values)

    async def first(
        self, conn: AsyncConnection, values: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The first row of a query, as a dict keyed by column, or None."""
        inline = _inline(conn)
        if inline is None:
            row = (await conn.execute(self.statement, dict(values))).first()
            return None if row is None else dict(row._mapping)
        compiled, rows = await self._run(inline, conn.dialect, values)
        return compiled.row(rows[0]) if rows else None

    async def _run(
        self, inline: InlineConnection, dialect: Dialect, values: Mapping[str, Any]
    ) -> tuple[_Compiled, list[Any]]:
        shape = tuple(values)
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compiled[shape] = _Compiled(self.statement, dialect, shape)
        parameters = compiled.parameters(values)
        try:
            rows = await inline.run(compiled.sql, parameters)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(
                compiled.sql, parameters, exc, sqlite3.Error, hide_parameters=True, dialect=dialect
            ) from exc
        return compiled, rows


def _inline(conn: AsyncConnection) -> InlineConnection | None:
    """The inline SQLite connection under `conn` when a transaction is open on it (begun
    through SQLAlchemy or on the driver itself, `held_connections`)."""
    if conn.sync_connection is None:
        return None
    driver = conn.sync_connection.connection.driver_connection
    if isinstance(driver, InlineConnection) and driver.in_transaction:
        return driver
    return None
