"""Whether the database is there: telling an outage from a fault, waiting for it at start,
and asking whether this release can serve on it now (readiness).

An outage (the server refuses connections, restarts, shuts down, the database was
dropped, every pooled connection is stuck) passes by itself: requests are answered 503
with Retry-After meanwhile. A fault of configuration (a wrong password, a TLS refusal, a
bad certificate) does not pass by waiting, so start-up stops at once with one line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage import migrate
from tenantry.storage.db import is_sqlite

log = logging.getLogger("tenantry")

# SQLSTATE classes and codes that say the server cannot serve now, whatever was asked:
# connection exceptions, insufficient resources (too many connections, disk full), the
# server shutting down or starting, a database that does not exist (dropped, not yet
# restored).
_PG_UNAVAILABLE_CLASSES = ("08", "53")
_PG_UNAVAILABLE = {"57P01", "57P02", "57P03", "3D000"}
# What SQLite says when its file cannot be opened or read (gone, permissions, a disk fault).
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error", "readonly database")
# Between two attempts to reach the database at start: doubling up to this.
_FIRST_PAUSE = 0.5
_LONGEST_PAUSE = 5.0


class DatabaseUnreachable(RuntimeError):
    """The database could not be reached at start; the message (one line) names where it
    was looked for and why it failed."""


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc`, or what it was raised from, says the database cannot be reached or
    cannot serve at the moment (a retry later may succeed), as opposed to a fault in what
    was asked of it. Certificate and TLS refusals are configuration faults, not outages."""
    seen: BaseException | None = exc
    for _ in range(5):  # a few links of `raise … from …` at most
        if seen is None:
            return False
        if _says_unavailable(seen):
            return True
        seen = seen.__cause__
    return False


def _says_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):  # every pooled connection is stuck on a dead server
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if isinstance(code, str):
            return code in _PG_UNAVAILABLE or code[:2] in _PG_UNAVAILABLE_CLASSES
        said = str(orig).lower()
        if isinstance(exc, OperationalError) and any(m in said for m in _SQLITE_UNAVAILABLE):
            return True
        return "connection is closed" in said or "connection was closed" in said
    if isinstance(exc, ssl.SSLError) or "SSL" in str(exc):
        return False
    return isinstance(exc, OSError)  # refused, reset, unknown host, timed out


def location(url: str | URL) -> str:
    """Where the database is, for messages (never the password): host:port/name, or the
    SQLite file."""
    parsed = make_url(url)
    if is_sqlite(parsed):
        return parsed.database or ":memory:"
    host = parsed.host or parsed.query.get("host") or "localhost"
    return f"{host}:{parsed.port or 5432}/{parsed.database or ''}"


def reason(exc: BaseException) -> str:
    """What went wrong, on one line, without SQLAlchemy's decorations."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(cause, OSError) and cause.errno:
        said = os.strerror(cause.errno)
    elif isinstance(cause, OSError) and cause.strerror:
        said = cause.strerror
    else:
        said = str(cause) or type(cause).__name__
    return " ".join(said.split()).rstrip(".")


async def _answers(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def wait_until_reachable(
    engine: AsyncEngine, wait_seconds: float, on_waiting: Callable[[], None] | None = None
) -> None:
    """Return once the database answers. A PostgreSQL server that is not there yet is
    tried again for up to `wait_seconds` (pauses doubling from half a second to five), with
    one log line per failed attempt, and `on_waiting` called once when waiting begins;
    `DatabaseUnreachable` when it never answers, or at once for a fault that waiting
    cannot mend (and for SQLite, a local file)."""
    where = location(engine.url)
    deadline = time.monotonic() + wait_seconds
    pause = _FIRST_PAUSE
    attempt = 1
    while True:
        try:
            await _answers(engine)
            if attempt > 1:
                log.info("database at %s reached after %d attempts", where, attempt)
            return
        except Exception as exc:
            why = reason(exc)
            if not is_unavailable(exc) or is_sqlite(engine.url):
                raise DatabaseUnreachable(f"cannot use the database at {where}: {why}") from exc
            left = deadline - time.monotonic()
            if left <= 0:
                waited = f" after waiting {wait_seconds:g} s" if wait_seconds > 0 else ""
                raise DatabaseUnreachable(
                    f"cannot reach the database at {where}{waited}: {why}"
                ) from exc
            if attempt == 1 and on_waiting is not None:
                on_waiting()
            log.warning(
                "database at %s not reachable (%s); attempt %d, trying again for %.0f s more",
                where,
                why,
                attempt,
                left,
            )
        await asyncio.sleep(min(pause, max(left, 0.0)))
        pause = min(pause * 2, _LONGEST_PAUSE)
        attempt += 1


async def readiness_problem(engine: AsyncEngine, within: float) -> str | None:
    """None when this release can serve on the database now: it answers within `within`
    and its schema revision is this release's, or a newer one that declares this release
    compatible. Otherwise one line saying why not. Only the revision is read: the full
    comparison of the schema ran at start."""
    try:
        async with asyncio.timeout(within):
            async with engine.connect() as conn:
                try:
                    found = await conn.run_sync(migrate.status, compare=False)
                finally:
                    await conn.rollback()
    except TimeoutError:
        return f"the database did not answer within {within:g} s"
    except Exception as exc:
        if is_unavailable(exc):
            return f"the database is unreachable: {reason(exc)}"
        raise
    return None if found.runnable else found.reason
