"""The pytest plugin, used the way a partner's test suite would use it."""

from __future__ import annotations

import pytest

USER_TESTS = """
import uuid

import httpx

BODY = {
    "CompanyProfile": {"Domain": "plugintest.onmicrosoft.com"},
    "BillingProfile": {
        "Culture": "en-US", "Email": "a@wingtiptoys.com", "Language": "en",
        "CompanyName": "Wingtip Toys",
        "DefaultAddress": {"FirstName": "Gena", "LastName": "Soto",
            "AddressLine1": "One Microsoft Way", "City": "Redmond", "State": "WA",
            "PostalCode": "98052", "Country": "US"},
    },
}


def _create(tenantry):
    return httpx.post(
        f"{tenantry.base_url}/v1/customers", json=BODY,
        headers={"Authorization": f"Bearer {tenantry.token()}",
                 "MS-RequestId": str(uuid.uuid4())},
    )


def test_first(tenantry):
    assert _create(tenantry).status_code == 201


def test_second_starts_clean(tenantry):
    # The same domain again: free, because the sandbox was reset between the tests.
    assert _create(tenantry).status_code == 201


def test_user_token(tenantry):
    assert tenantry.user_token().count(".") == 2
"""


@pytest.mark.parametrize("mode", ["inprocess", "subprocess"])
def test_fixtures_start_and_reset_a_sandbox(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_partner_suite=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--tenantry-mode={mode}")
    result.assert_outcomes(passed=3)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_already_running_sandbox_can_be_used(
    pytester: pytest.Pytester, backend: str, server_factory: object
) -> None:
    server = server_factory()  # type: ignore[operator]
    pytester.makepyfile(test_partner_suite=USER_TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--tenantry-url={server.base_url}"
    )
    result.assert_outcomes(passed=3)


TRANSPORT_TESTS = """
import uuid

import httpx
import pytest

BODY = {
    "CompanyProfile": {"Domain": "transporttest.onmicrosoft.com"},
    "BillingProfile": {
        "Culture": "en-US", "Email": "a@wingtiptoys.com", "Language": "en",
        "CompanyName": "Wingtip Toys",
        "DefaultAddress": {"FirstName": "Gena", "LastName": "Soto",
            "AddressLine1": "One Microsoft Way", "City": "Redmond", "State": "WA",
            "PostalCode": "98052", "Country": "US"},
    },
}


def _headers(tenantry):
    return {"Authorization": f"Bearer {tenantry.token()}", "MS-RequestId": str(uuid.uuid4())}


def test_sync_client_over_the_transport(tenantry):
    with httpx.Client(transport=tenantry.asgi_transport(), base_url=tenantry.base_url) as c:
        created = c.post("/v1/customers", json=BODY, headers=_headers(tenantry))
        assert created.status_code == 201
        fetched = c.get(f"/v1/customers/{created.json()['id']}", headers=_headers(tenantry))
        assert fetched.json()["companyProfile"]["domain"] == "transporttest.onmicrosoft.com"


def test_reset_removed_the_customer_and_async_works(tenantry):
    import asyncio

    async def go():
        transport = tenantry.asgi_transport()
        async with httpx.AsyncClient(transport=transport, base_url=tenantry.base_url) as c:
            again = await c.post("/v1/customers", json=BODY, headers=_headers(tenantry))
            return again.status_code

    assert asyncio.run(go()) == 201  # the domain is free again after the reset


def test_reset_takes_back_the_limits(tenantry):
    headers = {"Tenantry-Admin-Key": tenantry.admin_key}
    with httpx.Client(transport=tenantry.asgi_transport(), base_url=tenantry.base_url) as c:
        c.put("/_tenantry/limits", json={"customerCap": 1}, headers=headers)
        tenantry.reset()
        assert c.get("/_tenantry/limits", headers=headers).json()["customerCap"] == 0


def test_the_cached_token_still_works_after_a_reset(tenantry):
    first = tenantry.token()
    tenantry.reset()
    assert tenantry.token() == first
    with httpx.Client(transport=tenantry.asgi_transport(), base_url=tenantry.base_url) as c:
        assert c.post("/v1/customers", json=BODY, headers=_headers(tenantry)).status_code == 201
"""


@pytest.mark.parametrize("mode", ["inprocess", "subprocess"])
def test_the_transport_serves_sync_and_async_clients(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_partner_transport=TRANSPORT_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--tenantry-mode={mode}")
    result.assert_outcomes(passed=4)
