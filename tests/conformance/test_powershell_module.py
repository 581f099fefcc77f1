"""The PowerShell module (3.0.x, on the community .NET SDK 1.15.6): New-PartnerCustomer's
checks before it creates, for the countries it could not create customers in, and the
answer shapes its models read."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tenantry.domain.rules import locales
from tests.api.test_country_rules import _create_body, _token_for_market
from tests.conformance.clients import community_reads, powershell_headers
from tests.support.server import LiveServer

# isStateRequired with an empty list made the module refuse every customer here.
FORMERLY_REFUSED = [
    "AE",
    "AS",
    "AU",
    "BR",
    "CO",
    "CR",
    "ES",
    "FM",
    "HK",
    "HN",
    "ID",
    "IN",
    "IQ",
    "IT",
    "JM",
    "JP",
    "KN",
    "KR",
    "KY",
    "MH",
    "MP",
    "NR",
    "PF",
    "PG",
    "PW",
    "RU",
    "SO",
    "SV",
    "TW",
    "UM",
    "VE",
    "VI",
]


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        yield client


def address_validator(rules: dict[str, Any], address: dict[str, Any]) -> str | None:
    """src/PowerShell/Validations/AddressValidator.cs, step by step; None when it passes."""
    if rules["isCityRequired"] and not address.get("city"):
        return "city"
    if rules["isPostalCodeRequired"] and not address.get("postalCode"):
        return "postal code"
    # List<string>.Contains: ordinal, case-sensitive.
    if rules["isStateRequired"] and address.get("state") not in rules["supportedStatesList"]:
        return "state"
    pattern, phone = rules.get("phoneNumberRegex"), address.get("phoneNumber")
    if pattern and phone and not re.match(pattern, phone):
        return "phone"
    return None


async def test_every_required_state_is_listed(http: httpx.AsyncClient, token: str) -> None:
    for country in locales.known_countries():
        rules = (
            await http.get(
                f"/v1/countryvalidationrules/{country}", headers=powershell_headers(token)
            )
        ).json()
        if rules["isStateRequired"]:
            assert rules["supportedStatesList"], country


_MARKET_TOKENS: dict[str, dict[str, str]] = {}  # per server: each backend has its own


@pytest.mark.parametrize("country", [*FORMERLY_REFUSED, "US", "CN", "DE", "GB"])
async def test_new_partner_customer_creates_in(
    server: LiveServer, http: httpx.AsyncClient, country: str
) -> None:
    token = _token_for_market(server, country, _MARKET_TOKENS.setdefault(server.base_url, {}))
    rules = (
        await http.get(f"/v1/countryvalidationrules/{country}", headers=powershell_headers(token))
    ).json()
    body = _create_body(country, rules)
    address = body["billingProfile"]["defaultAddress"]
    domain = body["companyProfile"]["domain"]
    taken = await http.head(f"/v1/domains/{domain}", headers=powershell_headers(token))
    assert taken.status_code == 404
    assert address_validator(rules, address) is None
    valid = await http.post(
        "/v1/validations/address",
        json={k[0].upper() + k[1:]: v for k, v in address.items()},
        headers=powershell_headers(token),
    )
    assert (valid.status_code, valid.content) == (200, b"true"), valid.text
    created = await http.post("/v1/customers", json=body, headers=powershell_headers(token))
    assert created.status_code == 201, created.text
    assert community_reads("relationshipToPartner", created.json()["relationshipToPartner"])


async def test_china_in_the_languages_the_real_service_published(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = _token_for_market(server, "CN", _MARKET_TOKENS.setdefault(server.base_url, {}))
    rules = (
        await http.get("/v1/countryvalidationrules/CN", headers=powershell_headers(token))
    ).json()
    assert rules["supportedLanguagesList"] == ["zh-CHS", "en"]
    body = _create_body("CN", rules)
    body["billingProfile"]["language"] = "zh-CHS"
    body["billingProfile"]["culture"] = "zh-CN"
    del body["billingProfile"]["defaultAddress"]["phoneNumber"]  # not required in China
    created = await http.post("/v1/customers", json=body, headers=powershell_headers(token))
    assert created.status_code == 201, created.text
    assert created.json()["billingProfile"]["language"] == "zh-CHS"


async def test_users_read_by_the_community_models(http: httpx.AsyncClient, token: str) -> None:
    rules = (
        await http.get("/v1/countryvalidationrules/US", headers=powershell_headers(token))
    ).json()
    created = await http.post(
        "/v1/customers", json=_create_body("US", rules), headers=powershell_headers(token)
    )
    customer_id = created.json()["id"]
    users = await http.get(f"/v1/customers/{customer_id}/users", headers=powershell_headers(token))
    [user] = users.json()["items"]
    assert community_reads("userDomainType", user["userDomainType"])
    assert community_reads("state", user["state"])
    assert user["links"]["self"]["uri"] == f"/customers/{customer_id}/users/{user['id']}"


async def test_a_taken_domain_stops_the_cmdlet(http: httpx.AsyncClient, token: str) -> None:
    rules = (
        await http.get("/v1/countryvalidationrules/US", headers=powershell_headers(token))
    ).json()
    body = _create_body("US", rules)
    created = await http.post("/v1/customers", json=body, headers=powershell_headers(token))
    assert created.status_code == 201
    domain = body["companyProfile"]["domain"].upper()
    taken = await http.head(f"/v1/domains/{domain}", headers=powershell_headers(token))
    assert taken.status_code == 200  # any 2xx: the cmdlet stops
    other = await http.head(
        f"/v1/domains/{uuid.uuid4().hex[:12]}.onmicrosoft.com", headers=powershell_headers(token)
    )
    assert other.status_code == 404
