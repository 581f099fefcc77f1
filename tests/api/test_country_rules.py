"""`GET /v1/countryvalidationrules/{country}`: Partner Center's CountryInformation, built from
what create enforces, so a body built from the answer alone is accepted by create."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pycountry
import pytest

from tenantry.domain.rules.markets import countries_of, market_of
from tests.api.test_errors import assert_envelope
from tests.domain.rules.test_rules_country_rules import (
    REGISTRATION_SAMPLES,
    phone_for,
    postal_code_for,
)
from tests.support.partners import add_partner
from tests.support.payloads import unique_prefix
from tests.support.server import LiveServer

# What the .NET SDK's CountryValidationRules model and the recorded real answers carry.
SDK_MEMBERS = {
    "iso2Code",
    "defaultCulture",
    "isStateRequired",
    "supportedStatesList",
    "supportedLanguagesList",
    "supportedCulturesList",
    "isPostalCodeRequired",
    "postalCodeRegex",
    "isCityRequired",
    "isVatIdSupported",
    "isTaxIdSupported",
    "countryCallingCodesList",
}
# The `{"value": [...]}` spellings of the documentation's example, beside the flat ones.
WRAPPED = {
    "states": "supportedStatesList",
    "supportedLanguages": "supportedLanguagesList",
    "supportedCultures": "supportedCulturesList",
    "countryCallingCodes": "countryCallingCodesList",
}
US_STATES = [
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN",
    "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ",
    "NM", "NV", "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA",
    "WI", "WV", "WY",
]  # fmt: skip
CN_PROVINCES = [
    "AH", "BJ", "CQ", "FJ", "GD", "GS", "GX", "GZ", "HA", "HB", "HE", "HI", "HL", "HN", "JL", "JS",
    "JX", "LN", "NM", "NX", "QH", "SC", "SD", "SH", "SN", "SX", "TJ", "XJ", "XZ", "YN", "ZJ",
]  # fmt: skip


async def rules_of(client: httpx.AsyncClient, country: str) -> dict[str, Any]:
    response = await client.get(f"/v1/countryvalidationrules/{country}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = response.json()
    assert body["attributes"] == {"objectType": "CountryInformation"}
    assert SDK_MEMBERS - {"postalCodeRegex"} <= set(body)
    for wrapped, flat in WRAPPED.items():
        assert body[wrapped] == {"value": body[flat]}
    assert "null" not in response.text
    return body


async def test_us_answers_what_partner_center_answered(client: httpx.AsyncClient) -> None:
    us = await rules_of(client, "US")

    assert us["iso2Code"] == "US"
    assert us["defaultCulture"] == "en-US"
    assert us["isStateRequired"] is True
    assert us["supportedStatesList"] == US_STATES
    assert us["supportedLanguagesList"] == ["en", "es"]
    assert us["supportedCulturesList"] == ["en-US", "es-US"]
    assert (us["isPostalCodeRequired"], us["isCityRequired"]) == (True, True)
    assert us["isRegistrationNumberSupported"] is False
    assert us["countryCallingCodesList"] == ["1"]
    regex = re.compile(us["postalCodeRegex"])
    for good in ("98052", "98052-8300"):
        assert regex.match(good)
    for bad in ("9805", "980521", "ABCDE"):
        assert not regex.match(bad)
    # No pattern matches every *possible* phone number create accepts: none is published.
    assert "phoneNumberRegex" not in us


@pytest.mark.parametrize("spelling", ["us", "Us", "uS"])
async def test_country_codes_are_case_insensitive(client: httpx.AsyncClient, spelling: str) -> None:
    assert (await rules_of(client, spelling))["iso2Code"] == "US"


async def test_china(client: httpx.AsyncClient) -> None:
    cn = await rules_of(client, "CN")

    assert cn["defaultCulture"] == "zh-CN"
    assert cn["supportedStatesList"] == CN_PROVINCES
    assert cn["isStateRequired"] is True
    assert cn["supportedCulturesList"] == ["zh-CN", "en-US"]
    assert cn["supportedLanguagesList"] == ["zh-CHS", "en"]  # as the real service answered
    assert cn["isRegistrationNumberSupported"] is True
    assert cn["countryCallingCodesList"] == ["86"]
    assert re.match(cn["postalCodeRegex"], "100000")


async def test_germany(client: httpx.AsyncClient) -> None:
    de = await rules_of(client, "de")

    assert de["defaultCulture"] == "de-DE"
    assert (de["isStateRequired"], de["supportedStatesList"]) == (False, [])
    assert set(de["supportedLanguagesList"]) == {"de", "en"}
    assert de["supportedCulturesList"] == ["de-DE", "en-US"]
    assert (de["isPostalCodeRequired"], de["isCityRequired"]) == (True, True)
    assert re.match(de["postalCodeRegex"], "10115")
    assert not re.match(de["postalCodeRegex"], "1011")
    assert de["countryCallingCodesList"] == ["49"]


async def test_britain(client: httpx.AsyncClient) -> None:
    gb = await rules_of(client, "GB")

    assert gb["defaultCulture"] == "en-GB"
    assert (gb["isStateRequired"], gb["supportedStatesList"]) == (False, [])
    assert gb["supportedLanguagesList"] == ["en"]
    assert gb["supportedCulturesList"] == ["en-GB", "en-US"]
    assert gb["countryCallingCodesList"] == ["44"]
    # Create upper-cases postal codes, so the published pattern takes either case.
    for postcode in ("EC1Y 8SY", "ec1y 8sy", "GIR 0AA", "gir0aa", "M2 5BQ"):
        assert re.match(gb["postalCodeRegex"], postcode), postcode


@pytest.mark.parametrize(
    ("path", "suggestion"),
    [
        ("UK", "GB"),
        ("uk", "GB"),
        ("USA", "US"),
        ("ZZ", None),
        ("X" * 300, None),
        ("%00", None),
        ("%20", None),
    ],
)
async def test_unknown_codes_are_880017(
    client: httpx.AsyncClient, path: str, suggestion: str | None
) -> None:
    response = await client.get(f"/v1/countryvalidationrules/{path}")

    body = assert_envelope(response, 404, 880017)
    if suggestion is None:
        assert body["data"] == []
    else:
        assert len(body["data"]) == 1
        assert body["data"][0].startswith("country: ")
        assert f"did you mean '{suggestion}'?" in body["data"][0]


async def test_the_unknown_code_is_explained_in_chinese_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/countryvalidationrules/UK", headers={"X-Locale": "zh-CN"})

    body = assert_envelope(response, 404, 880017)
    assert "GB" in body["data"][0]
    assert "did you mean" not in body["data"][0]


async def test_a_token_is_required(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as anonymous:
        response = await anonymous.get("/v1/countryvalidationrules/US")

    assert_envelope(response, 401, 800001)


def _create_body(country: str, rules: dict[str, Any]) -> dict[str, Any]:
    """A create body built only from the published rules (plus the library's examples)."""
    culture = rules["defaultCulture"]
    assert culture in rules["supportedCulturesList"]
    language = rules["supportedLanguagesList"][-1]
    address: dict[str, Any] = {
        "firstName": "Ana",
        "lastName": "Silva",
        "addressLine1": "1 Main Street",
        "country": country.lower(),
    }
    state = None
    if rules["isStateRequired"]:
        state = rules["supportedStatesList"][0] if rules["supportedStatesList"] else "Central"
        address["state"] = state
    if rules["isPostalCodeRequired"]:
        postal_code = postal_code_for(country, state)
        assert postal_code is not None
        assert re.match(rules["postalCodeRegex"], postal_code), (country, postal_code)
        address["postalCode"] = postal_code
    if rules["isCityRequired"]:
        address["city"] = "Capital City"
    company: dict[str, Any] = {"domain": f"{unique_prefix('cr')}.onmicrosoft.com"}
    if rules["isRegistrationNumberSupported"]:  # in Tenantry: number and phone both required
        company["organizationRegistrationNumber"] = REGISTRATION_SAMPLES[country]
        address["phoneNumber"] = phone_for(country)
    return {
        "companyProfile": company,
        "billingProfile": {
            "email": "ana@example.com",
            "culture": culture,
            "language": language,
            "companyName": "Silva Trading",
            "defaultAddress": address,
        },
    }


def _token_for_market(server: LiveServer, country: str, tokens: dict[str, str]) -> str:
    market = market_of(country)
    home = countries_of(market)[0] if market else country
    key = market or country
    if key not in tokens:
        tokens[key] = add_partner(server, home)[1]
    return tokens[key]


async def test_every_iso_country_publishes_rules_create_accepts_or_is_unknown(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    tokens: dict[str, str] = {}
    unknown: list[str] = []
    for country in sorted(str(c.alpha_2) for c in pycountry.countries):
        response = await client.get(f"/v1/countryvalidationrules/{country}")
        headers = {"MS-RequestId": str(uuid.uuid4())}
        if response.status_code == 404:
            assert_envelope(response, 404, 880017)
            body = _create_body("US", await rules_of(client, "US"))
            body["billingProfile"]["defaultAddress"]["country"] = country
            created = await client.post("/v1/customers", json=body, headers=headers)
            assert_envelope(created, 400, 880010)
            unknown.append(country)
            continue
        rules = response.json()
        assert rules["iso2Code"] == country
        headers["Authorization"] = f"Bearer {_token_for_market(server, country, tokens)}"
        created = await client.post(
            "/v1/customers", json=_create_body(country, rules), headers=headers
        )
        assert created.status_code == 201, (country, created.text)
        assert created.json()["billingProfile"]["defaultAddress"]["country"] == country
    # Partner Center's locales table has no row for these ISO 3166-1 countries.
    assert unknown == ["CU", "EH", "IR", "KP", "SD", "SY"]
