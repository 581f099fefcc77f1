"""Request inspection (`/_tenantry/requests`) over real HTTP, on a server of this module's own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tenantry.config import DEV_ADMIN_KEY, Mode
from tenantry.control.request_log import CAPACITY, Entry, RequestLog
from tenantry.security.keys import generate_master_key
from tests.api.test_errors import assert_envelope
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.server import LiveServer

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}
REQUESTS = "/_tenantry/requests"
FIELDS = {
    "time",
    "method",
    "path",
    "status",
    "code",
    "requestId",
    "correlationId",
    "replayed",
    "faults",
    "durationMs",
}


@pytest.fixture(scope="module")
def sandbox(server_factory: ServerFactory) -> LiveServer:
    return server_factory()


@pytest.fixture(scope="module")
def sandbox_token(sandbox: LiveServer) -> str:
    return sandbox.token()


@pytest.fixture
async def admin(sandbox: LiveServer, sandbox_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """The control plane, with an empty request log and no faults at the start and the end
    (the token is fetched first, so that its request is not in the log)."""
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=ADMIN, timeout=60) as http:
        (await http.delete(REQUESTS)).raise_for_status()
        yield http
        (await http.delete("/_tenantry/faults")).raise_for_status()
        (await http.delete(REQUESTS)).raise_for_status()


@pytest.fixture
async def api(sandbox: LiveServer, sandbox_token: str) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {sandbox_token}"}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers, timeout=60) as http:
        yield http


async def recorded(admin: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await admin.get(REQUESTS, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["totalCount"] == len(body["items"])
    assert body["attributes"] == {"objectType": "Collection"}
    for item in body["items"]:
        assert set(item) <= FIELDS
    items: list[dict[str, Any]] = body["items"]
    return items


def ids(request_id: str | None = None) -> dict[str, str]:
    return {"MS-RequestId": request_id or str(uuid.uuid4()), "MS-CorrelationId": str(uuid.uuid4())}


async def test_a_failing_create_shows_its_code_ids_and_replay(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    sent = ids()
    body = payloads.minimal(billingProfile__culture="xx-YY")
    first = await api.post("/v1/customers", json=body, headers=sent)
    second = await api.post("/v1/customers", json=body, headers=sent)
    code = assert_envelope(first, 400, 880003)["code"]
    assert second.headers["Idempotent-Replayed"] == "true"

    retry, original = await recorded(admin)  # newest first
    for entry in (retry, original):
        assert entry["method"] == "POST"
        assert entry["path"] == "/v1/customers"
        assert (entry["status"], entry["code"]) == (400, code)
        assert entry["requestId"] == sent["MS-RequestId"]
        assert entry["correlationId"] == sent["MS-CorrelationId"]
        assert entry["durationMs"] >= 0
        assert "faults" not in entry
        when = datetime.fromisoformat(entry["time"])
        assert abs(datetime.now(UTC) - when) < timedelta(minutes=1)
    assert (retry["replayed"], original["replayed"]) == (True, False)


async def test_no_secret_ever_appears(
    admin: httpx.AsyncClient, api: httpx.AsyncClient, sandbox: LiveServer
) -> None:
    created = await api.post("/v1/customers", json=payloads.minimal(), headers=ids())
    password = created.json()["userCredentials"]["password"]
    token_answer = await api.post(
        f"/{DEV_TENANT_ID}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": DEV_CLIENT_ID,
            "client_secret": DEV_CLIENT_SECRET,
            "scope": "https://api.partnercenter.microsoft.com/.default",
        },
    )
    access_token = token_answer.json()["access_token"]
    refused = await api.post(
        "/v1/customers", json=payloads.minimal(userCredentials__password="Hunter2!Hunter2!")
    )
    assert refused.status_code == 400
    await api.get("/v1/customers", params={"size": 5, "note": "querysecret"})

    raw = (await admin.get(REQUESTS)).text
    bearer = api.headers["Authorization"].removeprefix("Bearer ")
    for secret in (
        password,
        access_token,
        bearer,
        DEV_CLIENT_SECRET,
        "Hunter2!Hunter2!",
        DEV_ADMIN_KEY,
    ):
        assert secret not in raw
    assert "querysecret" not in raw
    assert "size=" not in raw
    items = await recorded(admin)
    assert items[0]["path"] == "/v1/customers"  # the query string is not kept
    assert [i["status"] for i in items] == [200, 400, 200, 201]


async def test_injected_faults_are_shown(admin: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    spec = {"route": "GET /v1/customers", "kind": "status", "status": 503, "count": 1}
    fault = (await admin.post("/_tenantry/faults", json=spec)).json()
    dropped = {"route": "GET /healthz", "kind": "drop", "when": "after", "count": 1}
    drop = (await admin.post("/_tenantry/faults", json=dropped)).json()
    assert (await api.get("/v1/customers")).status_code == 503
    with pytest.raises(httpx.TransportError):
        await api.get("/healthz")

    # The server records the dropped request a moment after the client saw it go.
    for _ in range(100):
        entries = await recorded(admin)
        if len(entries) == 2:
            break
        await asyncio.sleep(0.02)
    lost, busy = entries
    assert (busy["status"], busy["code"]) == (503, 880016)
    assert busy["faults"] == [
        {"id": fault["id"], "kind": "status", "when": "before", "status": 503}
    ]
    assert "status" not in lost  # nothing was answered
    assert lost["faults"] == [{"id": drop["id"], "kind": "drop", "when": "after"}]


async def test_limit_newest_first_and_clear(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    sent = [ids() for _ in range(3)]
    for headers in sent:
        await api.get("/healthz", headers=headers)
    await admin.get("/_tenantry/faults")  # the control plane itself is never recorded
    newest_two = await recorded(admin, limit=2)
    assert [e["requestId"] for e in newest_two] == [
        sent[2]["MS-RequestId"],
        sent[1]["MS-RequestId"],
    ]
    assert len(await recorded(admin)) == 3
    for bad in ("0", "1001", "ten", "-1", "1.5"):
        response = await admin.get(REQUESTS, params={"limit": bad})
        assert "limit must be" in assert_envelope(response, 400, 800002)["description"]
    assert (await admin.delete(REQUESTS)).status_code == 204
    assert await recorded(admin) == []


def test_the_log_keeps_the_last_thousand() -> None:
    assert CAPACITY == 1000
    log = RequestLog(capacity=3)
    for n in range(5):
        log.add(Entry(datetime.now(UTC), "GET", f"/{n}", 200, None, "r", "c", False, (), 1.0))
    assert [e.path for e in log.newest(10)] == ["/4", "/3", "/2"]


@pytest.mark.parametrize("key", [None, "wrong-key"])
async def test_the_admin_key_is_required(sandbox: LiveServer, key: str | None) -> None:
    headers = {} if key is None else {"Tenantry-Admin-Key": key}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers) as http:
        assert_envelope(await http.get(REQUESTS), 401, 880024)
        assert_envelope(await http.delete(REQUESTS), 401, 880024)


async def test_production_has_no_inspection(server_factory: ServerFactory) -> None:
    production = server_factory(mode=Mode.PRODUCTION, master_key=generate_master_key())
    async with httpx.AsyncClient(base_url=production.base_url, headers=ADMIN) as http:
        assert (await http.get("/healthz")).status_code == 200
        assert_envelope(await http.get(REQUESTS), 404, 1000)
        assert_envelope(await http.delete(REQUESTS), 404, 1000)
