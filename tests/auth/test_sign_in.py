"""The authorization-code flow: sign-in page, PKCE, refresh-token rotation, second factor."""

from __future__ import annotations

import uuid

import httpx
import jwt
import pyotp
import pytest
from httpx import Client

from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tenantry.domain.models import PartnerType
from tests.support import operator, payloads
from tests.support.server import LiveServer
from tests.support.sign_in import (
    LOOPBACK,
    Pkce,
    authorize_url,
    code_from,
    hidden_flow,
    submit,
)

TOKEN = "/{tenant}/oauth2/v2.0/token"


def _redeem(http: Client, code: str, pkce: Pkce, **extra: str) -> dict[str, str]:
    form = {
        "grant_type": "authorization_code",
        "client_id": DEV_CLIENT_ID,
        "code": code,
        "redirect_uri": LOOPBACK,
        "code_verifier": pkce.verifier,
    } | extra
    answer = http.post(TOKEN.format(tenant=DEV_TENANT_ID), data=form)
    return {"status": str(answer.status_code), **answer.json()}


def _sign_in(http: Client, server: LiveServer, pkce: Pkce, **extra: str) -> dict[str, str]:
    page = http.get(authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, pkce, **extra))
    assert page.status_code == 200, page.text
    return code_from(submit(http, page, username=DEV_USER_UPN, password=DEV_USER_PASSWORD))


@pytest.fixture
def http(server: LiveServer) -> Client:
    with Client(base_url=server.base_url) as client:
        yield client  # type: ignore[misc]


def test_code_flow_gives_user_tokens_that_call_app_user_operations(
    server: LiveServer, http: Client
) -> None:
    pkce = Pkce()
    back = _sign_in(http, server, pkce)
    assert back["state"] == "state-1"
    tokens = _redeem(http, back["code"], pkce)
    assert tokens["status"] == "200", tokens
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["upn"] == DEV_USER_UPN
    assert "mfa" in claims["amr"]
    identity = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert identity["nonce"] == "nonce-1"
    assert identity["aud"] == DEV_CLIENT_ID
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    created = http.post("/v1/customers", json=payloads.minimal(), headers=auth)
    assert created.status_code == 201, created.text
    company = http.get(f"/v1/customers/{created.json()['id']}/profiles/company", headers=auth)
    assert company.status_code == 200  # App+User only: the code flow's token can call it


def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_sign_in(
    server: LiveServer, http: Client
) -> None:
    pkce = Pkce()
    first = _redeem(http, _sign_in(http, server, pkce)["code"], pkce)
    url = TOKEN.format(tenant=DEV_TENANT_ID)

    def refresh(token: str) -> dict[str, str]:
        form = {"grant_type": "refresh_token", "client_id": DEV_CLIENT_ID, "refresh_token": token}
        answer = http.post(url, data=form)
        return {"status": str(answer.status_code), **answer.json()}

    second = refresh(first["refresh_token"])
    assert second["status"] == "200"
    assert second["refresh_token"] != first["refresh_token"]
    assert jwt.decode(second["access_token"], options={"verify_signature": False})["upn"]
    replayed = refresh(first["refresh_token"])  # the old one again: a leak
    assert replayed["status"] == "400"
    assert replayed["error"] == "invalid_grant"
    assert "AADSTS70043" in replayed["error_description"]
    # ... and the token that replaced it is withdrawn with it.
    assert refresh(second["refresh_token"])["error"] == "invalid_grant"


def test_a_code_is_redeemed_once_and_only_with_its_verifier(
    server: LiveServer, http: Client
) -> None:
    pkce = Pkce()
    code = _sign_in(http, server, pkce)["code"]
    wrong = _redeem(http, code, Pkce())
    assert wrong["error"] == "invalid_grant"
    assert "AADSTS50148" in wrong["error_description"]
    again = _redeem(http, code, pkce)  # the failed attempt used the code up
    assert "AADSTS54005" in again["error_description"]

    pkce = Pkce()
    code = _sign_in(http, server, pkce)["code"]
    other_redirect = _redeem(http, code, pkce, redirect_uri="http://127.0.0.1:9999/x")
    assert "AADSTS50011" in other_redirect["error_description"]


