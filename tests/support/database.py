"""Direct reads of a live server's database, to check what really got stored.

Synchronous drivers on purpose: the tests call this from inside their own event loop.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from tests.support.server import LiveServer


def sync_url(server: LiveServer) -> str:
    """A URL the synchronous driver understands (no `+asyncpg` / `+aiosqlite`)."""
    url = make_url(server.settings.resolved_database_url())
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=False)


def query(server: LiveServer, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one SQL statement (`:name` parameters) through a separate connection."""
    url = make_url(server.settings.resolved_database_url())
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database)) as conn:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    pg_sql = sql
    for name in params:
        pg_sql = pg_sql.replace(f":{name}", f"%({name})s")
    with psycopg.connect(sync_url(server)) as conn:
        return [tuple(r) for r in conn.execute(pg_sql, params).fetchall()]
