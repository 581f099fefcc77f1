"""Microsoft's .NET SDK 3.4.0 (the SDK Microsoft's documentation samples use): each call as
it sends it (PascalCase bodies with explicit nulls), each answer as its models read it.

It retries every status except 400, 401, 403, 404, 409, 417 and 429 three times, reusing
the MS-RequestId.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conformance.clients import dotnet_headers, dotnet_reads_enum
from tests.support import payloads
from tests.support.server import LiveServer

NOT_RETRIED = {400, 401, 403, 404, 409, 417, 429}


@pytest.fixture(scope="module")
def graph_token(server: LiveServer) -> str:
    """The SDK's app credentials ask for the legacy Azure AD Graph audience."""
    answer = httpx.post(
        f"{server.base_url}/7e4a47e7-de00-4000-8000-000000000001/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "7e4a47e7-de00-4000-8000-0000000000a1",
            "client_secret": "tenantry-sandbox-secret-not-for-production",
            "scope": "https://graph.windows.net/.default",
        },
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        yield client


def _sdk_path(uri: str) -> str:
    """BuildPartnerServiceApiUri: `/v1` is put in front unless the path starts with it."""
    path = uri.lstrip("/")
    return "/" + path if path.startswith("v1/") else "/v1/" + path


async def _create(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    created = await http.post(
        "/v1/customers",
        content=payloads.seed_002(),
        headers=dotnet_headers(token, **{"Content-Type": "application/json"}),
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    assert dotnet_reads_enum(body["relationshipToPartner"])
    return body


async def test_paging_copies_the_next_links_headers(
    http: httpx.AsyncClient, graph_token: str
) -> None:
    for _ in range(3):
        await _create(http, graph_token)
    first = await http.get("/v1/customers?size=2", headers=dotnet_headers(graph_token))
    link = first.json()["links"]["next"]
    extra = {h["key"]: h["value"] for h in link["headers"]}
    second = await http.get(_sdk_path(link["uri"]), headers=dotnet_headers(graph_token, **extra))
    assert second.status_code == 200, second.text
    assert second.json()["items"]


async def test_search_filter_as_the_dotnet_sdk_writes_it(
    http: httpx.AsyncClient, graph_token: str
) -> None:
    customer = await _create(http, graph_token)
    domain = customer["companyProfile"]["domain"]
    query = json.dumps({"Field": "Domain", "Value": domain[:12], "Operator": "starts_with"})
    found = await http.get(
        "/v1/customers", params={"size": "0", "filter": query}, headers=dotnet_headers(graph_token)
    )
    assert found.status_code == 200, found.text
    assert customer["id"] in [c["id"] for c in found.json()["items"]]


async def test_billing_profile_update_pascal_case_without_if_match(
    http: httpx.AsyncClient, graph_token: str
) -> None:
    customer = await _create(http, graph_token)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    read = (await http.get(uri, headers=dotnet_headers(graph_token))).json()
    address = read["defaultAddress"]
    body = {  # Newtonsoft's default contract: PascalCase, nulls written out
        "Id": read["id"],
        "FirstName": read.get("firstName"),
        "LastName": read.get("lastName"),
        "Email": read["email"],
        "Culture": read["culture"],
        "Language": read["language"],
        "CompanyName": "Renamed by .NET",
        "DefaultAddress": {k[0].upper() + k[1:]: v for k, v in address.items()} | {"Region": None},
        "Links": {
            "Self": {
                "Uri": f"/customers/{customer['id']}/profiles/billing",
                "Method": "GET",
                "Headers": [],
            }
        },
        "Attributes": {"Etag": read["attributes"]["etag"], "ObjectType": "CustomerBillingProfile"},
    }
    headers = dotnet_headers(graph_token, **{"Content-Type": "application/json"})
    updated = await http.put(uri, content=json.dumps(body), headers=headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["companyName"] == "Renamed by .NET"
    stale = await http.put(uri, content=json.dumps(body), headers=headers)
    assert stale.status_code in NOT_RETRIED
    assert stale.json()["code"] == 2055


async def test_check_domain_availability_sample(http: httpx.AsyncClient, graph_token: str) -> None:
    """The SDK's CheckDomainAvailability sample expects BadInput (400) for `abc!.ccsctp.net`."""
    invalid = await http.head("/v1/domains/abc!.ccsctp.net", headers=dotnet_headers(graph_token))
    assert invalid.status_code == 400
    free = await http.head(
        f"/v1/domains/{uuid.uuid4().hex[:20]}.ccsctp.net", headers=dotnet_headers(graph_token)
    )
    assert free.status_code == 404


async def test_address_validation_answers_the_object_it_reads(
    http: httpx.AsyncClient, graph_token: str
) -> None:
    address = {
        "AddressLine1": "1 Microsoft Way",
        "City": "Redmond",
        "State": "WA",
        "PostalCode": "98052",
        "Country": "US",
    }
    answer = await http.post(
        "/v1/validations/address", json=address, headers=dotnet_headers(graph_token)
    )
    assert answer.status_code == 200
    body = answer.json()
    assert isinstance(body["suggestedAddresses"], list)  # the sample reads .Count
    assert isinstance(body["status"], str)
    assert body["originalAddress"]["postalCode"] == "98052"


@pytest.mark.parametrize("country", ["US", "CN", "DE", "GB"])
async def test_country_rules_have_no_null_booleans(
    http: httpx.AsyncClient, graph_token: str, country: str
) -> None:
    rules = (
        await http.get(f"/v1/countryvalidationrules/{country}", headers=dotnet_headers(graph_token))
    ).json()
    for member in ("isStateRequired", "isPostalCodeRequired", "isCityRequired", "isVatIdSupported"):
        assert isinstance(rules[member], bool), member  # a null bool throws in Newtonsoft


async def test_gdap_self_links_resolve(http: httpx.AsyncClient, token: str) -> None:
    created = await http.post(
        "/v1/customers", json=payloads.minimal(), headers=dotnet_headers(token)
    )
    customer = created.json()
    listed = await http.get(
        f"/v1/customers/{customer['id']}/delegatedadminrelationships",
        headers=dotnet_headers(token),
    )
    [item] = listed.json()["items"]
    one = await http.get(_sdk_path(item["links"]["self"]["uri"]), headers=dotnet_headers(token))
    assert one.status_code == 200, one.text
    assert one.json() == item
    missing = await http.get(
        f"/v1/customers/{customer['id']}/delegatedadminrelationships/{uuid.uuid4()}",
        headers=dotnet_headers(token),
    )
    assert (missing.status_code, missing.json()["code"]) == (404, 880028)


async def test_patch_of_the_whole_customer_on_the_documented_uri(
    http: httpx.AsyncClient, token: str, user_token: str
) -> None:
    """The documented PATCH URI ends in `/`; the SDK sends the whole customer back."""
    customer = await _create(http, token)
    whole = {
        "Id": customer["id"],
        "CompanyProfile": {"Domain": customer["companyProfile"]["domain"]},
        "RelationshipToPartner": "None",
        "AllowDelegatedAccess": None,
        "Attributes": {"ObjectType": "Customer"},
    }
    patched = await http.patch(
        f"/v1/customers/{customer['id']}/", json=whole, headers=dotnet_headers(user_token)
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["relationshipToPartner"] == "none"


async def test_sandbox_delete(http: httpx.AsyncClient, token: str) -> None:
    customer = await _create(http, token)
    gone = await http.delete(f"/v1/customers/{customer['id']}", headers=dotnet_headers(token))
    assert gone.status_code == 204
    again = await http.get(f"/v1/customers/{customer['id']}", headers=dotnet_headers(token))
    assert (again.status_code, again.json()["code"]) == (404, 60003)
