"""Fault injection (`/_tenantry/faults`), driven through the control plane and observed by a
client over real HTTP, on a server of this module's own."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.types import Message

from tenantry.config import DEV_ADMIN_KEY, Mode
from tenantry.control.fault_effects import Reply, drop
from tenantry.security.keys import generate_master_key
from tests.api.test_errors import assert_envelope
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.partners import add_partner
from tests.support.server import LiveServer

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}
FAULTS = "/_tenantry/faults"
BOM = b"\xef\xbb\xbf"
NO_SUCH_CUSTOMER = "/v1/customers/00000000-0000-4000-8000-000000000000"
# What the official .NET SDK does not retry; it retries anything else (3 attempts in all).
NOT_RETRIED = {400, 401, 403, 404, 409, 417, 429}


@pytest.fixture(scope="module")
def sandbox(server_factory: ServerFactory) -> LiveServer:
    return server_factory()


@pytest.fixture
async def admin(sandbox: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """The control plane; every fault a test adds is cleared when it ends."""
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=ADMIN, timeout=60) as http:
        yield http
        (await http.delete(FAULTS)).raise_for_status()


@pytest.fixture
async def api(sandbox: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {sandbox.token()}"}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers, timeout=60) as http:
        yield http


async def add_fault(admin: httpx.AsyncClient, **spec: Any) -> dict[str, Any]:
    response = await admin.post(FAULTS, json=spec)
    assert response.status_code == 201, response.text
    fault: dict[str, Any] = response.json()
    return fault


def ids(request_id: str | None = None) -> dict[str, str]:
    return {"MS-RequestId": request_id or str(uuid.uuid4()), "MS-CorrelationId": str(uuid.uuid4())}


async def create(http: httpx.AsyncClient, body: dict[str, Any], request_id: str) -> httpx.Response:
    return await http.post("/v1/customers", json=body, headers=ids(request_id))


async def create_like_the_sdk(http: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    """The .NET SDK's way: one MS-RequestId for every attempt, up to 3 attempts."""
    request_id = str(uuid.uuid4())
    for attempt in range(3):
        response = await create(http, body, request_id)
        if response.status_code < 300 or response.status_code in NOT_RETRIED or attempt == 2:
            return response
        await asyncio.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def fresh_partner(sandbox: LiveServer) -> httpx.AsyncClient:
    _, token = add_partner(sandbox, "US")
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(base_url=sandbox.base_url, headers=headers, timeout=60)


async def customer_count(http: httpx.AsyncClient) -> int:
    listed = await http.get("/v1/customers", params={"size": 500})
    assert listed.status_code == 200, listed.text
    return int(listed.json()["totalCount"])


# --- the headline: a lost answer, retried the SDK's way, creates one customer ------------


async def test_503_after_create_then_sdk_retry_replays_and_creates_one_customer(
    admin: httpx.AsyncClient, sandbox: LiveServer
) -> None:
    await add_fault(
        admin, route="POST /v1/customers", kind="status", status=503, when="after", count=1
    )
    async with fresh_partner(sandbox) as http:
        body = payloads.minimal()
        request_id = str(uuid.uuid4())
        first = await create(http, body, request_id)
        assert_envelope(first, 503, 880016)
        assert first.headers["Retry-After"] == "1"
        assert first.headers["MS-RequestId"] == request_id
        retried = await create(http, body, request_id)  # what the SDK sends next
        assert retried.status_code == 201, retried.text
        assert retried.headers["Idempotent-Replayed"] == "true"
        assert retried.json()["userCredentials"]["password"]
        assert await customer_count(http) == 1
        # And the same through a retry loop written as the SDK's is.
        await add_fault(
            admin, route="POST /v1/customers", kind="status", status=503, when="after", count=1
        )
        final = await create_like_the_sdk(http, payloads.minimal())
        assert final.status_code == 201
        assert final.headers["Idempotent-Replayed"] == "true"
        assert await customer_count(http) == 2