def test_requests_the_page_cannot_trust_get_an_error_page_not_a_redirect(
    server: LiveServer, http: Client
) -> None:
    pkce = Pkce()
    evil = authorize_url(
        server.base_url,
        DEV_TENANT_ID,
        DEV_CLIENT_ID,
        pkce,
        redirect_uri="https://evil.example/steal",
    )
    page = http.get(evil)
    assert page.status_code == 400
    assert "evil.example/steal" in page.text
    assert "not registered" in page.text
    unknown = http.get(authorize_url(server.base_url, DEV_TENANT_ID, DEV_TENANT_ID, pkce))
    assert unknown.status_code == 400
    assert "is not registered in tenant" in unknown.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "https://graph.microsoft.com/.default"}, "invalid_scope"),
        ({"prompt": "none"}, "login_required"),
    ],
)
def test_bad_authorization_requests_go_back_to_the_app_with_the_error(
    server: LiveServer, http: Client, change: dict[str, str], error: str
) -> None:
    url = authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, Pkce(), **change)
    back = code_from(http.get(url))
    assert back["error"] == error
    assert back["state"] == "state-1"
    assert back["error_description"].startswith("AADSTS")


def test_the_form_needs_its_cookie_and_an_intact_flow(server: LiveServer, http: Client) -> None:
    page = http.get(authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, Pkce()))
    flow = hidden_flow(page.text)
    with Client(base_url=server.base_url) as stranger:  # another site's forged post
        forged = stranger.post(
            page.url, data={"flow": flow, "username": DEV_USER_UPN, "password": "x"}
        )
    assert forged.status_code == 400
    assert "Cookies must be allowed" in forged.text
    tampered = http.post(page.url, data={"flow": flow[:-2] + "AA", "username": DEV_USER_UPN})
    assert tampered.status_code == 400
    assert "expired or was changed" in tampered.text


def test_wrong_passwords_are_answered_on_the_page_then_limited(
    server: LiveServer, http: Client
) -> None:
    upn = "limited@tenantrysandbox.onmicrosoft.com"
    server.call(operator.add_user(server.runtime, DEV_TENANT_ID, upn, ("Admin agent",), "x" * 16))
    page = http.get(authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, Pkce()))
    for _ in range(5):
        answer = submit(http, page, username=upn, password="wrong password")
        assert answer.status_code == 200
        assert "The user name or password is incorrect." in answer.text
        assert 'role="alert"' in answer.text
        assert "wrong password" not in answer.text
    limited = submit(http, page, username=upn, password="x" * 16)  # right, but too late
    assert "Too many attempts" in limited.text
    assert limited.status_code == 200


def test_a_totp_user_is_asked_for_the_code_and_gets_an_mfa_token(
    server: LiveServer, http: Client
) -> None:
    upn = "totp@tenantrysandbox.onmicrosoft.com"
    issued = server.call(
        operator.add_user(server.runtime, DEV_TENANT_ID, upn, ("Admin agent",), "p" * 16, "totp")
    )
    assert issued.totp_uri is not None
    assert issued.totp_uri.startswith("otpauth://totp/")
    secret = pyotp.parse_uri(issued.totp_uri).secret
    pkce = Pkce()
    page = http.get(authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, pkce))
    second = submit(http, page, username=upn, password="p" * 16)
    assert 'name="otp"' in second.text
    wrong = submit(http, second, otp="000000" if pyotp.TOTP(secret).now() != "000000" else "1")
    assert "The verification code is not correct." in wrong.text
    back = code_from(submit(http, second, otp=pyotp.TOTP(secret).now()))
    tokens = _redeem(http, back["code"], pkce)
    assert "mfa" in jwt.decode(tokens["access_token"], options={"verify_signature": False})["amr"]
    # A script cannot skip the second factor through the password grant.
    refused = http.post(
        TOKEN.format(tenant=DEV_TENANT_ID),
        data={
            "grant_type": "password",
            "client_id": DEV_CLIENT_ID,
            "username": upn,
            "password": "p" * 16,
        },
    )
    assert refused.json()["error"] == "interaction_required"


