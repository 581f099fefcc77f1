"""The token endpoint, shaped like Microsoft Entra ID's so existing clients can use it.

`POST /{tenant}/oauth2/v2.0/token` (scope) and the v1 `POST /{tenant}/oauth2/token`
(resource), client-credentials grant, with the secret in the form or in HTTP Basic.
Errors use Entra's OAuth format (`error`, `error_description`, `error_codes`), not the
Partner Center envelope, because that is what token clients parse.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
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

router = APIRouter(tags=["oauth"])

_FORM_LIMIT = 16 * 1024
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
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


def _audience(form: dict[str, str], v1: bool) -> str:
    if v1:
        resource = form.get("resource") or PARTNER_CENTER_AUDIENCE
        if resource.rstrip("/") not in AUDIENCES:
            raise OAuthError(400, "invalid_resource", 500011, f"Unknown resource '{resource}'.")
        return resource.rstrip("/")
    scope = form.get("scope") or f"{PARTNER_CENTER_AUDIENCE}/.default"
    for audience in AUDIENCES:
        if scope.strip() in (f"{audience}/.default", f"{audience}//.default"):
            return audience
    raise OAuthError(
        400, "invalid_scope", 70011, f"The scope '{scope}' is not valid: use '<resource>/.default'."
    )


async def _token(request: Request, tenant: str, *, v1: bool) -> Response:
    try:
        form = _form(await read_body(request, _FORM_LIMIT))
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError(400, "invalid_request", 900144, "'grant_type' is required.")
        if grant != "client_credentials":
            raise OAuthError(
                400,
                "unsupported_grant_type",
                70003,
                f"The grant type '{grant}' is not supported here; use client_credentials.",
            )
        basic = _basic_credentials(request)
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not client_id:
            raise OAuthError(400, "invalid_request", 900144, "'client_id' is required.")
        if not secret:
            raise OAuthError(401, "invalid_client", 7000216, "'client_secret' is required.")
        audience = _audience(form, v1)
        runtime = runtime_of(request)
        app = None
        if _GUID.fullmatch(client_id) and _GUID.fullmatch(tenant):
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
        if not matches:
            raise OAuthError(401, "invalid_client", 7000215, "Invalid client secret provided.")
    except OAuthError as exc:
        return _oauth_error(request, exc)
    token, expires = runtime.tokens.issue_app_token(app.partner_id, app.client_id, audience, v1=v1)
    lifetime = runtime.settings.token_lifetime_seconds
    body: dict[str, object] = {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
    }
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
