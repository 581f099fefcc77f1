"""The token endpoint, shaped like Microsoft Entra ID's so existing clients can use it.

`POST /{tenant}/oauth2/v2.0/token` (scope) and the v1 `POST /{tenant}/oauth2/token`
(resource). Client credentials (App-only), with the secret in the form or in HTTP Basic;
in sandbox mode also the password grant for a partner user (App+User), for scripts.
Errors use Entra's OAuth format (`error`, `error_description`, `error_codes`), not the
Partner Center envelope, because that is what token clients parse.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.body import read_body
from tenantry.api.deps import context_of, runtime_of
from tenantry.auth.tokens import AUDIENCES, PARTNER_CENTER_AUDIENCE
from tenantry.domain.errors import ServiceError
from tenantry.domain.listing import is_guid
from tenantry.domain.models import AppRegistration, PartnerUser
from tenantry.security.passwords import verify_password

router = APIRouter(tags=["oauth"])

_FORM_LIMIT = 16 * 1024
# Any fixed value: hashing it when the app is unknown keeps the timing the same.
_DUMMY_HASH = "sha256$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


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


_OIDC_SCOPES = {"openid", "profile", "email", "offline_access"}


def _audience(form: dict[str, str], v1: bool) -> str:
    """The API a token is for: v1 names a `resource`; v2 a scope `<resource>/.default`
    (or `/user_impersonation` for a user), possibly beside OpenID Connect scopes."""
    if v1:
        resource = (form.get("resource") or PARTNER_CENTER_AUDIENCE).rstrip("/")
        if resource not in AUDIENCES:
            raise OAuthError(400, "invalid_resource", 500011, f"Unknown resource '{resource}'.")
        return resource
    requested = form.get("scope") or f"{PARTNER_CENTER_AUDIENCE}/.default"
    for scope in requested.split():
        if scope in _OIDC_SCOPES:
            continue
        resource, _, permission = scope.rstrip("/").rpartition("/")
        if resource.rstrip("/") in AUDIENCES and permission in (".default", "user_impersonation"):
            return resource.rstrip("/")
        break
    raise OAuthError(
        400,
        "invalid_scope",
        70011,
        f"The scope '{requested}' is not valid: use '<resource>/.default'.",
    )


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
    runtime = runtime_of(request)
    app = None
    if is_guid(client_id) and is_guid(tenant):
        async with runtime.uow() as work:
            app = await work.partners.get_app(client_id.lower())
    matches = runtime.hasher.verify(app.secret_hash if app else _DUMMY_HASH, secret)
    if app is None or not hmac.compare_digest(app.partner_id, tenant.lower()):
        raise OAuthError(
            400,
            "unauthorized_client",
            700016,
            f"Application '{client_id}' was not found in tenant '{tenant}'.",
        )
    if secret and not matches:
        raise OAuthError(401, "invalid_client", 7000215, "Invalid client secret provided.")
    return app


async def _user(request: Request, form: dict[str, str], app: AppRegistration) -> PartnerUser:
    """The partner user of a password grant (sandbox only, for scripts)."""
    runtime = runtime_of(request)
    if not runtime.settings.sandbox:
        raise OAuthError(
            400,
            "unsupported_grant_type",
            70003,
            "The password grant is available in sandbox mode only; use client credentials.",
        )
    username, password = form.get("username", ""), form.get("password", "")
    if not username or not password:
        raise OAuthError(400, "invalid_request", 900144, "'username' and 'password' are required.")
    user = None
    if len(username) <= 128 and username.isprintable():
        async with runtime.uow() as work:
            user = await work.partners.get_user(username)
    genuine = verify_password(user.password_hash if user else None, password)
    if user is None or user.partner_id != app.partner_id or not genuine:
        raise OAuthError(
            400,
            "invalid_grant",
            50126,
            "Error validating credentials: invalid username or password.",
        )
    return user


async def _token(request: Request, tenant: str, *, v1: bool) -> Response:
    runtime = runtime_of(request)
    try:
        try:
            raw = await read_body(request, _FORM_LIMIT)
        except ServiceError as exc:
            raise OAuthError(
                400, "invalid_request", 900144, f"The body is larger than {_FORM_LIMIT} bytes."
            ) from exc
        form = _form(raw)
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError(400, "invalid_request", 900144, "'grant_type' is required.")
        if grant not in ("client_credentials", "password"):
            raise OAuthError(
                400,
                "unsupported_grant_type",
                70003,
                f"The grant type '{grant}' is not supported here.",
            )
        audience = _audience(form, v1)
        app = await _client(request, form, tenant, secret_required=grant == "client_credentials")
        if grant == "password":
            user = await _user(request, form, app)
            token, expires = runtime.tokens.issue_user_token(
                app.partner_id, app.client_id, user, audience
            )
        else:
            token, expires = runtime.tokens.issue_app_token(
                app.partner_id, app.client_id, audience, v1=v1
            )
    except OAuthError as exc:
        return _oauth_error(request, exc)
    lifetime = runtime.settings.token_lifetime_seconds
    body: dict[str, object] = {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
    }
    if grant == "password":
        body["scope"] = f"{audience}/user_impersonation"
    if v1:
        body |= {
            "expires_on": str(expires),
            "not_before": str(expires - lifetime),
            "resource": audience,
        }
    body["access_token"] = token
    return Response(
        orjson.dumps(body),
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        media_type="application/json; charset=utf-8",
    )


@router.post("/{tenant}/oauth2/v2.0/token", summary="Get an access token (v2 endpoint)")
async def token_v2(tenant: str, request: Request) -> Response:
    return await _token(request, tenant, v1=False)


@router.post("/{tenant}/oauth2/token", summary="Get an access token (v1 endpoint)")
async def token_v1(tenant: str, request: Request) -> Response:
    return await _token(request, tenant, v1=True)
