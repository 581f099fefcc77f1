"""MS-* headers on every answer, and error descriptions in the caller's language."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.support import payloads
from tests.support.server import LiveServer

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def test_ids_are_echoed(client: httpx.AsyncClient) -> None:
    request_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    response = await client.post(
        "/v1/customers",
        json=payloads.minimal(),
        headers={"MS-RequestId": request_id, "MS-CorrelationId": correlation_id},
    )
    assert response.headers["ms-requestid"] == request_id
    assert response.headers["ms-correlationid"] == correlation_id


async def test_missing_ids_are_generated_and_echoed(client: httpx.AsyncClient) -> None:
    # The Node client sends neither header.
    response = await client.post("/v1/customers", json=payloads.minimal())
    assert response.status_code == 201
    assert GUID.match(response.headers["ms-requestid"])
    assert GUID.match(response.headers["ms-correlationid"])
    assert response.headers["ms-requestid"] != response.headers["ms-correlationid"]


async def test_every_answer_carries_cv_and_server_id(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        for response in (
            await http.get("/healthz"),
            await http.get("/v1/nowhere"),
            await http.post("/v1/customers", content=b"{"),
        ):
            assert re.fullmatch(r"[A-Za-z0-9+/]{16}\.0", response.headers["ms-cv"])
            assert response.headers["ms-serverid"] == server.settings.server_id


async def test_callers_correlation_vector_is_extended(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"MS-CV": "ObwhuhD2tUKJoM+Z.1"})
    assert response.headers["ms-cv"] == "ObwhuhD2tUKJoM+Z.1.0"


async def test_malformed_request_id_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"/v1/customers/{uuid.uuid4()}", headers={"MS-RequestId": "bad id with spaces"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == 800002


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh-CN", "客户"), ("zh-TW", "客戶"), ("ZH-cn", "客户"), ("fr-FR", "Customer")],
)
async def test_error_descriptions_follow_x_locale(
    client: httpx.AsyncClient, locale: str, expected: str
) -> None:
    response = await client.get(f"/v1/customers/{uuid.uuid4()}", headers={"X-Locale": locale})
    assert response.json()["code"] == 60003
    assert expected in response.json()["description"]


async def test_field_reasons_are_translated(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(billingProfile__email=payloads.DELETE)
    response = await client.post("/v1/customers", json=body, headers={"X-Locale": "zh-CN"})
    data = response.json()["data"]
    assert data[0].startswith("billingProfile.email: ")
    assert not data[0].endswith("is required")
