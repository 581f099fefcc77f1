"""Where a test's data lives: SQLite files in a folder, or a fresh PostgreSQL database.

One PostgreSQL server serves the whole test session (found or started once, stopped at the
end); each test that needs a database gets a new one and drops it afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.postgres import PostgresServer, find_postgres

_found: dict[str, tuple[PostgresServer | None, str]] = {}


def shared_postgres() -> PostgresServer | None:
    """The session's PostgreSQL server, or None when none could be found or started."""
    if "server" not in _found:
        _found["server"] = find_postgres()
    return _found["server"][0]


def postgres_looked_for() -> bool:
    return "server" in _found


def why_no_postgres() -> str:
    return _found["server"][1] if "server" in _found else "not looked for"


def stop_shared_postgres() -> None:
    server = _found.get("server", (None, ""))[0]
    if server is not None:
        server.stop()


@contextmanager
def database_url_for(backend: str) -> Iterator[str | None]:
    """None for SQLite (the data folder holds the database); a new database for PostgreSQL,
    dropped when the block ends."""
    if backend != "postgresql":
        yield None
        return
    pg = shared_postgres()
    assert pg is not None, "PostgreSQL tests run only when a server is available"
    url = pg.new_database()
    try:
        yield url
    finally:
        pg.drop_database(url)


@contextmanager
def storage_arguments(backend: str, data_dir: Path) -> Iterator[list[str]]:
    """The `tenantry` command-line arguments that put a process's data on `backend`."""
    with database_url_for(backend) as url:
        args = ["--data-dir", str(data_dir)]
        yield args if url is None else [*args, "--database-url", url]
