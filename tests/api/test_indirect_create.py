"""Creating a customer for an indirect reseller (contract R6), the seed's reference flow."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tenantry.domain.models import PartnerType
from tests.support import payloads
from tests.support.partners import add_partner, add_partnership, add_signed_in_partner
from tests.support.server import LiveServer


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "MS-RequestId": str(uuid.uuid4())}


async def test_a_provider_creates_for_its_reseller(server: LiveServer) -> None:
    provider, provider_user = add_signed_in_partner(server, "US", PartnerType.INDIRECT_PROVIDER)
    reseller, reseller_app = add_partner(server, "US", PartnerType.INDIRECT_RESELLER)
    add_partnership(server, provider, reseller)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        created = await http.post(
            "/v1/customers",
            content=payloads.seed_003(reseller_id=reseller.tenant_id.upper()),
            headers=_headers(provider_user),
        )
        assert created.status_code == 201, created.text
        customer = created.json()
        assert customer["associatedPartnerId"] == reseller.tenant_id
        assert customer["relationshipToPartner"] == "reseller"
        # Visible to both the provider and the reseller.
        by_reseller = await http.get(
            f"/v1/customers/{customer['id']}", headers=_headers(reseller_app)
        )
        assert by_reseller.status_code == 200
        related = await http.get(
            f"/v1/customers/{customer['id']}/relationships", headers=_headers(provider_user)
        )
        assert [p["id"] for p in related.json()["items"]] == [reseller.tenant_id]


@pytest.mark.parametrize("case", ["inactive", "no-partnership", "not-a-provider", "not-a-reseller"])
async def test_without_an_active_partnership_it_is_800016(server: LiveServer, case: str) -> None:
    caller_type = (
        PartnerType.DIRECT_BILL if case == "not-a-provider" else PartnerType.INDIRECT_PROVIDER
    )
    reseller_type = (
        PartnerType.DIRECT_BILL if case == "not-a-reseller" else PartnerType.INDIRECT_RESELLER
    )
    provider, token = add_signed_in_partner(server, "US", caller_type)
    reseller, _ = add_partner(server, "US", reseller_type)
    if case != "no-partnership":
        add_partnership(server, provider, reseller, active=case != "inactive")
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            "/v1/customers",
            content=payloads.seed_003(reseller_id=reseller.tenant_id),
            headers=_headers(token),
        )
    assert response.status_code == 400
    assert response.json()["code"] == 800016
