"""The calls after create as Microsoft's .NET and Java SDKs send them, and their answers as
the SDKs' models read them: Agreement, AgreementMetaData, Order/OrderLineItem, Subscription,
CustomerUser/PasswordProfile.

The .NET SDK serializes every member of its models, nulls and defaults included, in
PascalCase as Partner Center's REST examples show them; the Java SDK (Jackson) writes
camelCase. The Java SDK's enums read only their exact values, so the answers' enum members
are checked against them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conformance.clients import dotnet_headers, dotnet_reads_enum, java_headers
from tests.support import payloads
from tests.support.commerce import MCA_TEMPLATE
from tests.support.server import LiveServer

# The Java SDK's enums (their @JsonValue strings) for the members these answers carry.
JAVA_SUBSCRIPTION_STATUS = {"none", "active", "suspended", "deleted", "expired", "pending"}
JAVA_BILLING_TYPE = {"none", "usage", "license"}
JAVA_BILLING_CYCLE = {"unknown", "monthly", "annual", "none", "one_time"}
JAVA_CONTRACT_TYPE = {"subscription", "product", "contract"}
JAVA_ORDER_STATUS = {"none", "completed", "pending", "cancelled"}


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        yield client


def _json(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "application/json; charset=utf-8"}


async def _customer(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    created = await http.post(
        "/v1/customers", json=payloads.minimal(), headers=dotnet_headers(token)
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def _dotnet_agreement() -> dict[str, Any]:
    """Agreement as the .NET SDK serializes it (DateTime.UtcNow: seven decimals)."""
    return {
        "UserId": None,
        "PrimaryContact": {
            "FirstName": "Tania",
            "LastName": "Carr",
            "Email": "someone@example.com",
            "PhoneNumber": "1234567890",
        },
        "DateAgreed": "2024-03-01T10:11:12.1234567Z",
        "TemplateId": MCA_TEMPLATE,
        "Type": "MicrosoftCustomerAgreement",
        "AgreementLink": None,
        "Attributes": {"ObjectType": "Agreement"},
    }


def _dotnet_order(customer_id: str, offer: str, quantity: int) -> dict[str, Any]:
    """Order and OrderLineItem with every member the .NET SDK writes."""
    return {
        "Id": None,
        "ReferenceCustomerId": customer_id,
        "BillingCycle": "unknown",
        "CurrencyCode": None,
        "LineItems": [
            {
                "LineItemNumber": 0,
                "OfferId": offer,
                "SubscriptionId": None,
                "ParentSubscriptionId": None,
                "FriendlyName": "new offer purchase",
                "Quantity": quantity,
                "TermDuration": None,
                "TransactionType": None,
                "PartnerIdOnRecord": None,
                "ProvisioningContext": {},
                "Links": None,
                "Attributes": {"ObjectType": "OrderLineItem"},
            }
        ],
        "CreationDate": None,
        "Status": None,
        "Links": None,
        "Attributes": {"ObjectType": "Order"},
    }


async def _ready(http: httpx.AsyncClient, token: str, user_token: str) -> dict[str, Any]:
    customer = await _customer(http, token)
    confirmed = await http.post(
        f"/v1/customers/{customer['id']}/agreements",
        content=json.dumps(_dotnet_agreement()),
        headers=_json(dotnet_headers(user_token)),
    )
    assert confirmed.status_code == 201, confirmed.text
    return customer


# --- .NET SDK ------------------------------------------------------------------------------


async def test_dotnet_agreement_details_and_create(
    http: httpx.AsyncClient, token: str, user_token: str
) -> None:
    """AgreementDetails.ByAgreementType("MicrosoftCustomerAgreement").Get(), then
    Customers.ById(id).Agreements.Create(agreement)."""
    details = await http.get(
        "/v1/agreements?agreementType=MicrosoftCustomerAgreement", headers=dotnet_headers(token)
    )
    (meta,) = details.json()["items"]
    assert meta["templateId"] == MCA_TEMPLATE
    customer = await _customer(http, token)
    created = await http.post(
        f"/v1/customers/{customer['id']}/agreements",
        content=json.dumps(_dotnet_agreement()),
        headers=_json(dotnet_headers(user_token)),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["dateAgreed"].startswith("2024-03-01T10:11:12.123456")
    assert body["primaryContact"]["phoneNumber"] == "1234567890"
    listed = await http.get(
        f"/v1/customers/{customer['id']}/agreements", headers=dotnet_headers(token)
    )
    assert listed.json()["items"] == [body]


async def test_dotnet_order_create_with_every_member(
    http: httpx.AsyncClient, token: str, user_token: str
) -> None:
    customer = await _ready(http, token, user_token)
    sent = _dotnet_order(customer["id"], "m365-e3", 3)
    created = await http.post(
        f"/v1/customers/{customer['id']}/orders",
        content=json.dumps(sent),
        headers=_json(dotnet_headers(token)),
    )
    assert created.status_code == 201, created.text
    order = created.json()
    assert dotnet_reads_enum(order["billingCycle"])
    assert dotnet_reads_enum(order["status"])
    (item,) = order["lineItems"]
    assert (item["offerId"], item["quantity"], item["friendlyName"]) == (
        "m365-e3",
        3,
        "new offer purchase",
    )
    by_id = await http.get(f"/v1{order['links']['self']['uri']}", headers=dotnet_headers(token))
    assert by_id.json() == order


async def test_dotnet_subscription_patch_of_the_whole_resource(
    http: httpx.AsyncClient, token: str, user_token: str
) -> None:
    """Subscriptions.ById(id).Patch(subscription): the read resource, in PascalCase, with
    the changed status (suspend), then back (reactivate)."""
    customer = await _ready(http, token, user_token)
    order = (
        await http.post(
            f"/v1/customers/{customer['id']}/orders",
            content=json.dumps(_dotnet_order(customer["id"], "m365-business-basic", 4)),
            headers=_json(dotnet_headers(token)),
        )
    ).json()
    sid = order["lineItems"][0]["subscriptionId"]
    uri = f"/v1/customers/{customer['id']}/subscriptions/{sid}"
    read = (await http.get(uri, headers=dotnet_headers(token))).json()
    pascal = {k[:1].upper() + k[1:]: v for k, v in read.items()}
    pascal.update(Status="suspended", SuspensionReasons=None, ParentSubscriptionId=None)
    suspended = await http.patch(
        uri, content=json.dumps(pascal), headers=_json(dotnet_headers(token))
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    pascal.update(Status="active", Quantity=6)
    active = await http.patch(uri, content=json.dumps(pascal), headers=_json(dotnet_headers(token)))
    assert (active.json()["status"], active.json()["quantity"]) == ("active", 6)


async def test_dotnet_customer_user_create(
    http: httpx.AsyncClient, token: str, user_token: str
) -> None:
    """Users.Create(new CustomerUser { PasswordProfile = …, UsageLocation = "US", … })."""
    customer = await _customer(http, token)
    domain = customer["companyProfile"]["domain"]
    sent = {
        "UsageLocation": "US",
        "Id": None,
        "UserPrincipalName": f"{uuid.uuid4().hex}@{domain}",
        "FirstName": "TestFirstName",
        "LastName": "TestLastName",
        "DisplayName": "TestDisplayName",
        "ImmutableId": None,
        "PasswordProfile": {"ForceChangePassword": True, "Password": "Password!1"},
        "LastDirectorySyncTime": None,
        "UserDomainType": "none",
        "State": "active",
        "SoftDeletionTime": None,
        "Attributes": {"ObjectType": "CustomerUser"},
    }
    created = await http.post(
        f"/v1/customers/{customer['id']}/users",
        content=json.dumps(sent),
        headers=_json(dotnet_headers(user_token)),
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["userPrincipalName"] == sent["UserPrincipalName"]
    assert "Password!1" not in created.text
    deleted = await http.delete(
        f"/v1/customers/{customer['id']}/users/{user['id']}", headers=dotnet_headers(user_token)
    )
    assert deleted.status_code == 204


# --- Java SDK ------------------------------------------------------------------------------


async def test_java_order_and_subscription_enums(
    http: httpx.AsyncClient, token: str, user_token: str
) -> None:
    customer = await _ready(http, token, user_token)
    sent = {
        "referenceCustomerId": customer["id"],
        "lineItems": [
            {"lineItemNumber": 0, "offerId": "m365-e3", "quantity": 2, "friendlyName": "Java"},
            {"lineItemNumber": 1, "offerId": "azure", "quantity": 1},
        ],
        "attributes": {"objectType": "Order"},
    }
    created = await http.post(
        f"/v1/customers/{customer['id']}/orders",
        content=json.dumps(sent),
        headers=_json(java_headers(token)),
    )
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] in JAVA_ORDER_STATUS
    assert order["billingCycle"] in JAVA_BILLING_CYCLE
    # The Java SDK follows links as "/v1/" + uri: a double slash.
    listed = await http.get(
        "/v1/" + f"/customers/{customer['id']}/subscriptions", headers=java_headers(token)
    )
    assert listed.status_code == 200, listed.text
    for s in listed.json()["items"]:
        assert s["status"] in JAVA_SUBSCRIPTION_STATUS
        assert s["billingType"] in JAVA_BILLING_TYPE
        assert s["billingCycle"] in JAVA_BILLING_CYCLE
        assert s["contractType"] in JAVA_CONTRACT_TYPE
        offer = await http.get("/v1/" + s["links"]["offer"]["uri"], headers=java_headers(token))
        assert offer.status_code == 200, offer.text


async def test_java_offers_pages_through_next_links(http: httpx.AsyncClient, token: str) -> None:
    seen: list[str] = []
    page = (await http.get("/v1/offers?country=US&size=1", headers=java_headers(token))).json()
    while True:
        seen += [o["id"] for o in page["items"]]
        following = page["links"].get("next")
        if following is None:
            break
        response = await http.get("/v1/" + following["uri"], headers=java_headers(token))
        assert response.status_code == 200, response.text
        page = response.json()
    assert len(seen) == page["totalCount"]


async def test_java_user_patch_and_errors_it_does_not_retry(
    http: httpx.AsyncClient, token: str, user_token: str
) -> None:
    customer = await _customer(http, token)
    users = (
        await http.get(f"/v1/customers/{customer['id']}/users", headers=java_headers(token))
    ).json()["items"]
    admin = users[0]
    patched = await http.patch(
        f"/v1/customers/{customer['id']}/users/{admin['id']}",
        content=json.dumps({**admin, "displayName": "Administrator"}),
        headers=_json(java_headers(user_token)),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["displayName"] == "Administrator"
    # Every refusal of these calls is a status the Java SDK gives up on (no endless retry).
    for method, uri, body in (
        ("POST", f"/v1/customers/{customer['id']}/orders", {"lineItems": []}),
        ("GET", "/v1/offers/unknown?country=US", None),
        ("POST", f"/v1/customers/{customer['id']}/agreements", {"templateId": "x"}),
    ):
        response = await http.request(
            method,
            uri,
            content=None if body is None else json.dumps(body),
            headers=_json(java_headers(user_token)),
        )
        assert response.status_code in {400, 401, 403, 404, 409, 417}, response.text
