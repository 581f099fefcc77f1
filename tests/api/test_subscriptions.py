"""A customer's subscriptions: read, and PATCH as Partner Center documents it (friendly
name, quantity within the offer's limits, suspend and reactivate, the whole resource sent
back), with the audit trail."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.commerce import place_order, ready_customer
from tests.support.database import query
from tests.support.server import LiveServer


async def _subscription(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, offer: str = "m365-e3"
) -> dict[str, Any]:
    customer = await ready_customer(client, user_client)
    order = await place_order(client, customer["id"], (offer, 10))
    sid = order["lineItems"][0]["subscriptionId"]
    response = await client.get(f"/v1/customers/{customer['id']}/subscriptions/{sid}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _uri(subscription: dict[str, Any]) -> str:
    return f"/v1{subscription['links']['self']['uri']}"


async def test_the_documented_members(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    s = await _subscription(client, user_client)
    assert s["offerId"] == "m365-e3"
    assert s["offerName"] == "Microsoft 365 E3"
    assert s["friendlyName"] == "Microsoft 365 E3"
    assert s["quantity"] == 10
    assert s["status"] == "active"
    assert s["unitType"] == "Licenses"
    assert s["billingCycle"] == "monthly"
    assert s["creationDate"].endswith("Z")
    assert s["links"]["offer"]["uri"] == "/offers/m365-e3?country=US"
    assert s["attributes"] == {"objectType": "Subscription"}
    assert "orderId" in s


async def test_patch_the_whole_resource(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, server: LiveServer
) -> None:
    """As the SDKs do: read, change members, send the whole subscription back."""
    s = await _subscription(client, user_client)
    changed = {**s, "friendlyName": "Seats for sales", "quantity": 12}
    response = await client.patch(_uri(s), json=changed)
    assert response.status_code == 200, response.text
    assert (response.json()["friendlyName"], response.json()["quantity"]) == (
        "Seats for sales",
        12,
    )
    assert (await client.get(_uri(s))).json() == response.json()
    rows = query(
        server,
        "SELECT action FROM audit_events WHERE target_id = :s ORDER BY occurred_at",
        s=s["id"],
    )
    assert rows == [("customer.subscription.updated",)]


async def test_suspend_and_reactivate(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    s = await _subscription(client, user_client)
    suspended = await client.patch(_uri(s), json={"Status": "Suspended"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    listed = await client.get(_uri(s).rsplit("/", 1)[0])
    assert [x["status"] for x in listed.json()["items"]] == ["suspended"]
    more = suspended.json()["quantity"] + 1
    refused = await client.patch(_uri(s), json={**suspended.json(), "quantity": more})
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == 880050
    assert refused.json()["data"] == [
        "quantity: cannot be changed while the subscription is suspended"
    ]
    assert (await client.get(_uri(s))).json() == suspended.json()
    change = {**suspended.json(), "status": "active", "quantity": more}
    active = await client.patch(_uri(s), json=change)
    assert (active.json()["status"], active.json()["quantity"]) == ("active", more)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"quantity": 0}, 880048),
        ({"quantity": 10001}, 880048),
        ({"quantity": 1.5}, 800002),
        ({"status": "deleted"}, 880049),
        ({"status": "expired"}, 880049),
        ({"offerId": "m365-business-basic"}, 880050),
        ({"id": "00000000-0000-4000-8000-000000000000"}, 880050),
        ({"orderId": "another"}, 880050),
        ({"status": "suspended", "quantity": 2}, 880050),
        ({"friendlyName": ""}, 880008),
        ({"friendlyName": "x" * 256}, 880008),
        ({"friendlyName": 7}, 800002),
    ],
)
async def test_refused_changes(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, change: dict[str, Any], code: int
) -> None:
    s = await _subscription(client, user_client)
    response = await client.patch(_uri(s), json={**s, **change})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert (await client.get(_uri(s))).json() == s


async def test_azure_is_always_one(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await ready_customer(client, user_client)
    order = await place_order(client, customer["id"], ("azure", 1))
    uri = f"/v1/customers/{customer['id']}/subscriptions/{order['lineItems'][0]['subscriptionId']}"
    response = await client.patch(uri, json={"quantity": 2})
    assert response.json()["code"] == 880048
    assert "1-1" in response.json()["description"]


async def test_an_unknown_subscription_is_404(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await ready_customer(client, user_client)
    for sid in ("00000000-0000-4000-8000-000000000000", "not-a-guid"):
        uri = f"/v1/customers/{customer['id']}/subscriptions/{sid}"
        for response in (await client.get(uri), await client.patch(uri, json={"quantity": 1})):
            assert response.status_code == 404
            assert response.json()["code"] == 880047
