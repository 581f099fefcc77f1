"""POST /v1/customers with the seed documents' own requests, answered in their shape."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.support import payloads

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
JSON_HEADERS = {"Content-Type": "application/json"}

DIRECT_SEEDS: dict[str, Callable[[], str]] = {
    "000 (en, 2023 REST example)": payloads.seed_000,
    "001 (.NET SDK body, nulls and read-only members)": payloads.seed_001,
    "002 (zh-TW page, trailing commas, ccsctp.net)": payloads.seed_002,
    "004 (zh-CN page)": payloads.seed_004,
}


def _headers(**extra: str) -> dict[str, str]:
    return {
        **JSON_HEADERS,
        "MS-RequestId": str(uuid.uuid4()),
        "MS-CorrelationId": str(uuid.uuid4()),
        **extra,
    }


@pytest.mark.parametrize("seed", DIRECT_SEEDS.values(), ids=DIRECT_SEEDS.keys())
async def test_seed_request_is_accepted_in_seed_shape(
    client: httpx.AsyncClient, seed: Callable[[], str]
) -> None:
    body = seed()
    response = await client.post("/v1/customers", content=body, headers=_headers())

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    customer = response.json()
    # The keys of the seeds' response example are all there, with the same meaning.
    assert GUID.match(customer["id"])
    assert GUID.match(customer["commerceId"])
    company = customer["companyProfile"]
    assert company["tenantId"] == customer["id"]
    assert company["attributes"] == {"objectType": "CustomerCompanyProfile"}
    billing = customer["billingProfile"]
    assert GUID.match(billing["id"])
    assert billing["id"] != customer["id"]
    assert billing["culture"] == "en-US"  # EN-US and en-us come back canonical
    assert re.fullmatch(r"-?\d+", billing["attributes"]["etag"])
    assert -(2**63) <= int(billing["attributes"]["etag"]) < 2**63
    assert billing["attributes"]["objectType"] == "CustomerBillingProfile"
    address = billing["defaultAddress"]
    for key in (
        "country",
        "city",
        "state",
        "addressLine1",
        "postalCode",
        "firstName",
        "lastName",
        "phoneNumber",
    ):
        assert key in address
    assert customer["relationshipToPartner"] == "reseller"
    assert customer["allowDelegatedAccess"] is False
    assert customer["userCredentials"]["userName"] == "admin"
    assert customer["attributes"] == {"objectType": "Customer"}
    assert customer["links"]["self"] == {
        "uri": f"/customers/{customer['id']}",
        "method": "GET",
        "headers": [],
    }
    assert response.headers["location"] == f"/v1/customers/{customer['id']}"
    # Nulls are omitted, never written.
    assert "null" not in response.text


async def test_values_are_echoed_as_sent(client: httpx.AsyncClient) -> None:
    prefix = payloads.unique_prefix("MixedCase")
    body = payloads.seed_003(prefix, reseller_id=None)
    response = await client.post("/v1/customers", content=body, headers=_headers())

    assert response.status_code == 201, response.text
    customer = response.json()
    assert customer["companyProfile"]["domain"] == f"{prefix}.onmicrosoft.com"
    billing = customer["billingProfile"]
    assert billing["language"] == "En"  # language is echoed as sent
    assert billing["defaultAddress"]["phoneNumber"] == "4255550101"
    assert customer["enableGDAPByDefault"] is False


async def test_phone_number_comes_back_empty_when_not_given(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/customers", content=payloads.seed_000(), headers=_headers())
    assert response.json()["billingProfile"]["defaultAddress"]["phoneNumber"] == ""


async def test_middle_name_and_camel_case_body(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(billingProfile__defaultAddress__middleName="Coralie")
    response = await client.post("/v1/customers", json=body, headers=_headers())
    assert response.status_code == 201, response.text
    assert response.json()["billingProfile"]["defaultAddress"]["middleName"] == "Coralie"


async def test_gdap_by_default_when_flag_absent(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/customers", json=payloads.minimal(), headers=_headers())
    assert response.json()["enableGDAPByDefault"] is True


async def test_generated_password_meets_entra_complexity(client: httpx.AsyncClient) -> None:
    passwords = set()
    for _ in range(5):
        response = await client.post("/v1/customers", json=payloads.minimal(), headers=_headers())
        password = response.json()["userCredentials"]["password"]
        assert len(password) == 16
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        assert sum(classes) >= 3
        passwords.add(password)
    assert len(passwords) == 5


async def test_created_customer_reads_back_without_credentials(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/customers", content=payloads.seed_001(), headers=_headers())
    customer = created.json()

    response = await client.get(f"/v1/customers/{customer['id']}")

    assert response.status_code == 200
    read = response.json()
    assert "userCredentials" not in read
    expected = {k: v for k, v in customer.items() if k != "userCredentials"}
    assert read == expected


async def test_customer_id_lookup_is_case_insensitive(client: httpx.AsyncClient) -> None:
    created = (
        await client.post("/v1/customers", json=payloads.minimal(), headers=_headers())
    ).json()
    response = await client.get(f"/v1/customers/{created['id'].upper()}")
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]


async def test_domain_head_reports_taken_and_free(client: httpx.AsyncClient) -> None:
    prefix = payloads.unique_prefix("Head")
    free = await client.head(f"/v1/domains/{prefix}.onmicrosoft.com")
    assert free.status_code == 404
    assert free.content == b""

    await client.post("/v1/customers", json=payloads.minimal(prefix), headers=_headers())

    taken = await client.head(f"/v1/domains/{prefix.upper()}.ONMICROSOFT.COM")
    assert taken.status_code == 200
    assert taken.content == b""
    assert taken.headers["content-length"] == "0"


async def test_state_comes_back_as_the_short_code(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(
        billingProfile__defaultAddress__state="wa",
        billingProfile__defaultAddress__phoneNumber="   ",
    )
    response = await client.post("/v1/customers", json=body, headers=_headers())
    address = response.json()["billingProfile"]["defaultAddress"]
    assert address["state"] == "WA"
    assert address["phoneNumber"] == ""
