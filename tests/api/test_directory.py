"""A customer's users, indirect resellers and GDAP relationships."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support import payloads
from tests.support.database import query
from tests.support.server import LiveServer


async def _customer(http: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await http.post(
        "/v1/customers",
        json=payloads.minimal(**overrides),
        headers={"MS-RequestId": str(uuid.uuid4())},
    )
    assert response.status_code == 201
    return dict(response.json())


async def test_users_lists_the_admin_without_secrets(client: httpx.AsyncClient) -> None:
    customer = await _customer(client)
    response = await client.get(f"/v1/customers/{customer['id']}/users")
    assert response.status_code == 200
    body = response.json()
    assert body["totalCount"] == 1
    (user,) = body["items"]
    assert user["userPrincipalName"] == f"admin@{customer['companyProfile']['domain']}"
    assert user["state"] == "active"
    assert user["attributes"] == {"objectType": "CustomerUser"}
    assert "password" not in response.text.lower()
    assert customer["userCredentials"]["password"] not in response.text


async def test_default_gdap_is_visible_with_its_roles(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await _customer(client)
    response = await client.get(f"/v1/customers/{customer['id']}/delegatedadminrelationships")
    assert response.status_code == 200
    (gdap,) = response.json()["items"]
    assert gdap["status"] == "active"
    assert gdap["duration"] == "P730D"
    assert gdap["customer"]["tenantId"] == customer["id"]
    roles = {r["displayName"]: r["roleDefinitionId"] for r in gdap["accessDetails"]["unifiedRoles"]}
    assert len(roles) == 11  # a direct-bill partner's default roles
    assert roles["Directory Readers"] == "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
    assert "Domain Name Administrator" not in roles
    stored = query(
        server,
        "SELECT status, duration_days FROM gdap_relationships WHERE customer_id = :c",
        c=customer["id"],
    )
    assert stored == [("active", 730)]


async def test_no_gdap_when_the_flag_is_false(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await _customer(client, enableGDAPByDefault=False)
    response = await client.get(f"/v1/customers/{customer['id']}/delegatedadminrelationships")
    assert response.json()["items"] == []
    rows = query(
        server, "SELECT count(*) FROM gdap_relationships WHERE customer_id = :c", c=customer["id"]
    )
    assert rows[0][0] == 0


async def test_create_stores_admin_and_reseller_relationship(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await _customer(client)
    users = query(
        server,
        "SELECT user_principal_name, must_change_password FROM users WHERE customer_id = :c",
        c=customer["id"],
    )
    assert users == [(f"admin@{customer['companyProfile']['domain']}", True)]
    relationships = query(
        server,
        "SELECT relationship_type FROM relationships WHERE customer_id = :c",
        c=customer["id"],
    )
    assert relationships == [("reseller",)]


async def test_relationships_is_app_and_user_only(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/relationships"
    refused = await client.get(uri)
    assert refused.status_code == 403
    assert refused.json()["code"] == 900329
    response = await user_client.get(uri)
    assert response.status_code == 200
    assert response.json()["items"] == []  # a direct customer has no indirect reseller
