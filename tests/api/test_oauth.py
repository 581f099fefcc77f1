"""The token endpoint: client credentials in Entra's shapes, and its refusals."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tenantry.auth.sign_in import FAILURES_PER_MINUTE
from tests.support import operator
from tests.support.server import LiveServer

V2 = f"/{DEV_TENANT_ID}/oauth2/v2.0/token"
V1 = f"/{DEV_TENANT_ID}/oauth2/token"
GOOD = {
    "grant_type": "client_credentials",
    "client_id": DEV_CLIENT_ID,
    "client_secret": DEV_CLIENT_SECRET,
}


async def test_v2_token_is_a_partner_center_jwt(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            V2, data={**GOOD, "scope": "https://api.partnercenter.microsoft.com/.default"}
        )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 3500 <= body["expires_in"] <= 3600
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "https://api.partnercenter.microsoft.com"
    assert claims["tid"] == DEV_TENANT_ID
    assert 3500 <= claims["exp"] - claims["iat"] <= 3600


async def test_v1_token_with_basic_credentials_and_legacy_resource(server: LiveServer) -> None:
    basic = base64.b64encode(f"{DEV_CLIENT_ID}:{DEV_CLIENT_SECRET}".encode()).decode()
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            V1,
            data={"grant_type": "client_credentials", "resource": "https://graph.windows.net"},
            headers={"Authorization": f"Basic {basic}"},
        )
        token = response.json()["access_token"]
        # The .NET SDK sends its legacy-audience token straight to the API: it works.
        head = await http.head(
            "/v1/domains/nobody.onmicrosoft.com", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.json()["resource"] == "https://graph.windows.net"
    assert head.status_code == 404


@pytest.mark.parametrize(
    ("path", "form", "status", "error"),
    [
        (V2, {**GOOD, "client_secret": "wrong"}, 401, "invalid_client"),
        (V2, {**GOOD, "client_secret": ""}, 401, "invalid_client"),
        (
            V2,
            {**GOOD, "client_id": "00000000-0000-0000-0000-000000000000"},
            400,
            "unauthorized_client",
        ),
        (
            "/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token",
            GOOD,
            400,
            "unauthorized_client",
        ),
        (V2, {**GOOD, "grant_type": "implicit"}, 400, "unsupported_grant_type"),
        (V2, {k: v for k, v in GOOD.items() if k != "grant_type"}, 400, "invalid_request"),
        (V2, {**GOOD, "scope": "https://graph.microsoft.com/.default"}, 400, "invalid_scope"),
        (V1, {**GOOD, "resource": "https://example.com"}, 400, "invalid_resource"),
    ],
    ids=[
        "wrong-secret",
        "no-secret",
        "unknown-app",
        "other-tenant",
        "grant",
        "no-grant",
        "scope",
        "resource",
    ],
)
async def test_refusals_use_entra_error_format(
    server: LiveServer, path: str, form: dict[str, str], status: int, error: str
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(path, data=form)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["error_description"].startswith("AADSTS")
    assert DEV_CLIENT_SECRET not in response.text


USER = {
    "grant_type": "password",
    "client_id": DEV_CLIENT_ID,
    "username": "ADMIN@tenantrysandbox.onmicrosoft.com",
    "password": "tenantry-sandbox-user-not-for-production",
    "scope": "https://api.partnercenter.microsoft.com/user_impersonation offline_access openid",
}


async def test_sandbox_password_grant_gives_a_user_token(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(V2, data=USER)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"].split() == [
        "https://api.partnercenter.microsoft.com/user_impersonation",
        "offline_access",
        "openid",
    ]
    assert body["refresh_token"]  # offline_access asked for one
    identity = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert identity["aud"] == DEV_CLIENT_ID
    assert identity["preferred_username"] == "admin@tenantrysandbox.onmicrosoft.com"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["idtyp"] == "user"
    assert claims["upn"] == "admin@tenantrysandbox.onmicrosoft.com"
    assert "mfa" in claims["amr"]
    assert claims["roles"] == ["Admin agent"]


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"password": "wrong"}, 400, "invalid_grant"),
        ({"username": "nobody@tenantrysandbox.onmicrosoft.com"}, 400, "invalid_grant"),
        ({"password": ""}, 400, "invalid_request"),
        ({"client_secret": "wrong"}, 401, "invalid_client"),
    ],
)
async def test_password_grant_refusals(
    server: LiveServer, change: dict[str, str], status: int, error: str
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(V2, data={**USER, **change})
    assert response.status_code == status
    assert response.json()["error"] == error
    assert USER["password"] not in response.text


async def test_password_grant_shares_the_sign_in_attempts_limit(server: LiveServer) -> None:
    upn = f"grant-burst-{uuid.uuid4().hex[:12]}@example.com"
    password = "pw-grant-burst-12345"
    server.call(operator.add_user(server.runtime, DEV_TENANT_ID, upn, ("Admin agent",), password))
    async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as http:

        async def attempt(given: str) -> httpx.Response:
            return await http.post(V2, data={**USER, "username": upn, "password": given})

        # The limit is per minute: a burst that straddled two minutes would meet two limits.
        if time.time() % 60 > 45:
            await asyncio.sleep(61 - time.time() % 60)
        # 29 wrong passwords at once: at most the limit of them are checked. Then the right
        # one (sent with them, it could arrive first, under load, and be let through by
        # design: the limit is on failures).
        answers = await asyncio.gather(*(attempt(f"wrong-{n}") for n in range(29)))
        right = await attempt(password)
    codes = [a.json()["error_codes"][0] if a.status_code == 400 else 0 for a in answers]
    assert 0 < codes.count(50126) <= FAILURES_PER_MINUTE
    assert set(codes) <= {50126, 50053}
    assert right.status_code == 400, "the right password got through the limit"
    assert right.json()["error"] == "invalid_grant"
    assert right.json()["error_codes"] == [50053]
    assert password not in right.text


async def test_password_grant_is_sandbox_only(server_factory: Any) -> None:
    from tenantry.config import Mode
    from tenantry.security.keys import generate_master_key

    production = server_factory(mode=Mode.PRODUCTION, master_key=generate_master_key())
    async with httpx.AsyncClient(base_url=production.base_url) as http:
        response = await http.post(V2, data=USER)
    assert response.status_code == 400
    assert response.json()["error"] in ("unsupported_grant_type", "unauthorized_client")
