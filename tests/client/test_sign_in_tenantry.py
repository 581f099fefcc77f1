"""Sign-in against real Tenantry servers on real sockets: one credential used against two
servers keeps their tokens apart, and the refresh token flow (with Tenantry's rotation)."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
from tenantry_client import (
    AsyncPartnerClient,
    CredentialError,
    PartnerClient,
    RefreshTokenCredential,
    UnauthorizedError,
)

from tenantry.auth.development import DEV_CLIENT_ID, DEV_TENANT_ID, DEV_USER_PASSWORD, DEV_USER_UPN
from tests.client.conftest import dev_credential
from tests.conftest import ServerFactory
from tests.support.server import LiveServer

FREE_DOMAIN = "tenantry-sign-in-test-nobody.onmicrosoft.com"


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _call(kind: str, credential: Any, base_url: str, method: str, *args: Any) -> Any:
    cls = PartnerClient if kind == "sync" else AsyncPartnerClient
    client: Any = cls(credential, base_url=base_url)
    try:
        result = getattr(client.domains if method == "exists" else client.relationships, method)(
            *args
        )
        return await result if inspect.isawaitable(result) else result
    finally:
        closed = client.close()
        if inspect.isawaitable(closed):
            await closed


async def test_one_credential_against_two_tenantry_servers(
    kind: str, server: LiveServer, server_factory: ServerFactory
) -> None:
    other = server_factory()
    a_token = server.token()
    # Each server signs its own tokens: one's token is refused by the other.
    with pytest.raises(UnauthorizedError):
        await _call(kind, a_token, other.base_url, "exists", FREE_DOMAIN)
    credential = dev_credential()  # the authority is each client's own base URL
    for base_url in (server.base_url, other.base_url, server.base_url, other.base_url):
        assert await _call(kind, credential, base_url, "exists", FREE_DOMAIN) is False


def _refresh_token(server: LiveServer) -> str:
    answer = httpx.post(
        f"{server.base_url}/{DEV_TENANT_ID}/oauth2/v2.0/token",
        data={
            "grant_type": "password",
            "client_id": DEV_CLIENT_ID,
            "username": DEV_USER_UPN,
            "password": DEV_USER_PASSWORD,
            "scope": "https://api.partnercenter.microsoft.com/user_impersonation offline_access",
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["refresh_token"])


async def test_a_refresh_token_signs_a_user_in(kind: str, server: LiveServer) -> None:
    first = _refresh_token(server)
    kept: list[str] = []
    credential = RefreshTokenCredential(
        DEV_TENANT_ID, DEV_CLIENT_ID, first, on_refresh_token=kept.append
    )
    # An App+User call: the relationships of the partner.
    assert await _call(kind, credential, server.base_url, "indirect_resellers") == []
    (rotated,) = kept  # Tenantry rotates refresh tokens: the first one is spent
    assert rotated != first
    assert credential.refresh_token == rotated

    spent = RefreshTokenCredential(DEV_TENANT_ID, DEV_CLIENT_ID, first)
    with pytest.raises(CredentialError) as caught:
        await _call(kind, spent, server.base_url, "indirect_resellers")
    assert caught.value.error == "invalid_grant"
