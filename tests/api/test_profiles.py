"""Company and billing profiles; billing updates with If-Match, under the create rules."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.support import payloads


async def _customer(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.post(
        "/v1/customers", json=payloads.minimal(), headers={"MS-RequestId": str(uuid.uuid4())}
    )
    assert response.status_code == 201
    return dict(response.json())


def _profile_body(profile: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The PascalCase body the .NET SDK sends back, read-only members included."""
    body = {
        "Id": profile["id"],
        "FirstName": "Gena",
        "LastName": "Soto",
        "Email": profile["email"],
        "Culture": profile["culture"],
        "Language": profile["language"],
        "CompanyName": profile["companyName"],
        "DefaultAddress": {k[0].upper() + k[1:]: v for k, v in profile["defaultAddress"].items()},
        "Links": profile["links"],
        "Attributes": profile["attributes"],
    }
    body.update(changes)
    return body


async def test_billing_profile_read_carries_the_etag(client: httpx.AsyncClient) -> None:
    customer = await _customer(client)
    response = await client.get(f"/v1/customers/{customer['id']}/profiles/billing")
    assert response.status_code == 200
    profile = response.json()
    assert profile == customer["billingProfile"]
    assert response.headers["etag"] == f'"{profile["attributes"]["etag"]}"'


async def test_update_changes_the_profile_and_its_etag(client: httpx.AsyncClient) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await client.get(uri)).json()
    etag = profile["attributes"]["etag"]

    response = await client.put(
        uri,
        json=_profile_body(profile, CompanyName="Wingtip Toys Renamed", Culture="es-us"),
        headers={"If-Match": f'"{etag}"'},
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["companyName"] == "Wingtip Toys Renamed"
    assert updated["culture"] == "es-US"
    assert updated["firstName"] == "Gena"
    assert updated["attributes"]["etag"] != etag
    assert (await client.get(uri)).json() == updated
    read = (await client.get(f"/v1/customers/{customer['id']}")).json()
    assert read["billingProfile"] == updated
    assert read["companyProfile"]["companyName"] == "Wingtip Toys Renamed"


async def test_an_etag_is_required_and_must_be_current(client: httpx.AsyncClient) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await client.get(uri)).json()
    body = _profile_body(profile)
    without_etag = {k: v for k, v in body.items() if k != "Attributes"}

    missing = await client.put(uri, json=without_etag)
    assert missing.status_code == 428
    assert missing.json()["code"] == 880018

    for stale in ('"1"', "garbage", str(int(profile["attributes"]["etag"]) + 1)):
        # If-Match wins over the body's etag, which is current here.
        response = await client.put(uri, json=body, headers={"If-Match": stale})
        assert response.status_code == 400
        assert response.json()["code"] == 2055

    current = profile["attributes"]["etag"]  # unquoted works too
    assert (
        await client.put(uri, json=without_etag, headers={"If-Match": current})
    ).status_code == 200
    again = await client.put(uri, json=without_etag, headers={"If-Match": current})
    assert again.json()["code"] == 2055  # the etag changed with the update


@pytest.mark.parametrize("casing", ["Attributes/Etag", "attributes/etag", "ATTRIBUTES/eTag"])
async def test_the_bodys_etag_stands_in_for_if_match(
    client: httpx.AsyncClient, casing: str
) -> None:
    """Microsoft's .NET and Java SDKs send the etag only in the body, never `If-Match`."""
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await client.get(uri)).json()
    outer, inner = casing.split("/")
    body = {k: v for k, v in _profile_body(profile).items() if k != "Attributes"}
    body[outer] = {inner: profile["attributes"]["etag"], "ObjectType": "CustomerBillingProfile"}

    updated = await client.put(uri, json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["attributes"]["etag"] != profile["attributes"]["etag"]
    stale = await client.put(uri, json=body)  # the same body again: its etag is now stale
    assert (stale.status_code, stale.json()["code"]) == (400, 2055)


async def test_the_bodys_etag_may_be_a_number(client: httpx.AsyncClient) -> None:
    """Partner Center's etags are 64-bit integers; a client that kept one as a number works."""
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await client.get(uri)).json()
    body = _profile_body(profile, Attributes={"Etag": int(profile["attributes"]["etag"])})
    updated = await client.put(uri, json=body)
    assert updated.status_code == 200, updated.text


async def test_an_etag_of_the_wrong_type_is_a_bad_request(client: httpx.AsyncClient) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await client.get(uri)).json()
    body = _profile_body(profile, Attributes={"Etag": ["1"]})
    response = await client.put(uri, json=body)
    assert (response.status_code, response.json()["code"]) == (400, 800002)
    assert "attributes.etag" in response.json()["description"]


async def test_concurrent_updates_from_one_read_exactly_one_wins(
    client: httpx.AsyncClient,
) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await client.get(uri)).json()
    headers = {"If-Match": f'"{profile["attributes"]["etag"]}"'}
    responses = await asyncio.gather(
        *(
            client.put(uri, json=_profile_body(profile, CompanyName=f"Name {i}"), headers=headers)
            for i in range(10)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] + [400] * 9


@pytest.mark.parametrize(
    ("changes", "code", "path"),
    [
        ({"Culture": "de-DE"}, 880003, "culture"),
        ({"Email": "nope"}, 880005, "email"),
        ({"CompanyName": "LLC"}, 880006, "companyName"),
        ({"Email": None}, 880009, "email"),
    ],
)
async def test_updates_follow_the_create_rules(
    client: httpx.AsyncClient, changes: dict[str, Any], code: int, path: str
) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await client.get(uri)).json()
    response = await client.put(
        uri,
        json=_profile_body(profile, **changes),
        headers={"If-Match": profile["attributes"]["etag"]},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["data"][0].startswith(f"{path}: ")


async def test_the_country_cannot_change(client: httpx.AsyncClient) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await client.get(uri)).json()
    address = {
        **profile["defaultAddress"],
        "country": "CA",
        "state": "ON",
        "postalCode": "M5V 2T6",
        "city": "Toronto",
    }
    response = await client.put(
        uri,
        json=_profile_body(profile, DefaultAddress=address),
        headers={"If-Match": profile["attributes"]["etag"]},
    )
    assert response.status_code == 400
    assert response.json()["data"] == ["defaultAddress.country: cannot be changed"]


async def test_company_profile_is_app_and_user_only(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/company"
    refused = await client.get(uri)
    assert refused.status_code == 403
    assert refused.json()["code"] == 900329
    response = await user_client.get(uri)
    assert response.status_code == 200
    assert response.json() == customer["companyProfile"]


async def test_profiles_of_unknown_customers(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/v1/customers/{uuid.uuid4()}/profiles/billing")).json()[
        "code"
    ] == 60003
    response = await client.put(
        "/v1/customers/nope/profiles/billing", json={}, headers={"If-Match": "1"}
    )
    assert response.json()["code"] == 900118


async def test_a_malformed_body_is_400_and_star_means_current(client: httpx.AsyncClient) -> None:
    customer = await _customer(client)
    uri = f"/v1/customers/{customer['id']}/profiles/billing"
    malformed = await client.put(uri, content=b"{not json")
    assert (malformed.status_code, malformed.json()["code"]) == (400, 800002)
    profile = (await client.get(uri)).json()
    star = await client.put(uri, json=_profile_body(profile), headers={"If-Match": "*"})
    assert star.status_code == 200
    assert star.json()["attributes"]["etag"] != profile["attributes"]["etag"]
