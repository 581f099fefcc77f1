"""The sign-in page of the authorization-code flow (App+User), shaped like Entra ID's.

`GET /{tenant}/oauth2/v2.0/authorize` (and the v1 `/oauth2/authorize`) checks the app and
its redirect URI, then shows a sign-in form; the form posts back to the same path. A user
with a TOTP second factor is asked for a code next. On success the browser is sent back
to the app with a one-time code, which the app redeems at the token endpoint with its
PKCE verifier.

Everything the form needs between steps travels in one signed, expiring `flow` value;
the server keeps no session. A cookie set with the form, whose digest the flow carries,
stops another site from submitting the form for the user (login CSRF). The password and
code checks, and the limit on failed attempts, are the `SignInService`'s
(`tenantry.auth.sign_in`), which the portal's sign-in shares; the flow's fields are
`tenantry.auth.sign_in_state.AuthorizeFlow`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import replace
from typing import Any, assert_never
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tenantry.auth.development import DEV_USER_UPN
from tenantry.auth.grants import is_valid_challenge
from tenantry.auth.ports import SignIn
from tenantry.auth.scopes import ScopeError, requested_audience
from tenantry.auth.sign_in import (
    CodeRequired,
    PasswordOnly,
    SignedIn,
    TooManyAttempts,
    UserGone,
    WrongCode,
    WrongPassword,
)
from tenantry.auth.sign_in_state import AuthorizeFlow
from tenantry.domain.errors import ServiceError
from tenantry.domain.models import AppRegistration, PartnerUser
from tenantry.http.body import read_body
from tenantry.http.deps import runtime_of
from tenantry.web.locale import LANGUAGES, Translator, negotiate
from tenantry.web.pages import render

# What the OpenAPI document says of every answer: the page, telling the user what went wrong.
SIGN_IN_PROBLEMS: dict[int | str, dict[str, Any]] = {
    "default": {
        "description": "The sign-in page telling the user what went wrong.",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
}

router = APIRouter(tags=["oauth"], default_response_class=HTMLResponse, responses=SIGN_IN_PROBLEMS)

COOKIE = "tenantry_signin"
_FLOW_SECONDS = 15 * 60
_CODE_STEP_SECONDS = 5 * 60
_FORM_LIMIT = 32 * 1024
_MODES = ("query", "fragment", "form_post")

# Every text a user may read here, for the catalogs (tests check each is translated).
MESSAGES = {
    "unknown_app": "The application '%(client)s' is not registered in tenant '%(tenant)s'.",
    "bad_redirect": "The redirect URI '%(uri)s' is not registered for the application '%(app)s'.",
    "missing": "The sign-in request is missing '%(name)s'.",
    "expired": "This sign-in page has expired or was changed.",
    "cookie": "Cookies must be allowed for this page to sign you in.",
    "credentials": "The user name or password is incorrect.",
    "otp": "The verification code is not correct. Enter the current code.",
    "too_many": "Too many attempts. Wait a minute and try again.",
}


class _Refused(Exception):
    """The request cannot even be sent back to the app: show an error page instead."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


