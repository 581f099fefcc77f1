"""The pytest plugin, used the way a partner's test suite would use it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from tenantry.testing import Sandbox

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


def _headers(tenantry):
    return {"Authorization": f"Bearer {tenantry.token()}", "MS-RequestId": str(uuid.uuid4())}


def _create(tenantry):
    return httpx.post(f"{tenantry.base_url}/v1/customers", json=BODY, headers=_headers(tenantry))


def test_first(tenantry):
    assert _create(tenantry).status_code == 201


def test_second_starts_clean(tenantry):
    # The same domain again: free, because the sandbox was reset between the tests.
    assert _create(tenantry).status_code == 201


def test_user_token(tenantry):
    assert tenantry.user_token().count(".") == 2


def test_sync_client_over_the_transport(tenantry):
    with httpx.Client(transport=tenantry.asgi_transport(), base_url=tenantry.base_url) as c:
        created = c.post("/v1/customers", json=BODY, headers=_headers(tenantry))
        assert created.status_code == 201
        fetched = c.get(f"/v1/customers/{created.json()['id']}", headers=_headers(tenantry))
        assert fetched.json()["companyProfile"]["domain"] == "plugintest.onmicrosoft.com"


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
def test_fixtures_start_and_reset_a_sandbox(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_partner_suite=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--tenantry-mode={mode}")
    result.assert_outcomes(passed=7)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_already_running_sandbox_can_be_used(
    pytester: pytest.Pytester, backend: str, server_factory: object
) -> None:
    server = server_factory()  # type: ignore[operator]
    pytester.makepyfile(test_partner_suite=USER_TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--tenantry-url={server.base_url}"
    )
    result.assert_outcomes(passed=7)


def _jwt(kid: str, serial: int) -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": kid}).encode())
    return f"{header.decode().rstrip('=')}.{serial}.sig"


class _FakeSandboxServer:
    """The token, keys, reset and limits endpoints a `Sandbox` calls, counted."""

    def __init__(self) -> None:
        self.kid = "k1"
        self.expires_in = 3600
        self.issued = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/v2.0/token"):
            self.issued += 1
            token = _jwt(self.kid, self.issued)
            return httpx.Response(200, json={"access_token": token, "expires_in": self.expires_in})
        if request.url.path.endswith("/discovery/v2.0/keys"):
            return httpx.Response(200, json={"keys": [{"kid": self.kid}]})
        return httpx.Response(204)  # /_tenantry/reset, /_tenantry/limits


@pytest.fixture
def fake_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Sandbox, _FakeSandboxServer]]:
    server = _FakeSandboxServer()
    sandbox = Sandbox("http://sandbox.invalid")
    monkeypatch.setattr(sandbox, "asgi_transport", lambda: httpx.MockTransport(server))
    yield sandbox, server
    sandbox.close()


def test_a_token_is_cached_per_kind(fake_sandbox: tuple[Sandbox, _FakeSandboxServer]) -> None:
    sandbox, server = fake_sandbox
    app, user = sandbox.token(), sandbox.user_token()
    assert (sandbox.token(), sandbox.user_token(), server.issued) == (app, user, 2)


def test_a_token_about_to_expire_is_not_cached(
    fake_sandbox: tuple[Sandbox, _FakeSandboxServer],
) -> None:
    sandbox, server = fake_sandbox
    server.expires_in = 60  # within the margin
    assert sandbox.token() != sandbox.token()


def test_after_a_reset_a_token_whose_key_is_gone_is_replaced(
    fake_sandbox: tuple[Sandbox, _FakeSandboxServer],
) -> None:
    sandbox, server = fake_sandbox
    first = sandbox.token()
    sandbox.reset()
    assert sandbox.token() == first  # its key is still served
    server.kid = "k2"  # e.g. the sandbox restarted with new keys
    assert sandbox.token() == first  # checked only after a reset
    sandbox.reset()
    assert sandbox.token() != first
    assert server.issued == 2
