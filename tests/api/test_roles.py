"""Partner-user roles: who may change customers (900150 for the others)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tenantry.domain.models import PartnerType
from tests.support import payloads
from tests.support.partners import add_signed_in_partner
from tests.support.server import LiveServer


@pytest.mark.parametrize("roles", [("Sales agent",), ("GLOBAL ADMIN", "Helpdesk agent")])
async def test_these_roles_may_create(server: LiveServer, roles: tuple[str, ...]) -> None:
    _, token = add_signed_in_partner(server, "US", PartnerType.DIRECT_BILL, roles)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            "/v1/customers", json=payloads.minimal(), headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 201


async def test_other_roles_may_read_but_not_change(server: LiveServer) -> None:
    _, billing = add_signed_in_partner(server, "US", PartnerType.DIRECT_BILL, ("Billing admin",))
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        refused = await http.post(
            "/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {billing}", "MS-RequestId": str(uuid.uuid4())},
        )
        assert refused.status_code == 403
        body = refused.json()
        assert body["code"] == 900150
        assert "Billing admin" in body["description"]
        listed = await http.get("/v1/customers", headers={"Authorization": f"Bearer {billing}"})
        assert listed.status_code == 200
        for method in ("PATCH", "DELETE"):
            response = await http.request(
                method,
                f"/v1/customers/{uuid.uuid4()}",
                json={"relationshipToPartner": "none"} if method == "PATCH" else None,
                headers={"Authorization": f"Bearer {billing}"},
            )
            assert response.json()["code"] == 900150, method
        put = await http.put(
            f"/v1/customers/{uuid.uuid4()}/profiles/billing",
            json={},
            headers={"Authorization": f"Bearer {billing}", "If-Match": "1"},
        )
        assert put.json()["code"] == 900150
