"""GET /healthz: 200 while the database answers, 503 while it does not."""

from __future__ import annotations

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import ServerFactory
from tests.support.storage import shared_postgres


async def test_healthy_server(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


async def test_unreachable_database_is_reported(server_factory: ServerFactory) -> None:
    server = server_factory()
    if server.backend == "sqlite":
        pytest.skip("an embedded SQLite file cannot become unreachable while open")
    pg = shared_postgres()
    assert pg is not None
    name = make_url(server.settings.resolved_database_url()).database
    with psycopg.connect(pg.admin_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')
        try:
            async with httpx.AsyncClient(base_url=server.base_url) as http:
                down = await http.get("/healthz")
        finally:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (f"{name}_away",),
            )
            admin.execute(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        up = await http.get("/healthz")
    assert down.status_code == 503
    assert down.json()["database"] == "unreachable"
    assert up.status_code == 200
