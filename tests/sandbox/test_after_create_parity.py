"""The sandbox's whole-state calls cover what comes after create: a seed can confirm the
Microsoft Customer Agreement and order offers; export, import and reset carry agreements,
orders, subscriptions and users; faults apply to the new routes; the customer cap counts
customers only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tenantry.auth.development import DEV_TENANT_ID
from tenantry.config import DEV_ADMIN_KEY
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.commerce import agreement_body, order_body
from tests.support.server import LiveServer

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}


@pytest.fixture(scope="module")
def own(server_factory: ServerFactory) -> LiveServer:
    """A server of this module's own: its tests reset it freely."""
    return server_factory()


@pytest.fixture
async def admin(own: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=own.base_url, headers=ADMIN, timeout=60) as http:
        assert (await http.post("/_tenantry/reset")).status_code == 204
        yield http
        (await http.delete("/_tenantry/faults")).raise_for_status()


@pytest.fixture
async def api(own: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {own.token()}"}
    async with httpx.AsyncClient(base_url=own.base_url, headers=headers, timeout=60) as http:
        yield http


@pytest.fixture
async def user_api(own: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {own.user_token()}"}
    async with httpx.AsyncClient(base_url=own.base_url, headers=headers, timeout=60) as http:
        yield http


def _seed_customer(**extra: Any) -> dict[str, Any]:
    return {
        "partner": DEV_TENANT_ID,
        "domain": f"{payloads.unique_prefix('parity')}.onmicrosoft.com",
        "companyName": "Wingtip Toys",
        "email": "gena@wingtiptoys.com",
        "culture": "en-US",
        "language": "en",
        "address": {
            "firstName": "Gena",
            "lastName": "Soto",
            "addressLine1": "One Microsoft Way",
            "city": "Redmond",
            "state": "WA",
            "postalCode": "98052",
            "country": "US",
        },
        **extra,
    }


async def _everything(api: httpx.AsyncClient, cid: str) -> dict[str, Any]:
    """What the API shows of a customer after create."""
    return {
        part: (await api.get(f"/v1/customers/{cid}/{part}")).json()["items"]
        for part in ("agreements", "orders", "subscriptions", "users")
    }


async def test_a_seed_confirms_the_agreement_and_orders(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    seed = {
        "customers": [
            _seed_customer(
                agreement={
                    "firstName": "Gena",
                    "lastName": "Soto",
                    "email": "gena@wingtiptoys.com",
                    "dateAgreed": "2026-01-15T00:00:00Z",
                },
                subscriptions=[{"offerId": "m365-e3", "quantity": 20}, {"offerId": "azure"}],
            )
        ]
    }
    response = await admin.post("/_tenantry/seed", json=seed)
    assert response.status_code == 200, response.text
    (customer,) = (await api.get("/v1/customers")).json()["items"]
    seen = await _everything(api, customer["id"])
    (agreement,) = seen["agreements"]
    assert (agreement["type"], agreement["dateAgreed"]) == (
        "MicrosoftCustomerAgreement",
        "2026-01-15T00:00:00Z",
    )
    (order,) = seen["orders"]
    assert sorted((i["offerId"], i["quantity"]) for i in order["lineItems"]) == [
        ("azure", 1),
        ("m365-e3", 20),
    ]
    assert {s["orderId"] for s in seen["subscriptions"]} == {order["id"]}
    # The seeded agreement is enough to order through the API.
    more = await api.post(f"/v1/customers/{customer['id']}/orders", json=order_body(("azure", 1)))
    assert more.status_code == 201, more.text


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"subscriptions": [{"offerId": "nope"}]}, "customers[0].subscriptions[0].offerId"),
        (
            {"subscriptions": [{"offerId": "azure", "quantity": 2}]},
            "customers[0].subscriptions[0].quantity must be 1-1",
        ),
        ({"agreement": {"firstName": "A"}}, "customers[0].agreement.lastName"),
        (
            {"agreement": {"firstName": "A", "lastName": "B", "email": "e", "dateAgreed": "x"}},
            "customers[0].agreement.dateAgreed",
        ),
    ],
)
async def test_a_bad_seed_names_the_member(
    admin: httpx.AsyncClient, api: httpx.AsyncClient, extra: dict[str, Any], reason: str
) -> None:
    response = await admin.post("/_tenantry/seed", json={"customers": [_seed_customer(**extra)]})
    assert response.status_code == 400
    assert response.json()["code"] == 800002
    assert reason in response.json()["description"]
    assert (await api.get("/v1/customers")).json()["items"] == []


