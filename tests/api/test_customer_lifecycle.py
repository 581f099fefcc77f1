"""Removing the reseller relationship (PATCH) and deleting sandbox customers (DELETE)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.partners import add_partner
from tests.support.server import LiveServer

REMOVE = {"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}}


async def _customer(http: httpx.AsyncClient, prefix: str | None = None) -> dict[str, Any]:
    response = await http.post(
        "/v1/customers",
        json=payloads.minimal(prefix),
        headers={"MS-RequestId": str(uuid.uuid4())},
    )
    assert response.status_code == 201
    return dict(response.json())


async def test_removing_the_relationship_hides_the_customer(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}"

    response = await user_client.patch(uri, json=REMOVE)

    assert response.status_code == 200, response.text
    assert response.json()["relationshipToPartner"] == "none"
    assert (await client.get(uri)).json()["code"] == 20002
    domain = customer["companyProfile"]["domain"]
    flt = quote(json.dumps({"Field": "Domain", "Value": domain, "Operator": "starts_with"}))
    assert (await client.get(f"/v1/customers?filter={flt}")).json()["totalCount"] == 0
    again = await user_client.patch(uri, json=REMOVE)
    assert again.status_code == 403
    assert again.json()["code"] == 20002


async def test_removing_the_relationship_is_app_and_user_only(client: httpx.AsyncClient) -> None:
    customer = await _customer(client)
    for body in (REMOVE, {"relationshipToPartner": "reseller"}):  # token first, then body
        response = await client.patch(f"/v1/customers/{customer['id']}", json=body)
        assert response.status_code == 403
        assert response.json()["code"] == 900329


@pytest.mark.parametrize(
    "body",
    [{"relationshipToPartner": "reseller"}, {"companyProfile": {}}, {"relationshipToPartner": 5}],
)
async def test_only_removal_is_a_valid_patch(
    user_client: httpx.AsyncClient, client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    customer = await _customer(client)
    response = await user_client.patch(f"/v1/customers/{customer['id']}", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == 800002


async def test_sandbox_delete_frees_the_domain(client: httpx.AsyncClient) -> None:
    prefix = payloads.unique_prefix("Deleted")
    customer = await _customer(client, prefix)
    uri = f"/v1/customers/{customer['id']}"

    response = await client.delete(uri)

    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(uri)).json()["code"] == 60003
    assert (await client.head(f"/v1/domains/{prefix}.onmicrosoft.com")).status_code == 404
    again = await _customer(client, prefix)
    assert again["id"] != customer["id"]


async def test_delete_of_someone_elses_customer_is_refused(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await _customer(client)
    _, other = add_partner(server, "US")
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.delete(
            f"/v1/customers/{customer['id']}", headers={"Authorization": f"Bearer {other}"}
        )
    assert response.status_code == 403
    assert response.json()["code"] == 20002
    assert (await client.get(f"/v1/customers/{customer['id']}")).status_code == 200


async def test_delete_outside_the_sandbox_is_880020(server_factory: ServerFactory) -> None:
    from tenantry.config import Mode
    from tenantry.security.keys import generate_master_key

    production = server_factory(mode=Mode.PRODUCTION, master_key=generate_master_key())
    _, token = add_partner(production, "US")
    async with httpx.AsyncClient(
        base_url=production.base_url, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        customer = await _customer(http)
        response = await http.delete(f"/v1/customers/{customer['id']}")
        assert response.status_code == 403
        assert response.json()["code"] == 880020
        assert (await http.get(f"/v1/customers/{customer['id']}")).status_code == 200
