"""The token endpoint, shaped like Microsoft Entra ID's so existing clients can use it.

`POST /{tenant}/oauth2/v2.0/token` (scope) and the v1 `POST /{tenant}/oauth2/token`
(resource). Client credentials (App-only), with the secret in the form or in HTTP Basic;
for a partner user (App+User) the authorization code of the sign-in page (PKCE) and
refresh tokens, and in sandbox mode also the password grant, for scripts.
Errors use Entra's OAuth format (`error`, `error_description`, `error_codes`), not the
Partner Center envelope, because that is what token clients parse.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import assert_never
from urllib.parse import parse_qs, unquote

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import OAUTH_ERRORS, TOKEN_FORM, form_body
from tenantry.auth.grants import GrantRejected
from tenantry.auth.ports import SignIn
from tenantry.auth.scopes import ScopeError, oidc_scopes, requested_audience
from tenantry.auth.sign_in import (
    CodeRequired,
    PasswordOnly,
    SignedIn,
    TooManyAttempts,
    WrongPassword,
)
from tenantry.auth.token_requests import (
    InvalidClientSecret,
    TokenRequestRejected,
    UnknownClient,
)
from tenantry.domain.errors import ServiceError
from tenantry.domain.models import AppRegistration, PartnerUser
from tenantry.http.body import read_body
from tenantry.http.deps import context_of, runtime_of

router = APIRouter(tags=["oauth"], responses=OAUTH_ERRORS)

_FORM_LIMIT = 16 * 1024


class OAuthError(Exception):
    def __init__(self, status: int, error: str, aadsts: int, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.aadsts, self.description = status, error, aadsts, description


def _oauth_error(request: Request, exc: OAuthError) -> Response:
    ctx = context_of(request)
    body = {
        "error": exc.error,
        "error_description": f"AADSTS{exc.aadsts}: {exc.description}",
        "error_codes": [exc.aadsts],
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": ctx.correlation_id,
    }
    headers = {"Cache-Control": "no-store"}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="tenantry"'
    return Response(
        orjson.dumps(body),
        exc.status,
        headers=headers,
        media_type="application/json; charset=utf-8",
    )


def _form(raw: bytes) -> dict[str, str]:
    try:
        text = raw.decode("utf-8")
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError(400, "invalid_request", 900144, "The body must be form-encoded.") from exc
    return {k: v[0] for k, v in parsed.items()}


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError(401, "invalid_client", 7000215, "Malformed Basic credentials.") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError(401, "invalid_client", 7000215, "Malformed Basic credentials.")
    return unquote(client_id), unquote(secret)


def _audience(form: dict[str, str], v1: bool) -> str:
    try:
        return requested_audience(form, v1)
    except ScopeError as exc:
        raise OAuthError(400, exc.error, exc.aadsts, exc.description) from exc


async def find_app(request: Request, client_id: str, tenant: str) -> AppRegistration | None:
    """The app with this client id, if it belongs to `tenant` (a GUID or a multi-tenant
    authority name)."""
    return await runtime_of(request).token_requests.find_app(client_id, tenant)


def _rejected(exc: TokenRequestRejected) -> OAuthError:
    if isinstance(exc, UnknownClient):
        return OAuthError(400, "unauthorized_client", exc.aadsts, exc.description)
    if isinstance(exc, InvalidClientSecret):
        return OAuthError(401, "invalid_client", exc.aadsts, exc.description)
    return OAuthError(400, "invalid_grant", exc.aadsts, exc.description)


async def _client(
    request: Request, form: dict[str, str], tenant: str, *, secret_required: bool
) -> AppRegistration:
    """The calling app, checked against its tenant and (when given or required) its secret."""
    basic = _basic_credentials(request)
    client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
    if not client_id:
        raise OAuthError(400, "invalid_request", 900144, "'client_id' is required.")
    if secret_required and not secret:
        raise OAuthError(401, "invalid_client", 7000216, "'client_secret' is required.")
    try:
        return await runtime_of(request).token_requests.authenticate_client(
            client_id, secret, tenant
        )
    except TokenRequestRejected as exc:
        raise _rejected(exc) from exc


def _invalid_grant(exc: GrantRejected) -> OAuthError:
    return OAuthError(400, "invalid_grant", exc.aadsts, exc.description)


async def _password_user(
    request: Request, form: dict[str, str], app: AppRegistration
) -> tuple[PartnerUser, bool]:
    """The partner user of a password grant (sandbox only, for scripts), and whether the
    sign-in counts as multi-factor."""
    runtime = runtime_of(request)
    if not runtime.settings.sandbox:
        raise OAuthError(
            400,
            "unsupported_grant_type",
            70003,
            "The password grant is available in sandbox mode only; use the authorization "
            "code flow or client credentials.",
        )
    username, password = form.get("username", ""), form.get("password", "")
    if not username or not password:
        raise OAuthError(400, "invalid_request", 900144, "'username' and 'password' are required.")
    # The sign-in pages' service: the same attempts limit, counted before the password.
    result = await runtime.sign_in.check_password(username, password, client_id=app.client_id)
    match result:
        case TooManyAttempts():
            raise OAuthError(
                400,
                "invalid_grant",
                50053,
                "The account is locked: too many sign-in attempts with a wrong user name or "
                "password. Try again in a minute.",
            )
        case WrongPassword():
            raise OAuthError(
                400,
                "invalid_grant",
                50126,
                "Error validating credentials: invalid username or password.",
            )
        case CodeRequired():
            raise OAuthError(
                400,
                "interaction_required",
                50076,
                "The user must complete multi-factor authentication: sign in through the "
                "authorization code flow.",
            )
        case PasswordOnly(user=user):
            return user, False
        case SignedIn(user=user):
            return user, True
        case _:
            assert_never(result)


async def _signed_in_user(request: Request, sign_in: SignIn) -> PartnerUser:
    """The user behind a code or refresh token, as the registry knows them now."""
    try:
        return await runtime_of(request).token_requests.signed_in_user(sign_in)
    except TokenRequestRejected as exc:
        raise _rejected(exc) from exc


@dataclass(frozen=True)
class _Grant:
    """What one successful token request hands out, before it is written as a response."""

    audience: str
    access_token: str
    expires: int
    user: bool = False
    refresh_token: str | None = None
    id_token: str | None = None
    scope: str = ""


async def _user_grant(
    request: Request,
    app: AppRegistration,
    user: PartnerUser,
    sign_in: SignIn,
    family_id: str | None,
    *,
    v1: bool,
) -> _Grant:
    """Access token, and as asked for a refresh token and an ID token, for a signed-in user."""
    runtime = runtime_of(request)
    access, expires = runtime.tokens.issue_user_token(
        app.partner_id, app.client_id, user, sign_in.audience, mfa=sign_in.mfa
    )
    oidc = oidc_scopes(sign_in.scope)
    refresh = None
    if v1 or "offline_access" in oidc:
        refresh = await runtime.grants.issue_refresh(sign_in, family_id or str(uuid.uuid4()))
    id_token = None
    if "openid" in oidc:
        id_token = runtime.tokens.issue_id_token(
            app.partner_id, app.client_id, user, sign_in.nonce, mfa=sign_in.mfa
        )
    granted = " ".join([f"{sign_in.audience}/user_impersonation", *sorted(oidc)])
    return _Grant(sign_in.audience, access, expires, True, refresh, id_token, granted)


async def _grant(request: Request, form: dict[str, str], tenant: str, v1: bool) -> _Grant:
    runtime = runtime_of(request)
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError(400, "invalid_request", 900144, "'grant_type' is required.")
    if grant not in _GRANTS:
        raise OAuthError(
            400,
            "unsupported_grant_type",
            70003,
            f"The grant type '{grant}' is not supported here.",
        )
    app = await _client(request, form, tenant, secret_required=grant == "client_credentials")
    if grant == "client_credentials":
        audience = _audience(form, v1)
        token, expires = runtime.tokens.issue_app_token(
            app.partner_id, app.client_id, audience, v1=v1
        )
        return _Grant(audience, token, expires)
    if grant == "password":
        audience = _audience(form, v1)
        user, mfa = await _password_user(request, form, app)
        scope = form.get("scope", "")
        sign_in = SignIn(app.client_id, app.partner_id, user.id, audience, scope, mfa)
        return await _user_grant(request, app, user, sign_in, None, v1=v1)
    try:
        if grant == "authorization_code":
            for name in ("code", "redirect_uri", "code_verifier"):
                if not form.get(name):
                    raise OAuthError(400, "invalid_request", 900144, f"'{name}' is required.")
            sign_in, family_id = await runtime.grants.redeem_code(
                form["code"], app.client_id, form["redirect_uri"], form["code_verifier"]
            )
        else:
            if not form.get("refresh_token"):
                raise OAuthError(400, "invalid_request", 900144, "'refresh_token' is required.")
            sign_in, successor = await runtime.grants.rotate(form["refresh_token"], app.client_id)
            if form.get("scope") or form.get("resource"):  # a token for another of our APIs
                sign_in = replace(sign_in, audience=_audience(form, v1))
    except GrantRejected as exc:
        raise _invalid_grant(exc) from exc
    user = await _signed_in_user(request, sign_in)
    if grant == "authorization_code":
        return await _user_grant(request, app, user, sign_in, family_id, v1=v1)
    issued = await _user_grant(request, app, user, sign_in, None, v1=v1)
    # Rotation: the successor replaces the presented token; no second family is started.
    return replace(issued, refresh_token=successor if issued.refresh_token else None)


_GRANTS = ("client_credentials", "password", "authorization_code", "refresh_token")


async def _token(request: Request, tenant: str, *, v1: bool) -> Response:
    runtime = runtime_of(request)
    try:
        try:
            raw = await read_body(request, _FORM_LIMIT)
        except ServiceError as exc:
            raise OAuthError(
                400, "invalid_request", 900144, f"The body is larger than {_FORM_LIMIT} bytes."
            ) from exc
        granted = await _grant(request, _form(raw), tenant, v1)
    except OAuthError as exc:
        return _oauth_error(request, exc)
    lifetime = runtime.settings.token_lifetime_seconds
    body: dict[str, object] = {"token_type": "Bearer"}
    if granted.user:
        body["scope"] = granted.scope
    body |= {"expires_in": lifetime, "ext_expires_in": lifetime}
    if v1:
        body |= {
            "expires_on": str(granted.expires),
            "not_before": str(granted.expires - lifetime),
            "resource": granted.audience,
        }
    body["access_token"] = granted.access_token
    if granted.refresh_token is not None:
        body["refresh_token"] = granted.refresh_token
    if granted.id_token is not None:
        body["id_token"] = granted.id_token
    return Response(
        orjson.dumps(body),
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        media_type="application/json; charset=utf-8",
    )


@router.post(
    "/{tenant}/oauth2/v2.0/token",
    summary="Get an access token (v2 endpoint)",
    openapi_extra=form_body(TOKEN_FORM),
)
async def token_v2(tenant: str, request: Request) -> Response:
    return await _token(request, tenant, v1=False)


@router.post(
    "/{tenant}/oauth2/token",
    summary="Get an access token (v1 endpoint)",
    openapi_extra=form_body(TOKEN_FORM),
)
async def token_v1(tenant: str, request: Request) -> Response:
    return await _token(request, tenant, v1=True)
