"""Concurrency at scale: many simultaneous requests, one outcome.

Each test opens a pool of connections wide enough that the requests really overlap on the
server (not one after another on a single keep-alive connection).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support import payloads
from tests.support.database import query
from tests.support.server import LiveServer

DOMAIN_TAKEN = 880001
ETAG_MISMATCH = 2055


@pytest.fixture
async def pool(server: LiveServer, token: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
        timeout=120,
    ) as http:
        yield http


def _count(server: LiveServer, sql: str, **params: Any) -> int:
    return int(query(server, sql, **params)[0][0])


async def test_200_identical_creates_make_one_customer_and_200_identical_answers(
    pool: httpx.AsyncClient, server: LiveServer
) -> None:
    request_id = str(uuid.uuid4())
    body = payloads.seed_001()
    responses = await asyncio.gather(
        *(
            pool.post(
                "/v1/customers",
                content=body,
                headers={"Content-Type": "application/json", "MS-RequestId": request_id},
            )
            for _ in range(200)
        )
    )
    assert Counter(r.status_code for r in responses) == {201: 200}, [
        r.text for r in responses if r.status_code != 201
    ][:3]
    assert len({r.content for r in responses}) == 1  # the password included
    assert sum(r.headers.get("Idempotent-Replayed") != "true" for r in responses) == 1
    created = responses[0].json()
    assert created["userCredentials"]["password"]
    domain = created["companyProfile"]["domain"].lower()
    assert _count(server, "SELECT count(*) FROM customers WHERE domain_key = :d", d=domain) == 1
    assert _count(server, "SELECT count(*) FROM users WHERE customer_id = :c", c=created["id"]) == 1
    assert (
        _count(server, "SELECT count(*) FROM relationships WHERE customer_id = :c", c=created["id"])
        == 1
    )


async def test_100_creates_of_one_domain_with_different_request_ids_make_one_customer(
    pool: httpx.AsyncClient, server: LiveServer
) -> None:
    prefix = payloads.unique_prefix("Race")  # mixed case: the domain is case-insensitive
    variants = [prefix, prefix.lower(), prefix.upper()]
    responses = await asyncio.gather(
        *(
            pool.post(
                "/v1/customers",
                json=payloads.minimal(variants[i % 3]),
                headers={"MS-RequestId": str(uuid.uuid4())},
            )
            for i in range(100)
        )
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 99}, [r.text for r in responses if r.status_code >= 500][:3]
    refused = [r.json() for r in responses if r.status_code == 409]
    assert {e["code"] for e in refused} == {DOMAIN_TAKEN}
    assert all(e["source"] == "PartnerFD" for e in refused)
    winner = next(r.json() for r in responses if r.status_code == 201)
    key = f"{prefix}.onmicrosoft.com".lower()
    assert _count(server, "SELECT count(*) FROM customers WHERE domain_key = :d", d=key) == 1
    assert (await pool.get(f"/v1/customers/{winner['id']}")).status_code == 200


def _profile_body(profile: dict[str, Any], company_name: str) -> dict[str, Any]:
    body = {k: v for k, v in profile.items() if k not in ("links", "attributes")}
    body["companyName"] = company_name
    return body


async def test_concurrent_billing_updates_exactly_one_wins_per_etag(
    pool: httpx.AsyncClient,
) -> None:
    created = await pool.post(
        "/v1/customers", json=payloads.minimal(), headers={"MS-RequestId": str(uuid.uuid4())}
    )
    assert created.status_code == 201
    uri = f"/v1/customers/{created.json()['id']}/profiles/billing"
    read = await pool.get(uri)
    etag = read.headers["etag"]
    profile = read.json()
    seen_etags = {etag}

    # Three rounds: each round's winner hands its new etag to the next round.
    for round_no in range(3):
        names = [f"Round {round_no} Writer {i}" for i in range(50)]
        responses = await asyncio.gather(
            *(
                pool.put(uri, json=_profile_body(profile, n), headers={"If-Match": etag})
                for n in names
            )
        )
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 1, 400: 49}, statuses
        assert {r.json()["code"] for r in responses if r.status_code == 400} == {ETAG_MISMATCH}
        winner = next(r for r in responses if r.status_code == 200)
        assert winner.json()["companyName"] in names

        current = await pool.get(uri)
        assert current.json() == winner.json()  # the stored profile is the winner's, whole
        assert current.headers["etag"] == winner.headers["etag"]
        etag = current.headers["etag"]
        assert etag not in seen_etags
        seen_etags.add(etag)
        profile = current.json()
