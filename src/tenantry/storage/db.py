"""Engines for SQLite (the default) and PostgreSQL, tuned for Tenantry's transactions."""

from __future__ import annotations

import json
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tenantry.storage.sqlite_inline import InlineConnection, connector
from tenantry.storage.urls import connect_parts

POSTGRES_POOL_SIZE = 20


def json_text(value: Any) -> str:
    """A JSON column's value as text: orjson where it can (a create writes four such
    columns; the standard library's encoder cost several times more), the standard
    library for what orjson refuses (integers past 64 bits, lone surrogates)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value)


# Both engines write JSON columns with it. They read them with the standard library: orjson
# would read what the fallback wrote differently (a long integer as a float) or not at all
# (a lone surrogate).
_JSON = {"json_serializer": json_text}


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def inline_sqlite_path(url: str | URL) -> str | None:
    """The file of a SQLite database that is called inline (`sqlite_inline`): any file,
    not an in-memory database."""
    if not is_sqlite(url):
        return None
    path = make_url(url).database
    if path in (None, "", ":memory:") or "mode=memory" in path:
        return None
    return path


def create_engine(
    url: str, *, lock_wait_seconds: float, background_checkpoints: bool = False
) -> AsyncEngine:
    """An async engine whose lock waits are bounded by `lock_wait_seconds`.

    SQLite: WAL, `synchronous=NORMAL`, foreign keys on, and SQLAlchemy in charge of BEGIN
    (the driver's implicit transactions are turned off so that a transaction's first write
    takes the lock and waits for it, instead of failing). A file database is called inline
    on the event loop (`sqlite_inline`), which waits for locks itself without blocking the
    loop, so SQLite's own busy timeout is 0 there.
    With `background_checkpoints`, an inline file's connections leave WAL checkpoints to
    the caller's `WalCheckpointer` (`wal_checkpoints`).
    PostgreSQL: `lock_timeout`, so a request waiting on a concurrent twin stops waiting.
    """
    wait_ms = int(lock_wait_seconds * 1000)
    if is_sqlite(url):
        path = inline_sqlite_path(url)
        engine = create_async_engine(
            url,
            connect_args={"timeout": lock_wait_seconds},
            async_creator=connector(path, lock_wait_seconds) if path else None,
            hide_parameters=True,  # failed statements are logged without their values
            pool_size=8,
            max_overflow=8,
            **_JSON,
        )
        busy_ms = 0 if path else wait_ms
        pragmas = [
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={busy_ms}",
        ]
        if path and background_checkpoints:
            pragmas.append("PRAGMA wal_autocheckpoint=0")

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_setup(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in pragmas:
                cursor.execute(pragma)
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            driver = connection.connection.driver_connection
            if isinstance(driver, InlineConnection):
                driver.begin()  # cheaper than a statement through SQLAlchemy
            else:
                connection.exec_driver_sql("BEGIN")

        return engine
    # A fixed pool: connections beyond it ("overflow") were opened and closed again under
    # load, each time with a TLS attempt and authentication, which halved the throughput of
    # reads at 32 connections. A request holds one connection at a time, so requests past
    # the 20th wait for one (docs/operations.md: connections per process).
    parts = connect_parts(url)
    # READ COMMITTED whatever the server's default: the request path relies on it
    # (`prepared.asyncpg_rows` reads before a transaction's first write outside it).
    settings = {
        **parts.connect_args.get("server_settings", {}),
        "lock_timeout": str(wait_ms),
        "default_transaction_isolation": "read committed",
    }
    engine = create_async_engine(
        parts.url,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=0,
        hide_parameters=True,
        connect_args={**parts.connect_args, "server_settings": settings},
        **_JSON,
    )
    _discard_closed_connections(engine)
    return engine


def pool_size(engine: AsyncEngine) -> int:
    """How many connections the engine's pool keeps (PostgreSQL's pool never opens more)."""
    size = getattr(engine.pool, "size", None)
    return int(size()) if callable(size) else POSTGRES_POOL_SIZE


# What the dialect is asked about: for a given connection, asyncpg's dialect looks only at
# whether the connection is closed.
_CLOSED: Any = InterfaceError("pooled connection", None, Exception("connection is closed"))


def _discard_closed_connections(engine: AsyncEngine) -> None:
    """A pooled connection the server closed (a restart, a dropped database, an idle
    timeout) is replaced when it is checked out, without a round trip: the driver already
    knows its socket is closed. A connection that dies in use fails that one request (503,
    `is_unavailable`) and SQLAlchemy then discards every connection opened before it. This
    replaces `pool_pre_ping`, which costs a round trip at every checkout."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkout")
    def _closed_is_discarded(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dialect.is_disconnect(_CLOSED, dbapi_connection, None):
            raise DisconnectionError("the server closed this pooled connection")


# PostgreSQL SQLSTATEs for "gave up waiting": lock_not_available, deadlock_detected.
_PG_BUSY = {"55P03", "40P01"}


def is_lock_timeout(exc: BaseException) -> bool:
    """Whether the database gave up waiting for a lock (SQLite busy, PostgreSQL timeout)."""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in _PG_BUSY
    return False