async def test_status_before_does_not_run_the_route(
    admin: httpx.AsyncClient, sandbox: LiveServer
) -> None:
    await add_fault(admin, route="POST /v1/customers", kind="status", status=500, count=1)
    async with fresh_partner(sandbox) as http:
        request_id, body = str(uuid.uuid4()), payloads.minimal()
        failed = await create(http, body, request_id)
        envelope = assert_envelope(failed, 500, 800003)
        assert failed.headers["MS-CorrelationId"] in envelope["description"]
        assert await customer_count(http) == 0
        retried = await create(http, body, request_id)
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried.headers  # nothing was stored the first time
        assert await customer_count(http) == 1


# --- each kind, as a client sees it ----------------------------------------------------


async def test_latency_delays_the_answer(admin: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    await add_fault(admin, route="GET /v1/customers/*", kind="latency", milliseconds=400)
    started = time.monotonic()
    response = await api.get(NO_SUCH_CUSTOMER)
    assert time.monotonic() - started >= 0.4
    assert_envelope(response, 404, 60003)  # the route still ran


async def test_429_is_partner_centers_throttling_answer(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    await add_fault(admin, route="GET /v1/customers", kind="status", status=429, retryAfter=7)
    sent = ids()
    response = await api.get("/v1/customers", headers=sent)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json() == {
        "statusCode": 429,
        "message": "Rate limit is exceeded. Try again in 7 seconds.",
    }
    assert response.headers["MS-RequestId"] == sent["MS-RequestId"]  # MS-* headers kept
    assert response.headers["MS-CorrelationId"] == sent["MS-CorrelationId"]
    assert "MS-CV" in response.headers


async def test_503_is_the_busy_envelope_with_retry_after(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    await add_fault(admin, route="GET /v1/customers", kind="status", status=503, retryAfter=12)
    response = await api.get("/v1/customers", headers={"X-Locale": "zh-CN"})
    body = assert_envelope(response, 503, 880016)
    assert response.headers["Retry-After"] == "12"
    assert "12" in body["description"]


async def test_drop_before_and_after(admin: httpx.AsyncClient, sandbox: LiveServer) -> None:
    async with fresh_partner(sandbox) as http:
        body, request_id = payloads.minimal(), str(uuid.uuid4())
        await add_fault(admin, route="POST /v1/customers", kind="drop", count=1)
        with pytest.raises(httpx.TransportError):
            await create(http, body, request_id)
        assert await customer_count(http) == 0  # "before": the request never got in
        await add_fault(admin, route="POST /v1/customers", kind="drop", when="after", count=1)
        with pytest.raises(httpx.TransportError):
            await create(http, body, request_id)
        assert await customer_count(http) == 1  # "after": created, the answer lost
        retried = await create(http, body, request_id)
        assert retried.status_code == 201
        assert retried.headers["Idempotent-Replayed"] == "true"
        assert await customer_count(http) == 1


async def test_bom_prefixes_json_bodies(admin: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    await add_fault(admin, route="GET /v1/customers", kind="bom")
    response = await api.get("/v1/customers")
    assert response.status_code == 200
    assert response.content.startswith(BOM)
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert json.loads(response.content[len(BOM) :])["attributes"] == {"objectType": "Collection"}
    error = await api.get(NO_SUCH_CUSTOMER)  # other routes are untouched
    assert not error.content.startswith(BOM)


async def test_unknown_enum_values(admin: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    created = await create(api, payloads.minimal(), str(uuid.uuid4()))
    customer_id = created.json()["id"]
    await add_fault(admin, route="*", kind="unknownEnum")
    got = await api.get(f"/v1/customers/{customer_id}")
    assert int(got.headers["Content-Length"]) == len(got.content)
    assert got.json()["relationshipToPartner"] == "future_relationship"
    assert got.json()["attributes"] == {"objectType": "Customer"}
    listed = (await api.get("/v1/customers", params={"size": 500})).json()
    assert listed["attributes"] == {"objectType": "Collection"}
    assert {item["relationshipToPartner"] for item in listed["items"]} == {"future_relationship"}
    address = {"addressLine1": "1 Microsoft Way", "city": "Redmond", "state": "WA"}
    address |= {"postalCode": "98052", "country": "US"}
    validated = (await api.post("/v1/validations/address", json=address)).json()
    assert validated["status"] == "FutureValidationStatus"
    assert validated["originalAddress"]["state"] == "WA"  # an address state is not an enum


async def test_unknown_enum_reaches_gdap_status(
    admin: httpx.AsyncClient, sandbox: LiveServer
) -> None:
    headers = {"Authorization": f"Bearer {sandbox.user_token()}"}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers) as http:
        body = payloads.minimal(enableGDAPByDefault=True)
        customer_id = (await create(http, body, str(uuid.uuid4()))).json()["id"]
        await add_fault(
            admin, route="GET /v1/customers/*/delegatedadminrelationships", kind="unknownEnum"
        )
        listed = await http.get(f"/v1/customers/{customer_id}/delegatedadminrelationships")
    assert listed.status_code == 200, listed.text
    assert [g["status"] for g in listed.json()["items"]] == ["futureStatus"]


# --- which requests a fault picks ------------------------------------------------------


async def test_probability_zero_never_fires(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    fault = await add_fault(
        admin, route="GET /v1/customers", kind="status", status=500, probability=0
    )
    for _ in range(20):
        assert (await api.get("/v1/customers")).status_code == 200
    listed = (await admin.get(FAULTS)).json()["items"]
    assert [(f["id"], f["injected"]) for f in listed] == [(fault["id"], 0)]


async def test_count_fires_exactly_n_times(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    fault = await add_fault(admin, route="GET /v1/customers", kind="status", status=503, count=3)
    assert (fault["count"], fault["remaining"], fault["injected"]) == (3, 3, 0)
    await api.get("/v1/customers")
    [after_one] = (await admin.get(FAULTS)).json()["items"]
    assert (after_one["remaining"], after_one["injected"]) == (2, 1)
    statuses = [(await api.get("/v1/customers")).status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    assert (await admin.get(FAULTS)).json()["items"] == []  # retired once spent


@pytest.mark.parametrize(
    ("route", "hit", "missed"),
    [
        ("GET /v1/customers/*", f"GET {NO_SUCH_CUSTOMER}", "GET /v1/customers"),
        ("GET /v1/customers/*", f"GET {NO_SUCH_CUSTOMER}", f"GET {NO_SUCH_CUSTOMER}/users"),
        ("GET /v1/customers/*", f"GET {NO_SUCH_CUSTOMER}", f"DELETE {NO_SUCH_CUSTOMER}"),
        ("get /V1/Customers", "GET /v1/customers", "GET /v1/customers/x"),
        ("* /v1/customers/*/users", f"GET {NO_SUCH_CUSTOMER}/users", f"GET {NO_SUCH_CUSTOMER}"),
        ("*", "GET /healthz", f"GET {FAULTS}"),  # never the control plane
        ("GET *", "GET /healthz", "POST /v1/customers"),
    ],
)
async def test_route_patterns(
    admin: httpx.AsyncClient, api: httpx.AsyncClient, route: str, hit: str, missed: str
) -> None:
    await add_fault(admin, route=route, kind="status", status=429, retryAfter=3)
    for line, throttled in ((hit, True), (missed, False)):
        method, path = line.split(" ")
        response = await api.request(method, path, headers=ADMIN)
        assert (response.status_code == 429) is throttled, (line, response.status_code)


# --- managing faults -------------------------------------------------------------------


async def test_list_delete_and_clear(admin: httpx.AsyncClient) -> None:
    first = await add_fault(admin, route="GET /v1/customers", kind="latency", milliseconds=5)
    second = await add_fault(
        admin, Route="POST /v1/customers", KIND="Status", Status=503, RetryAfter=2, Probability=0.5
    )
    assert second == {
        "id": second["id"],
        "route": "POST /v1/customers",
        "kind": "status",
        "probability": 0.5,
        "when": "before",
        "status": 503,
        "retryAfter": 2,
        "injected": 0,
        "createdAt": second["createdAt"],
    }
    listed = (await admin.get(FAULTS)).json()
    assert listed["totalCount"] == 2
    assert [f["id"] for f in listed["items"]] == [first["id"], second["id"]]
    assert (await admin.delete(f"{FAULTS}/{first['id']}")).status_code == 204
    assert [f["id"] for f in (await admin.get(FAULTS)).json()["items"]] == [second["id"]]
    assert_envelope(await admin.delete(f"{FAULTS}/{first['id']}"), 404, 1000)
    cleared = await admin.delete(FAULTS)
    assert cleared.status_code == 204
    assert (await admin.get(FAULTS)).json() == {
        "totalCount": 0,
        "items": [],
        "attributes": {"objectType": "Collection"},
    }


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"kind": "bom"}, "route is required"),
        ({"route": "FETCH /v1/customers", "kind": "bom"}, "route method 'FETCH'"),
        ({"route": "GET v1/customers", "kind": "bom"}, "must start with '/'"),
        ({"route": "GET /v1/customers?size=5", "kind": "bom"}, "query string"),
        ({"route": "GET /v1/cust*", "kind": "bom"}, "whole segment"),
        ({"route": "GET /_tenantry/faults", "kind": "bom"}, "control plane"),
        ({"route": "*"}, "kind is required"),
        ({"route": "*", "kind": "slow"}, "kind must be one of"),
        ({"route": "*", "kind": "bom", "probability": 1.5}, "probability must be a number"),
        ({"route": "*", "kind": "bom", "count": 0}, "count must be a whole number"),
        ({"route": "*", "kind": "latency"}, "milliseconds is required"),
        ({"route": "*", "kind": "latency", "milliseconds": -1}, "milliseconds must be"),
        ({"route": "*", "kind": "status"}, "status is required"),
        ({"route": "*", "kind": "status", "status": 404}, "one of 429, 500, 503"),
        ({"route": "*", "kind": "status", "status": 500, "retryAfter": 5}, "429 and 503 only"),
        ({"route": "*", "kind": "status", "status": 503, "when": "later"}, "when must be one of"),
        ({"route": "*", "kind": "bom", "when": "after"}, "when applies to kind drop and status"),
        ({"route": "*", "kind": "drop", "milliseconds": 5}, "milliseconds applies to kind latency"),
    ],
)
async def test_invalid_specs_are_refused_precisely(
    admin: httpx.AsyncClient, spec: dict[str, Any], reason: str
) -> None:
    body = assert_envelope(await admin.post(FAULTS, json=spec), 400, 800002)
    assert reason in body["description"]
    assert (await admin.get(FAULTS)).json()["items"] == []


async def test_malformed_json_is_refused(admin: httpx.AsyncClient) -> None:
    response = await admin.post(
        FAULTS, content=b'{"route": "*",', headers={"Content-Type": "application/json"}
    )
    assert "invalid JSON" in assert_envelope(response, 400, 800002)["description"]


# --- who may use it --------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "wrong-key"])
async def test_the_admin_key_is_required(sandbox: LiveServer, key: str | None) -> None:
    headers = {} if key is None else {"Tenantry-Admin-Key": key}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers) as http:
        assert_envelope(await http.get(FAULTS), 401, 880024)
        spec = {"route": "*", "kind": "status", "status": 500}
        assert_envelope(await http.post(FAULTS, json=spec), 401, 880024)
        assert_envelope(await http.delete(FAULTS), 401, 880024)


async def test_production_has_no_fault_injection(server_factory: ServerFactory) -> None:
    production = server_factory(mode=Mode.PRODUCTION, master_key=generate_master_key())
    async with httpx.AsyncClient(base_url=production.base_url, headers=ADMIN) as http:
        assert_envelope(await http.get(FAULTS), 404, 1000)
        spec = {"route": "*", "kind": "status", "status": 500}
        assert_envelope(await http.post(FAULTS, json=spec), 404, 1000)
        assert_envelope(await http.delete(f"{FAULTS}/x"), 404, 1000)
        assert (await http.get("/healthz")).status_code == 200


async def test_drop_elsewhere_than_uvicorn_leaves_the_answer_incomplete() -> None:
    """Where the connection is out of reach, the answer starts and stops half way through."""
    sent: list[Message] = []

    async def receive() -> Message:  # a plain function: no server connection behind it
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    reply = Reply(201, [(b"content-type", b"application/json")], b'{"id": "0123456789"}')
    await drop({"type": "http"}, receive, send, reply)
    start, body = sent
    assert start["status"] == 201
    assert dict(start["headers"])[b"content-length"] == str(len(reply.body)).encode()
    assert body["more_body"] is True
    assert len(body["body"]) < len(reply.body)
