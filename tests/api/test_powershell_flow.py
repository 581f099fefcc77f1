"""New-PartnerCustomer's sequence, as the PowerShell module runs it before creating anyone:
domain HEAD → country rules → address validation → create, with its headers and its
PascalCase bodies (nulls omitted)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

from tests.support import payloads


def _headers() -> dict[str, str]:
    return {
        "Accept": "application/json",
        "MS-PartnerCenter-Client": "Partner Center PowerShell",
        "MS-CorrelationId": str(uuid.uuid4()),
        "MS-RequestId": str(uuid.uuid4()),
        "MS-SdkVersion": "3.0.10",
        "X-Locale": "en-US",
    }


ADDRESS = {
    "AddressLine1": "1 Microsoft Way",
    "City": "Redmond",
    "State": "WA",
    "PostalCode": "98052",
    "Country": "US",
}


async def _new_partner_customer(
    http: httpx.AsyncClient, domain: str, address: dict[str, str]
) -> tuple[str, httpx.Response | None]:
    """Returns where the cmdlet stopped and the create answer, if it got that far."""
    head = await http.head(f"/v1/domains/{domain}", headers=_headers())
    if 200 <= head.status_code < 300:  # any 2xx means taken
        return "domain taken", None
    rules = (
        await http.get(f"/v1/countryvalidationrules/{address['Country']}", headers=_headers())
    ).json()
    if rules["isCityRequired"] and not address.get("City"):
        return "city required", None
    if rules["isPostalCodeRequired"] and not re.fullmatch(
        rules["postalCodeRegex"], address["PostalCode"]
    ):
        return "postal code format", None
    if rules["isStateRequired"] and address["State"].upper() not in rules["supportedStatesList"]:
        return "state not supported", None
    validation = await http.post("/v1/validations/address", json=address, headers=_headers())
    if validation.status_code != 200 or validation.json() is not True:
        return "address invalid", validation
    body: dict[str, Any] = {
        "CompanyProfile": {"Domain": domain},
        "BillingProfile": {
            "Culture": "en-US",
            "Email": "gena@wingtiptoys.com",
            "Language": "en",
            "CompanyName": "New Customer",
            "DefaultAddress": {**address, "FirstName": "Gena", "LastName": "Soto"},
        },
    }
    return "created", await http.post("/v1/customers", json=body, headers=_headers())


async def test_the_cmdlet_creates_a_customer(client: httpx.AsyncClient) -> None:
    domain = f"{payloads.unique_prefix('pwsh')}.onmicrosoft.com"
    step, created = await _new_partner_customer(client, domain, ADDRESS)
    assert step == "created"
    assert created is not None
    assert created.status_code == 201, created.text
    assert created.json()["companyProfile"]["domain"] == domain


async def test_the_cmdlet_stops_when_the_domain_is_taken(client: httpx.AsyncClient) -> None:
    domain = f"{payloads.unique_prefix('pwsh')}.onmicrosoft.com"
    await _new_partner_customer(client, domain, ADDRESS)
    step, _ = await _new_partner_customer(client, domain, ADDRESS)
    assert step == "domain taken"


async def test_the_cmdlet_stops_at_address_validation(client: httpx.AsyncClient) -> None:
    domain = f"{payloads.unique_prefix('pwsh')}.onmicrosoft.com"
    wrong_state = {**ADDRESS, "PostalCode": "10001"}  # a New York ZIP with WA
    step, answer = await _new_partner_customer(client, domain, wrong_state)
    assert step == "address invalid"
    assert answer is not None
    assert answer.status_code == 400
    assert answer.json()["code"] == 2007
    head = await client.head(f"/v1/domains/{domain}")
    assert head.status_code == 404  # nobody was created


async def test_other_clients_get_the_current_validation_shape(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/validations/address", json=ADDRESS)
    assert response.status_code == 200
    assert response.json()["status"] in ("VerifiedShippable", "Verified")
