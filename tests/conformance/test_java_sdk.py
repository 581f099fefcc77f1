"""Microsoft's Java SDK 1.15.4: each call as it sends it, and each answer as its models read it.

The Java SDK retries every status except 400, 401, 403, 404, 409 and 417 without end, so a
status outside that set on one of its calls does not fail the caller: it hangs it. The
tests check the statuses as well as the bodies.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote_plus, urlsplit

import httpx
import pytest

from tenantry.domain.models import PartnerType
from tests.conformance.clients import java_headers, java_reads
from tests.support import payloads
from tests.support.partners import add_partner, add_partnership, add_signed_in_partner
from tests.support.server import LiveServer

# What the Java SDK gives up on; anything else it retries for ever.
NOT_RETRIED = {400, 401, 403, 404, 409, 417}


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        yield client


def next_page_url(link: dict[str, Any]) -> str:
    """PartnerServiceClient.get(Link): API root + "/" + "v1" + "/" + link.uri."""
    return "/" + "v1" + "/" + link["uri"]


async def _create(http: httpx.AsyncClient, token: str, **overrides: Any) -> dict[str, Any]:
    created = await http.post(
        "/v1/customers",
        content=json.dumps(payloads.minimal(**overrides)),
        headers=java_headers(token, **{"Content-Type": "application/json; charset=utf-8"}),
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    assert java_reads("relationshipToPartner", body["relationshipToPartner"])
    return body


async def test_paging_follows_next_links_with_the_double_slash(
    http: httpx.AsyncClient, token: str
) -> None:
    for _ in range(3):
        await _create(http, token)
    first = await http.get("/v1/customers?size=2", headers=java_headers(token))
    assert first.status_code == 200
    link = first.json()["links"]["next"]
    assert link["uri"].startswith("/customers?")  # relative, without /v1
    url = next_page_url(link)
    assert url.startswith("/v1//customers?")
    extra = {h["key"]: h["value"] for h in link["headers"]}
    second = await http.get(url, headers=java_headers(token, **extra))
    assert second.status_code == 200, second.text
    seen = {c["id"] for c in first.json()["items"]}
    assert seen.isdisjoint(c["id"] for c in second.json()["items"])
    assert second.json()["items"], "the second page is empty"


async def test_search_filter_as_the_java_sdk_writes_it(http: httpx.AsyncClient, token: str) -> None:
    name = f"Jv{uuid.uuid4().hex[:8]}"
    created = await _create(http, token, billingProfile__companyName=f"{name} Ltd")
    # SimpleFieldFilter serialised by Jackson, then URLEncoder.encode(json, "UTF-8").
    query = {"value": name, "field": "CompanyName", "fieldType": "String", "operator": "StartsWith"}
    url = f"/v1/customers?size=0&filter={quote_plus(json.dumps(query, separators=(',', ':')))}"
    found = await http.get(url, headers=java_headers(token))
    assert found.status_code == 200, found.text
    assert [c["id"] for c in found.json()["items"]] == [created["id"]]


async def test_billing_profile_update_sends_the_etag_in_the_body(
    http: httpx.AsyncClient, token: str
) -> None:
    customer = await _create(http, token)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await http.get(uri, headers=java_headers(token))).json()
    # Jackson writes the model back camelCase, nulls omitted; no If-Match header.
    body = {**profile, "companyName": "Wingtip Toys Renamed"}
    headers = java_headers(token, **{"Content-Type": "application/json; charset=utf-8"})
    updated = await http.put(uri, content=json.dumps(body), headers=headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["companyName"] == "Wingtip Toys Renamed"
    stale = await http.put(uri, content=json.dumps(body), headers=headers)
    assert stale.status_code in NOT_RETRIED
    assert stale.json()["code"] == 2055


async def test_address_validation_answers_the_boolean_it_reads(
    http: httpx.AsyncClient, token: str
) -> None:
    address = {
        "addressLine1": "1 Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postalCode": "98052",
        "country": "US",
    }
    valid = await http.post("/v1/validations/address", json=address, headers=java_headers(token))
    assert (valid.status_code, valid.content) == (200, b"true")
    bad = await http.post(
        "/v1/validations/address",
        json={**address, "postalCode": "9805"},
        headers=java_headers(token),
    )
    assert bad.status_code in NOT_RETRIED
    assert bad.json()["code"] == 2007


async def test_domain_check(http: httpx.AsyncClient, token: str) -> None:
    customer = await _create(http, token)
    domain = customer["companyProfile"]["domain"]
    taken = await http.head(f"/v1/domains/{domain}", headers=java_headers(token))
    free = await http.head(
        f"/v1/domains/{uuid.uuid4().hex[:20]}.onmicrosoft.com", headers=java_headers(token)
    )
    invalid = await http.head("/v1/domains/abc!.ccsctp.net", headers=java_headers(token))
    assert (taken.status_code, free.status_code, invalid.status_code) == (200, 404, 400)


async def test_users_and_their_self_links(http: httpx.AsyncClient, token: str) -> None:
    customer = await _create(http, token)
    users = await http.get(f"/v1/customers/{customer['id']}/users", headers=java_headers(token))
    assert users.status_code == 200
    [user] = users.json()["items"]
    assert java_reads("userDomainType", user["userDomainType"])
    assert java_reads("state", user["state"])
    one = await http.get(next_page_url(user["links"]["self"]), headers=java_headers(token))
    assert one.status_code == 200, one.text
    assert one.json()["id"] == user["id"]
    missing = await http.get(
        f"/v1/customers/{customer['id']}/users/{uuid.uuid4()}", headers=java_headers(token)
    )
    assert (missing.status_code, missing.json()["code"]) == (404, 880027)


async def test_relationships_of_an_indirect_customer(server: LiveServer) -> None:
    provider, provider_user = add_signed_in_partner(server, "US", PartnerType.INDIRECT_PROVIDER)
    reseller, _ = add_partner(server, "US", PartnerType.INDIRECT_RESELLER)
    add_partnership(server, provider, reseller)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
        created = await http.post(
            "/v1/customers",
            content=payloads.seed_003(reseller_id=reseller.tenant_id),
            headers=java_headers(provider_user),
        )
        assert created.status_code == 201, created.text
        related = await http.get(
            f"/v1/customers/{created.json()['id']}/relationships",
            headers=java_headers(provider_user),
        )
    assert related.status_code == 200
    [item] = related.json()["items"]
    # Partner Center's own example: the reseller, typed is_indirect_cloud_solution_provider_of.
    assert item["relationshipType"] == "is_indirect_cloud_solution_provider_of"
    assert java_reads("relationshipType", item["relationshipType"])
    assert (item["id"], item["name"]) == (reseller.tenant_id, reseller.name)
    assert re.fullmatch(r"[1-9][0-9]{6}", item["mpnId"])
    assert item["attributes"]["objectType"] == "PartnerRelationship"


async def test_the_reseller_invitation_link(http: httpx.AsyncClient, token: str) -> None:
    answer = await http.get("/v1/customers/relationshiprequests", headers=java_headers(token))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["attributes"]["objectType"] == "RelationshipRequest"
    url = urlsplit(body["url"])  # the SDK's UriDeserializer refuses anything but a URI
    assert (url.scheme, url.netloc) == ("https", "admin.microsoft.com")
    assert "partnerId=7e4a47e7-de00-4000-8000-000000000001" in url.query
    assert "DAP=false" in url.query


@pytest.mark.parametrize(
    "raw",
    [
        # A member given twice (names differ only in case): refused, not "last one wins".
        '{"field":"CompanyName","Field":"Domain","value":"a","operator":"StartsWith"}',
        '{"field":"CompanyName","value":"a","value":"b","operator":"StartsWith"}',
        # A lone surrogate and a NUL in the value: 400, never a 500 from the database.
        '{"field":"CompanyName","value":"\\ud800abc","operator":"StartsWith"}',
        '{"field":"Domain","value":"ab\\u0000c","operator":"starts_with"}',
        '{"field":"CompanyName","value":"a","operator":"EndsWith"}',
    ],
)
async def test_filters_that_are_refused(http: httpx.AsyncClient, token: str, raw: str) -> None:
    answer = await http.get(
        f"/v1/customers?size=0&filter={quote_plus(raw)}", headers=java_headers(token)
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == 880021


@pytest.mark.parametrize("operator", ["starts_with", "StartsWith", "STARTS_WITH", "startswith"])
async def test_the_operator_in_any_spelling(
    http: httpx.AsyncClient, token: str, operator: str
) -> None:
    raw = json.dumps({"field": "CompanyName", "value": "x", "operator": operator})
    answer = await http.get(
        f"/v1/customers?size=0&filter={quote_plus(raw)}", headers=java_headers(token)
    )
    assert answer.status_code == 200, answer.text
