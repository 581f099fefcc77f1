"""Helpers for the calls after create: a customer, its confirmed agreement, an order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.support import payloads

MCA_TEMPLATE = "117a77b0-9360-443b-8795-c6dedc750cf9"
MCLOUDA_TEMPLATE = "998b88de-aa99-4388-a42c-1b3517d49490"


def agreement_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "primaryContact": {
            "firstName": "Tania",
            "lastName": "Carr",
            "email": "tania@contoso.example",
            "phoneNumber": "4255550100",
        },
        "templateId": MCA_TEMPLATE,
        "dateAgreed": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "type": "MicrosoftCustomerAgreement",
    }
    return body | overrides


async def new_customer(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.post(
        "/v1/customers", json=payloads.minimal(), headers={"MS-RequestId": str(uuid.uuid4())}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def confirm_mca(user_http: httpx.AsyncClient, customer_id: str) -> dict[str, Any]:
    response = await user_http.post(
        f"/v1/customers/{customer_id}/agreements", json=agreement_body()
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def order_body(*lines: tuple[str, int]) -> dict[str, Any]:
    return {
        "lineItems": [
            {"lineItemNumber": n, "offerId": offer, "quantity": quantity}
            for n, (offer, quantity) in enumerate(lines)
        ]
    }


async def place_order(
    http: httpx.AsyncClient, customer_id: str, *lines: tuple[str, int]
) -> dict[str, Any]:
    response = await http.post(
        f"/v1/customers/{customer_id}/orders",
        json=order_body(*lines),
        headers={"MS-RequestId": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def ready_customer(http: httpx.AsyncClient, user_http: httpx.AsyncClient) -> dict[str, Any]:
    """A new customer whose Microsoft Customer Agreement is confirmed."""
    customer = await new_customer(http)
    await confirm_mca(user_http, customer["id"])
    return customer
