"""GET /healthz: 200 while the process answers, database or not. GET /readyz: 503 while
the database is away, and calls answer 503 with Retry-After (880060) instead of 500."""

from __future__ import annotations

import uuid

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import ServerFactory
from tests.support.storage import shared_postgres


async def test_healthy_server(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_a_database_away_is_unready_not_unhealthy(server_factory: ServerFactory) -> None:
    server = server_factory()
    if server.backend == "sqlite":
        pytest.skip("an embedded SQLite file cannot become unreachable while open")
    token = server.token()
    pg = shared_postgres()
    assert pg is not None
    name = make_url(server.settings.resolved_database_url()).database
    auth = {"Authorization": f"Bearer {token}"}
    with psycopg.connect(pg.admin_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')
        try:
            async with httpx.AsyncClient(base_url=server.base_url, headers=auth) as http:
                health = await http.get("/healthz")
                ready = await http.get("/readyz")
                call = await http.get(f"/v1/customers/{uuid.uuid4()}")
        finally:
            admin.execute(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')
    async with httpx.AsyncClient(base_url=server.base_url, headers=auth) as http:
        ready_again = await http.get("/readyz")
        call_again = await http.get(f"/v1/customers/{uuid.uuid4()}")
    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert call.status_code == 503
    assert call.json()["code"] == 880060
    assert call.headers["Retry-After"] == "5"
    assert ready_again.status_code == 200
    assert call_again.status_code == 404  # served again, without a restart
