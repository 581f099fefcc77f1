"""`POST /v1/validations/address`: Partner Center's AddressValidationResponse over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_errors import assert_envelope
from tests.support.server import LiveServer

ROUTE = "/v1/validations/address"
JSON = {"Content-Type": "application/json"}
# The documentation's request example, as the .NET SDK sends it (PascalCase).
REDMOND = {
    "AddressLine1": "1 Microsoft Way",
    "City": "Redmond",
    "State": "WA",
    "PostalCode": "98052",
    "Country": "US",
}


async def validate(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(ROUTE, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    answer: dict[str, Any] = response.json()
    assert isinstance(answer["suggestedAddresses"], list)  # always present
    assert answer["attributes"] == {"objectType": "AddressValidationResponse"}
    assert "null" not in response.text
    return answer


def redmond(**changes: Any) -> dict[str, Any]:
    return {**REDMOND, **changes}


# The .NET SDK sample's matrix, with Tenantry's answers (docs/address-validation.md says why
# three of them differ from Partner Center's: no city table, no building list offline).
SDK_MATRIX = {
    "VerifiedShippable": (redmond(), "VerifiedShippable"),
    "Verified": (redmond(PostalCode="98052-8300"), "Verified"),
    "InteractionRequired": (redmond(City="Seattle"), "VerifiedShippable"),
    "StreetPartial": (redmond(AddressLine1="Microsoft Way"), "StreetPartial"),
    "PremisesPartial": (redmond(AddressLine1="3 Microsoft Way"), "VerifiedShippable"),
    "None": (redmond(City="Seattle", PostalCode="98055"), "VerifiedShippable"),
    "NotValidated": (redmond(Country=""), "NotValidated"),
    "Multiple": (
        {
            "AddressLine1": "1 Strada Dacia",
            "City": "Bulboac",
            "PostalCode": "6512",
            "Region": "Anenii Noi",
            "Country": "MD",
        },
        "Verified",
    ),
}


@pytest.mark.parametrize(("body", "status"), SDK_MATRIX.values(), ids=SDK_MATRIX)
async def test_the_sdk_sample_matrix(
    client: httpx.AsyncClient, body: dict[str, Any], status: str
) -> None:
    assert (await validate(client, body))["status"] == status


async def test_verified_shippable_echoes_the_address_in_camel_case(
    client: httpx.AsyncClient,
) -> None:
    answer = await validate(client, REDMOND)

    original = {
        "country": "US",
        "city": "Redmond",
        "state": "WA",
        "addressLine1": "1 Microsoft Way",
        "postalCode": "98052",
    }
    assert answer["originalAddress"] == original
    assert answer["suggestedAddresses"] == [original]
    assert answer["status"] == "VerifiedShippable"
    assert "validationMessage" not in answer


async def test_verified_says_what_the_data_could_not_confirm(client: httpx.AsyncClient) -> None:
    body = {"addressLine1": "1 High Street", "city": "London", "postalCode": "EC1Y 8SY"}
    answer = await validate(client, {**body, "country": "GB"})

    assert answer["status"] == "Verified"
    assert answer["suggestedAddresses"] == [answer["originalAddress"]]
    assert "no postal code ranges" in answer["validationMessage"]


@pytest.mark.parametrize(
    ("changes", "suggested"),
    [
        ({"State": "wa"}, {"state": "WA"}),
        ({"State": "Washington"}, {"state": "WA"}),
        ({"PostalCode": "98052 8300"}, {"postalCode": "98052-8300"}),
        ({"Country": "us"}, {"country": "US"}),
        ({"City": " Redmond "}, {"city": "Redmond"}),
    ],
)
async def test_interaction_required_suggests_the_stored_form(
    client: httpx.AsyncClient, changes: dict[str, str], suggested: dict[str, str]
) -> None:
    answer = await validate(client, redmond(**changes))

    assert answer["status"] == "InteractionRequired"
    assert answer["originalAddress"] == {
        "country": "US",
        "city": "Redmond",
        "state": "WA",
        "addressLine1": "1 Microsoft Way",
        "postalCode": "98052",
        **{key[0].lower() + key[1:]: value for key, value in changes.items()},
    }
    (suggestion,) = answer["suggestedAddresses"]
    assert {key: suggestion[key] for key in suggested} == suggested
    assert answer["validationMessage"].startswith("Partner Center would store")


async def test_a_chinese_province_name_becomes_its_code(client: httpx.AsyncClient) -> None:
    body = {"addressLine1": "1号", "city": "北京", "state": "北京市", "postalCode": "100000"}
    answer = await validate(client, {**body, "country": "CN"})

    assert answer["status"] == "InteractionRequired"
    assert answer["suggestedAddresses"][0]["state"] == "BJ"


async def test_street_partial(client: httpx.AsyncClient) -> None:
    answer = await validate(client, redmond(AddressLine1="Microsoft Way"))

    assert answer["status"] == "StreetPartial"
    assert answer["suggestedAddresses"] == []
    assert "no street number" in answer["validationMessage"]


async def test_premises_partial(client: httpx.AsyncClient) -> None:
    answer = await validate(client, redmond(AddressLine1="10-12 Main Street"))

    assert answer["status"] == "PremisesPartial"
    lines = [s["addressLine1"] for s in answer["suggestedAddresses"]]
    assert lines == ["10 Main Street", "12 Main Street"]


@pytest.mark.parametrize(
    "changes", [{"State": "CA"}, {"PostalCode": "9805"}, {"State": "XX"}, {"City": None}]
)
async def test_none(client: httpx.AsyncClient, changes: dict[str, Any]) -> None:
    answer = await validate(client, redmond(**changes))

    assert answer["status"] == "None"
    assert answer["suggestedAddresses"] == []
    assert answer["validationMessage"]


async def test_multiple(client: httpx.AsyncClient) -> None:
    answer = await validate(client, redmond(AddressLine1="Microsoft Way", PostalCode="1"))

    assert answer["status"] == "Multiple"
    assert answer["suggestedAddresses"] == []
    assert ";" in answer["validationMessage"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "The country is required."),
        ({"addressLine1": "1 Microsoft Way", "country": None}, "The country is required."),
        (redmond(Country="UK"), "did you mean 'GB'?"),
        (redmond(Country="ZZ"), "not a country code"),
        (redmond(Country="SS"), "no rules for SS"),
    ],
)
async def test_not_validated(client: httpx.AsyncClient, body: dict[str, Any], says: str) -> None:
    answer = await validate(client, body)

    assert answer["status"] == "NotValidated"
    assert answer["suggestedAddresses"] == []
    assert says in answer["validationMessage"]


@pytest.mark.parametrize(
    "body",
    [
        # camelCase (Java, Python), mixed case (Node), explicit nulls and unknown members.
        {
            "addressLine1": "1 Microsoft Way",
            "city": "Redmond",
            "state": "WA",
            "postalCode": "98052",
            "country": "US",
        },
        {
            "ADDRESSLINE1": "1 Microsoft Way",
            "city": "Redmond",
            "State": "WA",
            "postalcode": "98052",
            "Country": "US",
            "AddressLine2": None,
            "Region": None,
            "Attributes": {"ObjectType": "Address"},
        },
    ],
)
async def test_property_names_bind_in_any_case(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    answer = await validate(client, body)

    assert answer["status"] == "VerifiedShippable"
    assert answer["originalAddress"]["addressLine1"] == "1 Microsoft Way"


async def test_trailing_commas_are_tolerated(client: httpx.AsyncClient) -> None:
    text = '{"AddressLine1": "1 Microsoft Way", "City": "Redmond", "State": "WA",'
    text += ' "PostalCode": "98052", "Country": "US",}'
    response = await client.post(ROUTE, content=text, headers=JSON)

    assert response.status_code == 200
    assert response.json()["status"] == "VerifiedShippable"


@pytest.mark.parametrize(
    ("content", "data"),
    [
        (b"not json", []),
        (b"", []),
        (b'["US"]', []),
        (b'{"Country": 5}', ["country: must be a string"]),
        (b'{"Country": "US", "PostalCode": ["98052"]}', ["postalCode: must be a string"]),
        (b'{"City": "a\\u0000b"}', ["city: contains control characters or invalid Unicode"]),
    ],
)
async def test_malformed_bodies_are_800002(
    client: httpx.AsyncClient, content: bytes, data: list[str]
) -> None:
    response = await client.post(ROUTE, content=content, headers=JSON)

    body = assert_envelope(response, 400, 800002)
    assert body["data"] == data


async def test_a_token_is_required(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as anonymous:
        response = await anonymous.post(ROUTE, json=REDMOND)

    assert_envelope(response, 401, 800001)