async def test_export_import_and_reset_carry_what_came_after_create(
    admin: httpx.AsyncClient, api: httpx.AsyncClient, user_api: httpx.AsyncClient
) -> None:
    created = await api.post(
        "/v1/customers", json=payloads.minimal(), headers={"MS-RequestId": str(uuid.uuid4())}
    )
    cid, domain = created.json()["id"], created.json()["companyProfile"]["domain"]
    assert (
        await user_api.post(f"/v1/customers/{cid}/agreements", json=agreement_body())
    ).status_code == 201
    ordered = await api.post(f"/v1/customers/{cid}/orders", json=order_body(("m365-e3", 7)))
    sid = ordered.json()["lineItems"][0]["subscriptionId"]
    await api.patch(f"/v1/customers/{cid}/subscriptions/{sid}", json={"status": "suspended"})
    user = {
        "userPrincipalName": f"kim@{domain}",
        "displayName": "Kim",
        "usageLocation": "US",
        "passwordProfile": {"password": "Parity-Passw0rd!"},
    }
    assert (await user_api.post(f"/v1/customers/{cid}/users", json=user)).status_code == 201
    before = await _everything(api, cid)

    state = (await admin.get("/_tenantry/export")).json()
    for table in ("agreements", "orders", "order_line_items", "subscriptions", "users"):
        assert state["tables"][table], table
    assert "Parity-Passw0rd!" not in str(state)

    assert (await admin.post("/_tenantry/reset")).status_code == 204
    gone = await api.get(f"/v1/customers/{cid}/subscriptions")
    assert gone.status_code == 404
    assert (await admin.get("/_tenantry/export")).json()["tables"]["orders"] == []

    imported = await admin.post("/_tenantry/import", json=state)
    assert imported.status_code in (200, 204), imported.text
    assert await _everything(api, cid) == before
    assert [s["status"] for s in before["subscriptions"]] == ["suspended"]


async def test_an_older_export_without_the_new_members_imports(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    """A state exported before subscriptions had a status or users had names."""
    seed = {"customers": [_seed_customer(subscriptions=[{"offerId": "m365-e3", "quantity": 2}])]}
    assert (await admin.post("/_tenantry/seed", json=seed)).status_code == 200
    state = (await admin.get("/_tenantry/export")).json()
    for row in state["tables"]["subscriptions"]:
        for column in ("status", "order_id", "partner_id_on_record"):
            del row[column]
    for row in state["tables"]["users"]:
        for column in ("display_name", "first_name", "last_name", "usage_location"):
            del row[column]
    for table in ("agreements", "orders", "order_line_items"):
        del state["tables"][table]
    imported = await admin.post("/_tenantry/import", json=state)
    assert imported.status_code in (200, 204), imported.text
    (customer,) = (await api.get("/v1/customers")).json()["items"]
    (subscription,) = (await api.get(f"/v1/customers/{customer['id']}/subscriptions")).json()[
        "items"
    ]
    assert subscription["status"] == "active"
    assert "orderId" not in subscription


@pytest.mark.parametrize(
    "route",
    [
        "POST /v1/customers/*/orders",
        "GET /v1/customers/*/subscriptions",
        "PATCH /v1/customers/*/subscriptions/*",
        "GET /v1/offers",
        "POST /v1/customers/*/agreements",
        "POST /v1/customers/*/users",
    ],
)
async def test_faults_apply_to_the_new_routes(
    admin: httpx.AsyncClient, api: httpx.AsyncClient, route: str
) -> None:
    fault = await admin.post(
        "/_tenantry/faults", json={"route": route, "kind": "status", "status": 503}
    )
    assert fault.status_code == 201, fault.text
    method, path = route.split(" ")
    url = path.replace("*", "00000000-0000-4000-8000-000000000000")
    response = await api.request(method, url, json={})
    assert response.status_code == 503


async def test_the_customer_cap_counts_customers_only(
    admin: httpx.AsyncClient, api: httpx.AsyncClient, user_api: httpx.AsyncClient
) -> None:
    limits = await admin.put("/_tenantry/limits", json={"customerCap": 1})
    assert limits.status_code == 200, limits.text
    try:
        first = await api.post(
            "/v1/customers", json=payloads.minimal(), headers={"MS-RequestId": str(uuid.uuid4())}
        )
        cid = first.json()["id"]
        await user_api.post(f"/v1/customers/{cid}/agreements", json=agreement_body())
        ordered = await api.post(f"/v1/customers/{cid}/orders", json=order_body(("m365-e3", 3)))
        assert ordered.status_code == 201  # orders are not customers
        second = await api.post(
            "/v1/customers", json=payloads.minimal(), headers={"MS-RequestId": str(uuid.uuid4())}
        )
        assert second.status_code == 400
        assert second.json()["code"] == 800018
    finally:
        await admin.put("/_tenantry/limits", json={"customerCap": 0})