class _BackToApp(Exception):
    """An OAuth error for the app, delivered to its redirect URI."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def _is_loopback(uri: str) -> bool:
    """RFC 8252 §7.3: native apps listen on a loopback port chosen at run time."""
    parts = urlsplit(uri)
    return (
        parts.scheme == "http"
        and parts.hostname in ("127.0.0.1", "localhost", "::1")
        and not parts.username
        and not parts.fragment
    )


def _redirect_allowed(app: AppRegistration, uri: str) -> bool:
    return len(uri) <= 2048 and (uri in app.redirect_uris or _is_loopback(uri))


def _csrf_digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()[:32]


def _unpack(request: Request, value: str) -> AuthorizeFlow:
    flow = AuthorizeFlow.from_token(runtime_of(request).sign_in_flow, value)
    if flow is None or not flow.live(time.time()):
        raise _Refused("expired")
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not hmac.compare_digest(_csrf_digest(cookie), flow.csrf_digest):
        raise _Refused("cookie")
    return flow


def _authorize_query(flow: AuthorizeFlow, locale: str) -> str:
    """The original authorization request, for the language links of later steps."""
    query = {
        "client_id": flow.client_id,
        "response_type": "code",
        "redirect_uri": flow.redirect_uri,
        "response_mode": flow.response_mode,
        "code_challenge": flow.code_challenge,
        "code_challenge_method": "S256",
        "ui_locales": locale,
    }
    query |= {"resource": flow.audience} if flow.v1 else {"scope": flow.scope}
    query |= {k: v for k, v in (("state", flow.state), ("nonce", flow.nonce)) if v}
    return urlencode(query)


def _page(
    request: Request,
    flow: AuthorizeFlow,
    locale: str,
    *,
    step: str,
    error: str | None = None,
    username: str = "",
) -> Response:
    runtime = runtime_of(request)
    cookie = request.cookies.get(COOKIE) or secrets.token_urlsafe(24)
    flow = replace(flow, csrf_digest=_csrf_digest(cookie))
    path = request.url.path
    switch = [(code, name, f"{path}?{_authorize_query(flow, code)}") for code, name in LANGUAGES]
    response = render(
        "signin.html",
        locale,
        form_targets=_origin(flow.redirect_uri),
        flow=flow.to_token(runtime.sign_in_flow),
        step=step,
        error=error,
        username=username,
        app_name=flow.app_name,
        action=f"{path}?ui_locales={locale}",
        switch_links=switch,
        sandbox_user=DEV_USER_UPN if runtime.settings.sandbox and step == "password" else None,
    )
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=_FLOW_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=path,
    )
    return response


def _error_page(locale: str, refused: _Refused) -> Response:
    message = Translator(locale)(MESSAGES[refused.key], **refused.values)
    return render("signin_error.html", locale, status=400, message=message)


def _back_to_app(uri: str, mode: str, state: str, params: dict[str, str], locale: str) -> Response:
    """Deliver the code (or an error) to the app's redirect URI, as the app asked."""
    if state:
        params = params | {"state": state}
    if mode == "form_post":
        return render(
            "form_post.html",
            locale,
            form_targets=_origin(uri),
            redirect_uri=uri,
            fields=sorted(params.items()),
        )
    separator = "#" if mode == "fragment" else ("&" if "?" in uri else "?")
    return RedirectResponse(uri + separator + urlencode(params), status_code=302)


async def _start(request: Request, tenant: str, v1: bool) -> tuple[AuthorizeFlow, str]:
    """Check an authorization request; the flow that carries it through the form, and the
    user name to suggest (`login_hint`)."""
    q = dict(request.query_params)
    client_id, redirect_uri = q.get("client_id", ""), q.get("redirect_uri", "")
    if not client_id:
        raise _Refused("missing", name="client_id")
    app = await runtime_of(request).token_requests.find_app(client_id, tenant)
    if app is None:
        raise _Refused("unknown_app", client=client_id[:64], tenant=tenant[:64])
    if not redirect_uri:
        raise _Refused("missing", name="redirect_uri")
    if not _redirect_allowed(app, redirect_uri):
        raise _Refused("bad_redirect", uri=redirect_uri[:256], app=app.display_name)
    mode = q.get("response_mode") or "query"
    nonce, challenge = q.get("nonce") or None, q.get("code_challenge", "")
    if q.get("response_type") != "code":
        raise _BackToApp("unsupported_response_type", "AADSTS70005: response_type must be 'code'.")
    if mode not in _MODES:
        raise _BackToApp("invalid_request", f"AADSTS900144: unknown response_mode '{mode}'.")
    if q.get("code_challenge_method") != "S256" or not is_valid_challenge(challenge):
        raise _BackToApp(
            "invalid_request",
            "AADSTS9002325: Proof Key for Code Exchange is required: send a code_challenge "
            "with code_challenge_method=S256.",
        )
    if nonce is not None and len(nonce) > 255:
        raise _BackToApp("invalid_request", "AADSTS900144: the nonce is too long.")
    try:
        audience = requested_audience(q, v1)
    except ScopeError as exc:
        raise _BackToApp(exc.error, f"AADSTS{exc.aadsts}: {exc.description}") from exc
    if q.get("prompt") == "none":
        raise _BackToApp("login_required", "AADSTS50058: the user is not signed in.")
    flow = AuthorizeFlow(
        tenant=tenant,
        client_id=app.client_id,
        app_name=app.display_name,
        redirect_uri=redirect_uri,
        response_mode=mode,
        state=q.get("state", "")[:2048],
        nonce=nonce,
        code_challenge=challenge,
        v1=v1,
        scope=q.get("scope", "")[:1024],
        audience=audience,
        expires=int(time.time()) + _FLOW_SECONDS,
    )
    return flow, q.get("login_hint", "")[:128]


def _locale(request: Request) -> str:
    return negotiate(request.query_params.get("ui_locales"), request.headers.get("accept-language"))


