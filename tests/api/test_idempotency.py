"""MS-RequestId idempotency: replays byte for byte, race-free, encrypted, expiring."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tenantry.storage.tables import metadata
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.database import query, sync_url
from tests.support.server import LiveServer


def _headers(request_id: str | None = None) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "MS-RequestId": request_id or str(uuid.uuid4()),
        "MS-CorrelationId": str(uuid.uuid4()),
    }


def _customers_with_domain(server: LiveServer, domain: str) -> int:
    rows = query(server, "SELECT count(*) FROM customers WHERE domain_key = :d", d=domain.lower())
    return int(rows[0][0])


async def test_retry_replays_the_first_answer_byte_for_byte(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    headers = _headers()
    body = payloads.seed_001()
    first = await client.post("/v1/customers", content=body, headers=headers)
    second = await client.post("/v1/customers", content=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.content == first.content  # including the one-time password
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["location"] == first.headers["location"]
    domain = first.json()["companyProfile"]["domain"]
    assert _customers_with_domain(server, domain) == 1


async def test_replay_ignores_key_case_nulls_and_formatting(client: httpx.AsyncClient) -> None:
    headers = _headers()
    body = payloads.minimal()
    first = await client.post("/v1/customers", json=body, headers=headers)
    # The same request as the .NET SDK would write it: PascalCase, explicit nulls.
    pascal: dict[str, Any] = {
        "CompanyProfile": {"Domain": body["companyProfile"]["domain"], "TenantId": None},
        "BillingProfile": {k[0].upper() + k[1:]: v for k, v in body["billingProfile"].items()},
        "Id": None,
    }
    second = await client.post("/v1/customers", json=pascal, headers=headers)
    assert second.content == first.content
    assert second.headers["Idempotent-Replayed"] == "true"


async def test_failed_validation_is_replayed_too(client: httpx.AsyncClient) -> None:
    headers = _headers()
    body = payloads.minimal(billingProfile__culture="xx-YY")
    first = await client.post("/v1/customers", json=body, headers=headers)
    second = await client.post("/v1/customers", json=body, headers=headers)
    assert first.status_code == 400
    assert second.content == first.content
    assert second.headers["Idempotent-Replayed"] == "true"


async def test_same_request_id_with_another_body_is_a_new_request(
    client: httpx.AsyncClient,
) -> None:
    # The .NET SDK can pin one MS-RequestId on every call of a partner object.
    headers = _headers()
    first = await client.post("/v1/customers", json=payloads.minimal(), headers=headers)
    second = await client.post("/v1/customers", json=payloads.minimal(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second.headers


async def test_strict_idempotency_refuses_a_reused_request_id(
    server_factory: ServerFactory,
) -> None:
    strict = server_factory(strict_idempotency=True)
    headers = {**_headers(), "Authorization": f"Bearer {strict.token()}"}
    async with httpx.AsyncClient(base_url=strict.base_url) as http:
        first = await http.post("/v1/customers", json=payloads.minimal(), headers=headers)
        second = await http.post("/v1/customers", json=payloads.minimal(), headers=headers)
    assert first.status_code == 201
    assert second.status_code == 409  # documented, and a status no SDK retries
    assert second.json()["code"] == 880012


async def test_strict_mode_is_race_free_for_different_bodies(
    server_factory: ServerFactory,
) -> None:
    strict = server_factory(strict_idempotency=True)
    headers = {**_headers(), "Authorization": f"Bearer {strict.token()}"}
    async with httpx.AsyncClient(base_url=strict.base_url) as http:
        responses = await asyncio.gather(
            *(
                http.post("/v1/customers", json=payloads.minimal(), headers=headers)
                for _ in range(10)
            )
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9
    assert query(strict, "SELECT count(*) FROM customers")[0][0] == 1


async def test_stored_responses_are_encrypted_at_rest(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    response = await client.post("/v1/customers", json=payloads.minimal(), headers=_headers())
    password = response.json()["userCredentials"]["password"]
    customer_id = response.json()["id"]

    for table in metadata.tables:
        for row in query(server, f"SELECT * FROM {table}"):
            for cell in row:
                raw = cell if isinstance(cell, bytes) else str(cell).encode()
                assert password.encode() not in raw, f"password in clear in {table}"
    sealed = query(server, "SELECT body_sealed FROM idempotency_records")
    assert sealed
    assert all(customer_id.encode() not in bytes(row[0]) for row in sealed)


async def test_hundred_concurrent_identical_requests_create_one_customer(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    headers = _headers()
    body = payloads.seed_000()
    responses = await asyncio.gather(
        *(client.post("/v1/customers", content=body, headers=headers) for _ in range(100))
    )
    statuses = {r.status_code for r in responses}
    assert statuses == {201}, [r.text for r in responses if r.status_code != 201][:3]
    assert len({r.content for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    domain = responses[0].json()["companyProfile"]["domain"]
    assert _customers_with_domain(server, domain) == 1


async def test_fifty_concurrent_creates_of_one_domain_yield_one_customer(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    prefix = payloads.unique_prefix("race")
    responses = await asyncio.gather(
        *(
            client.post("/v1/customers", json=payloads.minimal(prefix), headers=_headers())
            for _ in range(50)
        )
    )
    created = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code == 409]
    assert len(created) == 1
    assert len(refused) == 49
    assert {r.json()["code"] for r in refused} == {880001}
    assert _customers_with_domain(server, f"{prefix}.onmicrosoft.com") == 1


async def test_records_expire_after_retention_and_are_purged(
    server_factory: ServerFactory,
) -> None:
    short = server_factory(idempotency_retention_seconds=1)
    headers = {**_headers(), "Authorization": f"Bearer {short.token()}"}
    body = payloads.minimal()
    async with httpx.AsyncClient(base_url=short.base_url) as http:
        first = await http.post("/v1/customers", json=body, headers=headers)
        await asyncio.sleep(1.5)
        again = await http.post("/v1/customers", json=body, headers=headers)
    assert first.status_code == 201
    # No replay after retention: the request runs again and meets its own domain.
    assert again.status_code == 409
    assert again.json()["code"] == 880001
    await asyncio.sleep(1.1)
    assert short.call(short.runtime.purge_expired()) >= 1
    assert query(short, "SELECT count(*) FROM idempotency_records")[0][0] == 0


async def test_a_twin_stuck_past_the_wait_gets_a_retry_answer(
    server_factory: ServerFactory,
) -> None:
    """A request whose twin holds the lock beyond the bounded wait is told to retry."""
    impatient = server_factory(lock_wait_seconds=0.3)
    token = impatient.token()
    locker = _hold_write_lock(impatient)
    try:
        async with httpx.AsyncClient(base_url=impatient.base_url) as http:
            response = await http.post(
                "/v1/customers",
                json=payloads.minimal(),
                headers={**_headers(), "Authorization": f"Bearer {token}"},
            )
    finally:
        locker.release()
    assert response.status_code == 409, response.text
    assert response.json()["code"] == 880011


class _Lock:
    def __init__(self, release: Any) -> None:
        self.release = release


def _hold_write_lock(server: LiveServer) -> _Lock:
    """Take the lock a create needs, from outside the server, until released."""
    url = sync_url(server)
    if server.backend == "sqlite":
        import sqlite3

        path = url.split("///", 1)[1]
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM idempotency_records WHERE 1 = 0")
        return _Lock(lambda: (conn.execute("ROLLBACK"), conn.close()))
    import psycopg

    conn_pg = psycopg.connect(url)
    conn_pg.execute("LOCK TABLE idempotency_records IN EXCLUSIVE MODE")
    return _Lock(lambda: (conn_pg.rollback(), conn_pg.close()))
