"""Retries against the sandbox's injected faults (docs/sandbox-faults.md): throttling, server
errors, lost connections and byte-order marks, seen through the server's request log."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from tenantry_client import (
    AsyncPartnerClient,
    Customer,
    PartnerClient,
    RetryPolicy,
    ServerError,
    ThrottledError,
    TransportError,
)

from tests.client.conftest import ADMIN, Harness, dev_credential, no_wait
from tests.client.factories import wingtip
from tests.support.server import LiveServer

GET_ONE = "GET /v1/customers/*"
CREATE = "POST /v1/customers"
BILLING = "PUT /v1/customers/*/profiles/billing"


def fixed(**options: Any) -> RetryPolicy:
    """A retry policy whose back-off is always its ceiling (no jitter)."""
    return RetryPolicy(jitter=lambda: 1.0, **options)


async def _log_by_correlation(harness: Harness, correlation_id: str) -> list[dict[str, Any]]:
    response = await harness.admin("GET", "/_tenantry/requests", params={"limit": 1000})
    items = [r for r in response.json()["items"] if r["correlationId"] == correlation_id]
    return items[::-1]


async def _copies(harness: Harness, sdk: Any, customer: Customer) -> int:
    """How many of the partner's customers have this customer's domain."""
    assert customer.company_profile is not None
    domain = customer.company_profile.domain
    return len(await harness.collect(sdk.customers.search(domain=domain)))


async def test_throttling_waits_retry_after_and_keeps_the_request_id(harness: Harness) -> None:
    waits, sleep = no_wait()
    client = harness.client(retry=fixed(), sleep=sleep)
    created = await harness.run(client.customers.create, wingtip())
    await harness.add_fault(route=GET_ONE, kind="status", status=429, retryAfter=2, count=2)

    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    fetched = await harness.run(client.customers.get, created.id, correlation_id=first)
    await harness.run(client.customers.get, created.id, correlation_id=second)

    assert fetched.id == created.id
    assert waits == [2.0, 2.0]  # Retry-After, not the back-off
    seen = await _log_by_correlation(harness, first)
    assert [r["status"] for r in seen] == [429, 429, 200]
    assert len({r["requestId"] for r in seen}) == 1  # one MS-RequestId for every attempt
    (later,) = await _log_by_correlation(harness, second)
    assert later["requestId"] != seen[0]["requestId"]  # and a fresh one for the next call


async def test_throttling_beyond_the_limits_raises(harness: Harness, sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    waits, sleep = no_wait()
    patient = harness.client(retry=fixed(max_attempts=3), sleep=sleep)
    await harness.add_fault(route=GET_ONE, kind="status", status=429, retryAfter=1)
    with pytest.raises(ThrottledError) as caught:
        await harness.run(patient.customers.get, created.id)
    assert caught.value.status == 429
    assert caught.value.retry_after == 1.0
    assert "Rate limit is exceeded" in caught.value.description
    assert waits == [1.0, 1.0]  # three attempts in all

    await harness.admin("DELETE", "/_tenantry/faults")
    await harness.add_fault(route=GET_ONE, kind="status", status=429, retryAfter=600)
    waits.clear()
    with pytest.raises(ThrottledError) as long_wait:  # longer than max_retry_after: no wait
        await harness.run(patient.customers.get, created.id)
    assert long_wait.value.retry_after == 600.0
    assert waits == []


async def test_a_503_after_create_yields_one_customer_and_its_password(
    harness: Harness, sdk: Any
) -> None:
    waits, sleep = no_wait()
    client = harness.client(retry=fixed(), sleep=sleep)
    await harness.add_fault(route=CREATE, kind="status", status=503, when="after", count=1)
    request_id = str(uuid.uuid4())
    customer = wingtip()

    created = await harness.run(client.customers.create, customer, request_id=request_id)

    assert created.user_credentials.password
    assert waits == [1.0]  # the 503's Retry-After
    seen = await harness.requests_with(request_id)
    assert [(r["status"], r["replayed"]) for r in seen] == [(503, False), (201, True)]
    assert await _copies(harness, sdk, customer) == 1


async def test_a_lost_answer_to_create_yields_one_customer_and_its_password(
    harness: Harness, sdk: Any
) -> None:
    waits, sleep = no_wait()
    client = harness.client(retry=fixed(backoff_factor=0.25), sleep=sleep)
    await harness.add_fault(route=CREATE, kind="drop", when="after", count=1)
    customer = wingtip()

    created = await harness.run(client.customers.create, customer)

    assert created.user_credentials.password
    assert waits == [0.25]
    assert await _copies(harness, sdk, customer) == 1
    fetched = await harness.run(sdk.customers.get, created.id)
    assert fetched.id == created.id


async def test_a_transport_error_keeps_the_request_id_for_a_later_retry(
    harness: Harness, sdk: Any
) -> None:
    client = harness.client(retry=RetryPolicy.none())
    await harness.add_fault(route=CREATE, kind="drop", when="after", count=1)
    customer = wingtip()
    with pytest.raises(TransportError) as caught:
        await harness.run(client.customers.create, customer)
    error = caught.value
    assert error.request_id
    assert error.correlation_id == client.correlation_id
    assert isinstance(error.__cause__, Exception)

    # Later (even from another process) the same MS-RequestId gets the first answer back.
    again = await harness.run(client.customers.create, customer, request_id=error.request_id)
    assert again.user_credentials.password
    assert await _copies(harness, sdk, customer) == 1


async def test_server_errors_are_retried_then_raised(harness: Harness, sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    waits, sleep = no_wait()
    client = harness.client(retry=fixed(backoff_factor=0.5), sleep=sleep)
    await harness.add_fault(route=GET_ONE, kind="status", status=500, count=2)
    assert (await harness.run(client.customers.get, created.id)).id == created.id
    assert waits == [0.5, 1.0]  # exponential

    await harness.add_fault(route=GET_ONE, kind="status", status=500)
    with pytest.raises(ServerError) as caught:
        await harness.run(client.customers.get, created.id)
    assert (caught.value.status, caught.value.code) == (500, 800003)
    assert caught.value.correlation_id is not None
    assert caught.value.correlation_id in caught.value.description


async def test_an_update_is_not_repeated_after_a_server_error(harness: Harness, sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    profile = await harness.run(sdk.customers.billing_profile, created.id)
    waits, sleep = no_wait()
    client = harness.client(retry=fixed(), sleep=sleep)
    await harness.add_fault(route=BILLING, kind="status", status=503, when="after", count=1)
    with pytest.raises(ServerError) as caught:  # it may have been applied: not retried
        await harness.run(client.customers.update_billing_profile, created.id, profile)
    assert caught.value.status == 503
    assert caught.value.retry_after == 1.0
    assert waits == []

    # Throttling is decided before anything is done: that is retried.
    current = await harness.run(sdk.customers.billing_profile, created.id)
    await harness.add_fault(route=BILLING, kind="status", status=429, retryAfter=3, count=1)
    updated = await harness.run(client.customers.update_billing_profile, created.id, current)
    assert updated.etag != current.etag
    assert waits == [3.0]


async def test_byte_order_marks_are_tolerated(harness: Harness, sdk: Any) -> None:
    await harness.add_fault(route="*", kind="bom")
    created = await harness.run(sdk.customers.create, wingtip())
    assert created.user_credentials.password
    assert (await harness.run(sdk.customers.get, created.id)).id == created.id
    assert await harness.collect(sdk.customers.list(size=1), limit=2)
    assert (await harness.run(sdk.customers.billing_profile, created.id)).etag
    assert (await harness.run(sdk.country_rules, "US")).iso2_code == "US"
    await harness.add_fault(route=GET_ONE, kind="status", status=503, retryAfter=0)
    once = harness.client(retry=RetryPolicy.none())
    with pytest.raises(ServerError) as caught:  # the envelope is read through the BOM, too
        await harness.run(once.customers.get, created.id)
    assert caught.value.code == 880016


async def test_unknown_enum_values_are_kept(harness: Harness, sdk: Any) -> None:
    await harness.add_fault(route="*", kind="unknownEnum")
    created = await harness.run(sdk.customers.create, wingtip())
    assert created.relationship_to_partner == "future_relationship"
    listed = await harness.collect(sdk.customers.list(size=1), limit=1)
    assert listed[0].relationship_to_partner == "future_relationship"


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_read_timeout_is_retried_with_the_same_request_id(
    server: LiveServer, kind: str
) -> None:
    """Over a real socket (in-process transports have no time-outs)."""
    waits, sleep = no_wait()
    cls = PartnerClient if kind == "sync" else AsyncPartnerClient
    credential = dev_credential()
    setup: Any = cls(credential, base_url=server.base_url)
    # Only the call under test has the short time-out (the token is cached by then).
    client: Any = cls(credential, base_url=server.base_url, timeout=0.5, retry=fixed(), sleep=sleep)

    async def run(result: Any) -> Any:
        return await result if kind == "async" else result

    async with httpx.AsyncClient(base_url=server.base_url, headers=ADMIN, timeout=30) as admin:
        try:
            created = await run(setup.customers.create(wingtip()))
            fault = {"route": GET_ONE, "kind": "latency", "milliseconds": 1500, "count": 1}
            assert (await admin.post("/_tenantry/faults", json=fault)).status_code == 201
            correlation_id = str(uuid.uuid4())
            fetched = await run(client.customers.get(created.id, correlation_id=correlation_id))
            assert fetched.id == created.id
            assert waits == [0.5]
            await asyncio.sleep(1.2)  # the slow attempt is logged once the server finishes it
            log = await admin.get("/_tenantry/requests", params={"limit": 1000})
            seen = [r for r in log.json()["items"] if r["correlationId"] == correlation_id]
            assert len(seen) == 2
            assert len({r["requestId"] for r in seen}) == 1
        finally:
            await admin.delete("/_tenantry/faults")
            await run(client.close())
            await run(setup.close())
