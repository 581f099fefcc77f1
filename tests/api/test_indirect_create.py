"""Creating a customer for an indirect reseller (contract R6), the seed's reference flow."""

from __future__ import annotations

import json
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


async def test_the_reseller_lists_what_its_provider_created_for_it(server: LiveServer) -> None:
    provider, provider_user = add_signed_in_partner(server, "US", PartnerType.INDIRECT_PROVIDER)
    reseller, reseller_user = add_signed_in_partner(server, "US", PartnerType.INDIRECT_RESELLER)
    add_partnership(server, provider, reseller)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        created = [
            (
                await http.post(
                    "/v1/customers",
                    content=payloads.seed_003(reseller_id=reseller.tenant_id),
                    headers=_headers(provider_user),
                )
            ).json()["id"]
            for _ in range(3)
        ]
        own = await http.post(
            "/v1/customers", json=payloads.minimal(), headers=_headers(reseller_user)
        )
        pages = []
        response = await http.get("/v1/customers?size=2", headers=_headers(reseller_user))
        while True:
            page = response.json()
            pages.append(page)
            following = page["links"].get("next")
            if following is None:
                break
            response = await http.get(
                "/v1/customers?seekOperation=Next",
                headers={
                    **_headers(reseller_user),
                    "MS-ContinuationToken": page["continuationToken"],
                },
            )
        seen = [item["id"] for page in pages for item in page["items"]]
        assert seen == [own.json()["id"], *reversed(created)]  # newest first, each once
        flt = json.dumps(
            {"Field": "IndirectReseller", "Value": reseller.tenant_id, "Operator": "starts_with"}
        )
        by_reseller = await http.get(
            "/v1/customers", params={"filter": flt}, headers=_headers(provider_user)
        )
        assert {i["id"] for i in by_reseller.json()["items"]} == set(created)


async def test_partnerships_are_listed_from_both_sides(server: LiveServer) -> None:
    provider, provider_user = add_signed_in_partner(server, "US", PartnerType.INDIRECT_PROVIDER)
    reseller, reseller_user = add_signed_in_partner(server, "US", PartnerType.INDIRECT_RESELLER)
    add_partnership(server, provider, reseller)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        mine = await http.get(
            "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf",
            headers=_headers(provider_user),
        )
        theirs = await http.get(
            "/v1/relationships?relationship_type=is_indirect_reseller_of",
            headers=_headers(reseller_user),
        )
        _, app_token = add_partner(server, "US", PartnerType.INDIRECT_PROVIDER)
        app_only = await http.get(
            "/v1/relationships?relationship_type=IsIndirectResellerOf", headers=_headers(app_token)
        )
        bad = await http.get(
            "/v1/relationships?relationship_type=Friends", headers=_headers(provider_user)
        )
    (item,) = mine.json()["items"]
    assert item["id"] == reseller.tenant_id
    assert item["relationshipType"] == "is_indirect_cloud_solution_provider_of"
    assert item["state"] == "Active"
    assert item["attributes"] == {"objectType": "PartnerRelationship"}
    assert [i["id"] for i in theirs.json()["items"]] == [provider.tenant_id]
    assert app_only.json()["code"] == 900329
    assert bad.status_code == 400
    assert bad.json()["code"] == 800002
