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