def test_a_user_without_mfa_is_refused_by_app_user_calls(server: LiveServer, http: Client) -> None:
    upn = "nomfa@tenantrysandbox.onmicrosoft.com"
    server.call(
        operator.add_user(server.runtime, DEV_TENANT_ID, upn, ("Admin agent",), "n" * 16, "none")
    )
    pkce = Pkce()
    page = http.get(authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, pkce))
    tokens = _redeem(
        http, code_from(submit(http, page, username=upn, password="n" * 16))["code"], pkce
    )
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["amr"] == ["pwd"]
    refused = http.post(
        "/v1/customers",
        json=payloads.minimal(),
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == 880025


def test_a_registered_https_redirect_uri_and_form_post(server: LiveServer, http: Client) -> None:
    partner = server.call(
        operator.create_partner(server.runtime, "Web", PartnerType.DIRECT_BILL, "US", None)
    )
    uri = "https://portal.example/signin-oidc"
    app = server.call(operator.add_app(server.runtime, partner.tenant_id, "Portal", (uri,)))
    upn = "web@portal.example"
    server.call(
        operator.add_user(server.runtime, partner.tenant_id, upn, ("Admin agent",), "w" * 16)
    )
    pkce = Pkce()
    url = authorize_url(
        server.base_url,
        partner.tenant_id,
        app.identifier,
        pkce,
        redirect_uri=uri,
        response_mode="form_post",
    )
    page = http.get(url)
    assert "form-action 'self' https://portal.example" in page.headers["content-security-policy"]
    posted = submit(http, page, username=upn, password="w" * 16)
    assert posted.status_code == 200
    assert f'action="{uri}"' in posted.text
    assert 'name="code"' in posted.text
    assert "https://portal.example" in posted.headers["content-security-policy"]


def test_the_page_speaks_the_browsers_language(server: LiveServer, http: Client) -> None:
    url = authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, Pkce())
    simplified = http.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert '<html lang="zh-CN">' in simplified.text
    assert "登录" in simplified.text
    traditional = http.get(url, headers={"Accept-Language": "zh-Hant-HK"})
    assert '<html lang="zh-TW">' in traditional.text
    assert "登入" in traditional.text
    chosen = http.get(url + "&ui_locales=en-US", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en-US">' in chosen.text
    assert chosen.headers["x-frame-options"] == "DENY"
    assert chosen.headers["cache-control"] == "no-store"


def test_discovery_publishes_the_keys_that_verify_id_tokens(
    server: LiveServer, http: Client
) -> None:
    config = http.get(f"/{DEV_TENANT_ID}/v2.0/.well-known/openid-configuration").json()
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["authorization_endpoint"].endswith("/oauth2/v2.0/authorize")
    pkce = Pkce()
    tokens = _redeem(http, _sign_in(http, server, pkce)["code"], pkce)
    keys = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(tokens["id_token"])
    claims = jwt.decode(tokens["id_token"], keys.key, algorithms=["RS256"], audience=DEV_CLIENT_ID)
    assert claims["preferred_username"] == DEV_USER_UPN


def test_resetting_a_user_replaces_password_and_authenticator_and_ends_sign_ins(
    server: LiveServer, http: Client
) -> None:
    """`tenantry partners reset-user` for a user who lost their authenticator: the old
    password and the old TOTP secret stop working, the new ones work, and the refresh
    tokens of earlier sign-ins are refused."""
    upn = f"lost{uuid.uuid4().hex[:8]}@tenantrysandbox.onmicrosoft.com"
    old = server.call(
        operator.add_user(server.runtime, DEV_TENANT_ID, upn, ("Admin agent",), "o" * 16, "totp")
    )
    old_secret = pyotp.parse_uri(str(old.totp_uri)).secret

    def sign_in(password: str, secret: str) -> httpx.Response:
        pkce = Pkce()
        page = http.get(authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, pkce))
        second = submit(http, page, username=upn, password=password)
        if 'name="otp"' not in second.text:
            return second
        return submit(http, second, otp=pyotp.TOTP(secret).now())

    pkce = Pkce()
    page = http.get(authorize_url(server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, pkce))
    second = submit(http, page, username=upn, password="o" * 16)
    earlier = _redeem(
        http, code_from(submit(http, second, otp=pyotp.TOTP(old_secret).now()))["code"], pkce
    )
    assert earlier["status"] == "200", earlier

    reset = server.call(operator.reset_user(server.runtime, upn, None))

    assert reset.secret is not None
    assert len(reset.secret) >= 12
    new_secret = pyotp.parse_uri(str(reset.totp_uri)).secret
    assert new_secret != old_secret
    assert 'name="otp"' not in sign_in("o" * 16, old_secret).text  # the old password
    with_old_code = sign_in(reset.secret, old_secret)
    assert "The verification code is not correct." in with_old_code.text
    assert code_from(sign_in(reset.secret, new_secret))["code"]
    refreshed = http.post(
        TOKEN.format(tenant=DEV_TENANT_ID),
        data={
            "grant_type": "refresh_token",
            "client_id": DEV_CLIENT_ID,
            "refresh_token": earlier["refresh_token"],
        },
    )
    assert refreshed.json()["error"] == "invalid_grant"
