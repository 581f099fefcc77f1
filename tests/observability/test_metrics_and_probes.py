"""`/metrics`, `/readyz` and the response headers every answer carries, over a real socket
on both backends."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy import text

from tenantry.storage import migrate
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.server import LiveServer


def _sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels` (0 when none)."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _metrics(server: LiveServer) -> str:
    response = httpx.get(f"{server.base_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_requests_creates_and_replays_are_counted(server: LiveServer, token: str) -> None:
    before = _metrics(server)
    headers = {"Authorization": f"Bearer {token}", "MS-RequestId": str(uuid.uuid4())}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
        body = payloads.minimal()
        assert http.post("/v1/customers", json=body).status_code == 201
        assert http.post("/v1/customers", json=body).status_code == 201  # the replay
        assert http.get(f"/v1/customers/{uuid.uuid4()}").status_code == 404
        assert http.get("/no/such/route").status_code == 404
    after = _metrics(server)

    def grew(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    assert grew("tenantry_customers_created_total") == 1
    assert grew("tenantry_idempotent_replays_total") == 1
    created = {"route": "/v1/customers", "method": "POST", "status": "201", "code": ""}
    assert grew("tenantry_http_requests_total", **created) == 2
    missing = {"route": "/v1/customers/{customer_id}", "status": "404", "code": "60003"}
    assert grew("tenantry_http_requests_total", **missing) == 1
    unmatched = {"route": "unmatched", "method": "GET", "status": "404", "code": "1000"}
    assert grew("tenantry_http_requests_total", **unmatched) == 1
    latency = {"route": "/v1/customers", "method": "POST"}
    assert grew("tenantry_http_request_duration_seconds_count", **latency) == 2
    assert _sample(after, "tenantry_db_pool_size") > 0
    assert "tenantry_db_pool_checked_out" in after
    assert "/no/such/route" not in after  # paths never become labels


def test_throttled_answers_are_counted(server_factory: ServerFactory) -> None:
    limited = server_factory(customer_rate_limit=1)
    token = limited.token()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=limited.base_url, headers=headers, timeout=60) as http:
        statuses = [http.get(f"/v1/customers/{uuid.uuid4()}").status_code for _ in range(3)]
    assert 429 in statuses
    assert _sample(_metrics(limited), "tenantry_throttled_responses_total") == statuses.count(429)


def test_ready_once_started_and_not_while_draining(server_factory: ServerFactory) -> None:
    own = server_factory()
    ready = httpx.get(f"{own.base_url}/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})

    own.app.state.readiness.draining = True  # what SIGTERM does first
    draining = httpx.get(f"{own.base_url}/readyz")
    assert (draining.status_code, draining.json()) == (503, {"status": "draining"})
    assert httpx.get(f"{own.base_url}/healthz").status_code == 200  # still alive


def test_not_ready_on_a_schema_this_release_cannot_run(server_factory: ServerFactory) -> None:
    """Readiness reads the schema's revision: one this release does not know makes it 503,
    unless the database records this release as compatible with it."""
    own = server_factory()
    version = text("UPDATE alembic_version SET version_num = :revision")

    async def stamp(revision: str, compatible_from: str | None = None) -> None:
        async with own.runtime.engine.begin() as conn:
            await conn.execute(version, {"revision": revision})
            table = migrate.compatibility_table
            await conn.execute(table.delete().where(table.c.revision == "9999"))
            if compatible_from is not None:
                row = {"revision": revision, "oldest_compatible": compatible_from}
                await conn.execute(table.insert().values(**row))

    own.call(stamp("9999"))
    try:
        refused = httpx.get(f"{own.base_url}/readyz")
        own.call(stamp("9999", compatible_from=migrate.OLDEST_COMPATIBLE))
        newer_but_compatible = httpx.get(f"{own.base_url}/readyz")
    finally:
        own.call(stamp(migrate.HEAD))
    assert refused.status_code == 503
    assert refused.json()["status"] == "unavailable"
    assert "9999" in refused.json()["reason"]
    assert newer_but_compatible.status_code == 200
    assert httpx.get(f"{own.base_url}/readyz").status_code == 200
    assert httpx.get(f"{own.base_url}/healthz").status_code == 200  # alive throughout


def test_every_answer_says_nosniff(server: LiveServer, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    for method, path in (
        ("GET", "/healthz"),
        ("GET", f"/v1/customers/{uuid.uuid4()}"),
        ("GET", "/nowhere"),
        ("POST", "/v1/customers"),
    ):
        response = httpx.request(method, f"{server.base_url}{path}", headers=auth, content=b"{")
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert len(response.headers.get_list("X-Content-Type-Options")) == 1


def test_oversized_headers_get_the_envelope(server: LiveServer) -> None:
    big = {f"X-Filler-{i}": "a" * 8000 for i in range(10)}  # 80 KB of headers
    response = httpx.get(f"{server.base_url}/healthz", headers=big)
    assert response.status_code == 400
    assert response.json()["code"] == 800002
    assert "headers" in response.json()["description"]
    assert httpx.get(f"{server.base_url}/healthz").status_code == 200  # and still serving
