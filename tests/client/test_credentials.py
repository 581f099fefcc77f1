"""Credentials: a static token, the client-credentials flow with its cache, and Entra ID
through MSAL (a stand-in module here: the real one talks to Microsoft). More sign-in in
test_sign_in.py.

Needs nothing but the SDK (no Tenantry server, no conftest): it also runs in the venv that
holds the oldest httpx the SDK supports (`./dev test`)."""

from __future__ import annotations

import asyncio
import sys
import types
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from tenantry_client import (
    PARTNER_CENTER_SCOPE,
    AsyncPartnerClient,
    ClientSecretCredential,
    CredentialError,
    EntraCredential,
    PartnerClient,
    StaticTokenCredential,
    TokenCredential,
)

CUSTOMER = {"id": "c1"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class TokenService:
    """A token endpoint and an API behind one mock transport."""

    def __init__(self, lifetime: int = 3600) -> None:
        self.lifetime = lifetime
        self.token_requests: list[httpx.Request] = []
        self.api_tokens: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/v2.0/token"):
            self.token_requests.append(request)
            form = parse_qs(request.content.decode())
            if form["client_secret"] != ["s3cret"]:
                return httpx.Response(
                    401,
                    json={"error": "invalid_client", "error_description": "AADSTS7000215: bad"},
                )
            token = f"tok{len(self.token_requests)}"
            return httpx.Response(
                200,
                json={"token_type": "Bearer", "expires_in": self.lifetime, "access_token": token},
            )
        self.api_tokens.append(request.headers["Authorization"].removeprefix("Bearer "))
        return httpx.Response(200, json=CUSTOMER)


def test_static_token() -> None:
    credential = StaticTokenCredential("abc")
    assert isinstance(credential, TokenCredential)
    with httpx.Client() as http:
        assert credential.get_token(http, base_url="x") == "abc"
    assert "abc" not in repr(credential)
    with pytest.raises(ValueError, match="empty"):
        StaticTokenCredential("")


def test_client_secret_flow_is_cached_until_shortly_before_expiry() -> None:
    service, clock = TokenService(lifetime=3600), Clock()
    credential = ClientSecretCredential("tenant-1", "app-1", "s3cret", now=clock)
    assert isinstance(credential, TokenCredential)
    with PartnerClient(
        credential, base_url="http://tenantry.test", transport=httpx.MockTransport(service)
    ) as client:
        client.customers.get("c1")
        clock.now += 3000  # 10 minutes left: still good
        client.customers.get("c1")
        clock.now += 400  # within the 5-minute margin: renewed
        client.customers.get("c1")
    assert service.api_tokens == ["tok1", "tok1", "tok2"]
    (first, _) = service.token_requests
    assert str(first.url) == "http://tenantry.test/tenant-1/oauth2/v2.0/token"
    assert first.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(first.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["app-1"],
        "client_secret": ["s3cret"],
        "scope": [PARTNER_CENTER_SCOPE],
    }
    assert "s3cret" not in repr(credential)


async def test_client_secret_flow_async_with_its_own_authority() -> None:
    service, clock = TokenService(lifetime=60), Clock()
    credential = ClientSecretCredential(
        "tenant-1", "app-1", "s3cret", authority="https://login.example/", now=clock
    )
    async with AsyncPartnerClient(
        credential, base_url="http://tenantry.test", transport=httpx.MockTransport(service)
    ) as client:
        await client.customers.get("c1")
        clock.now += 29  # a short-lived token is kept for half its life
        await client.customers.get("c1")
        clock.now += 2
        await client.customers.get("c1")
    assert service.api_tokens == ["tok1", "tok1", "tok2"]
    assert str(service.token_requests[0].url) == "https://login.example/tenant-1/oauth2/v2.0/token"


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_refusals_and_unreachable_endpoints_are_credential_errors(kind: str) -> None:
    wrong = ClientSecretCredential("tenant-1", "app-1", "wrong")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    for transport, expected in (
        (httpx.MockTransport(TokenService()), "invalid_client"),
        (httpx.MockTransport(down), None),
    ):
        if kind == "sync":
            with (
                httpx.Client(transport=transport) as http,
                pytest.raises(CredentialError) as caught,
            ):
                wrong.get_token(http, base_url="http://t.test")
        else:
            async with httpx.AsyncClient(transport=transport) as ahttp:
                with pytest.raises(CredentialError) as caught:
                    await wrong.get_token_async(ahttp, base_url="http://t.test")
        assert caught.value.error == expected


class FakeMsal(types.ModuleType):
    """Just enough of `msal` for EntraCredential."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__("msal")
        self.result = result
        self.apps: list[dict[str, Any]] = []
        self.scopes: list[list[str]] = []
        fake = self

        class ConfidentialClientApplication:
            def __init__(self, client_id: str, **kwargs: Any) -> None:
                fake.apps.append({"client_id": client_id, **kwargs})

            def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]:
                fake.scopes.append(scopes)
                return fake.result

        self.ConfidentialClientApplication = ConfidentialClientApplication


async def test_entra_credential_uses_msal(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMsal({"access_token": "entra-token", "expires_in": 3599})
    monkeypatch.setitem(sys.modules, "msal", fake)
    credential = EntraCredential("contoso-tenant", "app-1", "s3cret")
    async with httpx.AsyncClient() as ahttp:
        assert await credential.get_token_async(ahttp, base_url="x") == "entra-token"
    with httpx.Client() as http:
        assert credential.get_token(http, base_url="x") == "entra-token"
    assert fake.apps == [
        {
            "client_id": "app-1",
            "authority": "https://login.microsoftonline.com/contoso-tenant",
            "client_credential": "s3cret",
        }
    ]
    assert fake.scopes == [[PARTNER_CENTER_SCOPE]] * 2
    assert "s3cret" not in repr(credential)

    fake.result = {"error": "invalid_client", "error_description": "AADSTS7000215: bad secret"}
    with httpx.Client() as http, pytest.raises(CredentialError, match="AADSTS7000215") as caught:
        credential.get_token(http, base_url="x")
    assert caught.value.error == "invalid_client"


def test_entra_credential_without_msal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "msal", None)  # makes `import msal` fail
    credential = EntraCredential("t", "c", "s")  # constructing it needs no MSAL yet
    with httpx.Client() as http, pytest.raises(CredentialError, match=r"tenantry-client\[entra\]"):
        credential.get_token(http, base_url="x")


class RequestsConnectionError(OSError):
    """Stands for requests.exceptions.ConnectionError, which MSAL lets through."""


def test_entra_credential_wraps_what_msal_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMsal({})
    monkeypatch.setitem(sys.modules, "msal", fake)

    def unreachable(scopes: list[str]) -> dict[str, Any]:
        raise RequestsConnectionError("Max retries exceeded with url: /tenant/oauth2/v2.0/token")

    credential = EntraCredential("contoso-tenant", "app-1", "s3cret")
    with httpx.Client() as http:
        credential._application().acquire_token_for_client = unreachable
        with pytest.raises(CredentialError, match="Max retries exceeded") as caught:
            credential.get_token(http, base_url="x")
    assert isinstance(caught.value.__cause__, RequestsConnectionError)

    class Broken(FakeMsal):
        def __init__(self) -> None:
            super().__init__({})

            def refuse(*args: Any, **kwargs: Any) -> None:
                raise ValueError("Unable to get authority configuration")

            self.ConfidentialClientApplication = refuse

    monkeypatch.setitem(sys.modules, "msal", Broken())
    never = EntraCredential("contoso-tenant", "app-1", "s3cret")

    async def ask() -> str:
        async with httpx.AsyncClient() as ahttp:
            return await never.get_token_async(ahttp, base_url="x")

    with pytest.raises(CredentialError, match="authority configuration"):
        asyncio.run(ask())