async def _authorize_page(request: Request, tenant: str, v1: bool) -> Response:
    locale = _locale(request)
    try:
        flow, hint = await _start(request, tenant, v1)
    except _Refused as refused:
        return _error_page(locale, refused)
    except _BackToApp as back:
        return _error_redirect(request, back, locale)
    return _page(request, flow, locale, step="password", username=hint)


def _error_redirect(request: Request, back: _BackToApp, locale: str) -> Response:
    q = request.query_params
    mode = q.get("response_mode") if q.get("response_mode") in _MODES else "query"
    params = {"error": back.error, "error_description": back.description}
    return _back_to_app(q["redirect_uri"], str(mode), q.get("state", "")[:2048], params, locale)


async def _password_step(
    request: Request, flow: AuthorizeFlow, form: dict[str, str], locale: str
) -> Response:
    _ = Translator(locale)
    username, password = form.get("username", "").strip(), form.get("password", "")
    # Only users of the partner that registered the app may sign in to it.
    result = await runtime_of(request).sign_in.check_password(
        username, password, client_id=flow.client_id
    )
    match result:
        case TooManyAttempts():
            return _page(request, flow, locale, step="password", error=_(MESSAGES["too_many"]))
        case WrongPassword():
            error = _(MESSAGES["credentials"])
            return _page(request, flow, locale, step="password", error=error, username=username)
        case CodeRequired(user=user):
            expires = int(time.time()) + _CODE_STEP_SECONDS
            code_flow = replace(flow, user_id=user.id, expires=expires)
            return _page(request, code_flow, locale, step="code", username=user.user_principal_name)
        case PasswordOnly(user=user):  # tokens without the MFA claim
            return await _signed_in(request, flow, user, False, locale)
        case SignedIn(user=user):
            return await _signed_in(request, flow, user, True, locale)
        case _:
            assert_never(result)


async def _code_step(
    request: Request, flow: AuthorizeFlow, user_id: str, form: dict[str, str], locale: str
) -> Response:
    _ = Translator(locale)
    otp = form.get("otp", "").strip()
    result = await runtime_of(request).sign_in.check_code(user_id, otp)
    match result:
        case UserGone():
            raise _Refused("expired")
        case TooManyAttempts(username=upn):
            error = _(MESSAGES["too_many"])
            return _page(request, flow, locale, step="code", error=error, username=upn)
        case WrongCode(user=user):
            error, upn = _(MESSAGES["otp"]), user.user_principal_name
            return _page(request, flow, locale, step="code", error=error, username=upn)
        case SignedIn(user=user):
            return await _signed_in(request, flow, user, True, locale)
        case _:
            assert_never(result)


async def _signed_in(
    request: Request, flow: AuthorizeFlow, user: PartnerUser, mfa: bool, locale: str
) -> Response:
    sign_in = SignIn(
        client_id=flow.client_id,
        partner_id=user.partner_id,
        user_id=user.id,
        audience=flow.audience,
        scope=flow.scope,
        mfa=mfa,
        nonce=flow.nonce,
    )
    code = await runtime_of(request).grants.issue_code(
        sign_in, flow.redirect_uri, flow.code_challenge
    )
    return _back_to_app(flow.redirect_uri, flow.response_mode, flow.state, {"code": code}, locale)


async def _submit(request: Request, v1: bool) -> Response:
    locale = _locale(request)
    try:
        try:
            raw = await read_body(request, _FORM_LIMIT)
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        except (ServiceError, UnicodeDecodeError, ValueError) as exc:
            raise _Refused("expired") from exc
        flow = _unpack(request, form.get("flow", ""))
        if flow.v1 != v1:
            raise _Refused("expired")
        if flow.user_id is not None:
            return await _code_step(request, flow, flow.user_id, form, locale)
        return await _password_step(request, flow, form, locale)
    except _Refused as refused:
        return _error_page(locale, refused)


@router.get("/{tenant}/oauth2/v2.0/authorize", summary="Sign in a partner user (v2 endpoint)")
async def authorize_v2(tenant: str, request: Request) -> Response:
    return await _authorize_page(request, tenant, v1=False)


@router.post("/{tenant}/oauth2/v2.0/authorize", include_in_schema=False)
async def submit_v2(tenant: str, request: Request) -> Response:
    return await _submit(request, v1=False)


@router.get("/{tenant}/oauth2/authorize", summary="Sign in a partner user (v1 endpoint)")
async def authorize_v1(tenant: str, request: Request) -> Response:
    return await _authorize_page(request, tenant, v1=True)


@router.post("/{tenant}/oauth2/authorize", include_in_schema=False)
async def submit_v1(tenant: str, request: Request) -> Response:
    return await _submit(request, v1=True)
