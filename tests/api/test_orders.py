"""Orders: placed once per MS-RequestId (replayed, race-free), their line items and the
subscriptions they make, the Microsoft Customer Agreement they need, and their refusals."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.support.commerce import (
    confirm_mca,
    new_customer,
    order_body,
    place_order,
    ready_customer,
)
from tests.support.database import query
from tests.support.server import LiveServer


async def test_an_order_makes_one_subscription_per_line(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await ready_customer(client, user_client)
    cid = customer["id"]
    body = order_body(("m365-e3", 25), ("azure", 1))
    body["lineItems"][0]["friendlyName"] = "Sales seats"
    body["lineItems"][1]["partnerIdOnRecord"] = "4847383"
    response = await client.post(
        f"/v1/customers/{cid}/orders", json=body, headers={"MS-RequestId": str(uuid.uuid4())}
    )
    assert response.status_code == 201, response.text
    order = response.json()
    assert response.headers["Location"] == f"/v1/customers/{cid}/orders/{order['id']}"
    assert order["referenceCustomerId"] == cid
    assert order["status"] == "completed"
    assert order["attributes"] == {"objectType": "Order"}
    assert order["links"]["self"]["uri"] == f"/customers/{cid}/orders/{order['id']}"
    first, second = order["lineItems"]
    assert (first["lineItemNumber"], first["offerId"], first["quantity"]) == (0, "m365-e3", 25)
    assert first["friendlyName"] == "Sales seats"
    assert second["friendlyName"] == "Microsoft Azure"
    assert second["partnerIdOnRecord"] == "4847383"
    sub_uri = f"/customers/{cid}/subscriptions/{first['subscriptionId']}"
    assert first["links"]["subscription"]["uri"] == sub_uri

    subscriptions = (await client.get(f"/v1/customers/{cid}/subscriptions")).json()["items"]
    assert {s["id"] for s in subscriptions} == {first["subscriptionId"], second["subscriptionId"]}
    assert {s["orderId"] for s in subscriptions} == {order["id"]}

    assert (await client.get(f"/v1/customers/{cid}/orders/{order['id']}")).json() == order
    listed = (await client.get(f"/v1/customers/{cid}/orders")).json()
    assert listed["items"] == [order]


async def test_ordering_needs_the_customer_agreement(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await new_customer(client)
    refused = await client.post(
        f"/v1/customers/{customer['id']}/orders", json=order_body(("m365-e3", 1))
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == 880044
    await confirm_mca(user_client, customer["id"])
    await place_order(client, customer["id"], ("m365-e3", 1))


async def test_a_retry_replays_the_first_answer(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await ready_customer(client, user_client)
    headers = {"MS-RequestId": str(uuid.uuid4())}
    uri = f"/v1/customers/{customer['id']}/orders"
    first = await client.post(uri, json=order_body(("m365-e3", 3)), headers=headers)
    again = await client.post(uri, json=order_body(("m365-e3", 3)), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    other = await client.post(uri, json=order_body(("m365-e3", 4)), headers=headers)
    assert other.status_code == 201  # another body is another request (not strict mode)
    assert other.json()["id"] != first.json()["id"]
    rows = query(server, "SELECT count(*) FROM orders WHERE customer_id = :c", c=customer["id"])
    assert rows[0][0] == 2


async def test_fifty_identical_requests_at_once_make_one_order(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await ready_customer(client, user_client)
    headers = {"MS-RequestId": str(uuid.uuid4())}
    uri = f"/v1/customers/{customer['id']}/orders"
    body = order_body(("m365-business-basic", 5))
    answers = await asyncio.gather(
        *(client.post(uri, json=body, headers=headers) for _ in range(50))
    )
    created = [a for a in answers if a.status_code == 201]
    assert len(created) + sum(a.status_code == 409 for a in answers) == 50
    assert created, [a.text for a in answers[:3]]
    assert {a.json()["id"] for a in created} == {created[0].json()["id"]}
    assert {a.content for a in created} == {created[0].content}
    orders = query(server, "SELECT count(*) FROM orders WHERE customer_id = :c", c=customer["id"])
    subscriptions = query(
        server, "SELECT count(*) FROM subscriptions WHERE customer_id = :c", c=customer["id"]
    )
    assert (orders[0][0], subscriptions[0][0]) == (1, 1)


async def test_a_refusal_is_kept_for_its_retries(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await new_customer(client)
    headers = {"MS-RequestId": str(uuid.uuid4())}
    uri = f"/v1/customers/{customer['id']}/orders"
    first = await client.post(uri, json=order_body(("m365-e3", 1)), headers=headers)
    await confirm_mca(user_client, customer["id"])
    again = await client.post(uri, json=order_body(("m365-e3", 1)), headers=headers)
    assert first.json()["code"] == again.json()["code"] == 880044
    assert again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"lineItems": []}, 400, 880009),
        ({}, 400, 880009),
        (order_body(("no-such-offer", 1)), 404, 880045),
        (order_body(("m365-e3", 0)), 400, 880048),
        (order_body(("azure", 2)), 400, 880048),
        (order_body(("m365-business-basic", 301)), 400, 880048),
        ({"lineItems": [{"offerId": "m365-e3"}]}, 400, 880009),
        ({"lineItems": [{"offerId": "m365-e3", "quantity": "2"}]}, 400, 800002),
        ({"lineItems": "m365-e3"}, 400, 800002),
        (
            {"lineItems": [{"lineItemNumber": 3, "offerId": "m365-e3", "quantity": 1}]},
            400,
            800002,
        ),
        (
            {"lineItems": [{"offerId": "m365-e3", "quantity": 1, "partnerIdOnRecord": "x1"}]},
            400,
            800002,
        ),
        (
            {"lineItems": [{"offerId": "m365-e3", "quantity": 1, "friendlyName": "n" * 256}]},
            400,
            880008,
        ),
    ],
)
async def test_refused_orders(
    client: httpx.AsyncClient,
    user_client: httpx.AsyncClient,
    server: LiveServer,
    body: dict[str, object],
    status: int,
    code: int,
) -> None:
    customer = await ready_customer(client, user_client)
    response = await client.post(f"/v1/customers/{customer['id']}/orders", json=body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    rows = query(server, "SELECT count(*) FROM orders WHERE customer_id = :c", c=customer["id"])
    assert rows[0][0] == 0


async def test_an_unknown_offer_names_the_customers_country(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await ready_customer(client, user_client)
    uri = f"/v1/customers/{customer['id']}/orders"
    response = await client.post(uri, json=order_body(("no-such-offer", 1)))
    assert response.status_code == 404
    country = customer["billingProfile"]["defaultAddress"]["country"]
    assert f"'no-such-offer' is not available in '{country}'" in response.json()["description"]


async def test_an_unknown_order_is_404(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await ready_customer(client, user_client)
    response = await client.get(f"/v1/customers/{customer['id']}/orders/nope")
    assert response.status_code == 404
    assert response.json()["code"] == 880046
