"""The portal's sign-in (password, then a TOTP code where the user has one) and sign-out.

Users whose second factor is "none" are refused: the API refuses their tokens too. A
cookie set with the form, whose value the form echoes, stops another site from signing a
browser in (login CSRF).
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import assert_never

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.auth.development import DEV_USER_UPN
from tenantry.auth.sign_in import (
    CodeRequired,
    PasswordOnly,
    SignedIn,
    TooManyAttempts,
    UserGone,
    WrongCode,
    WrongPassword,
)
from tenantry.auth.sign_in_state import PendingCode
from tenantry.domain.models import PartnerUser
from tenantry.http.deps import runtime_of
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
from tenantry.web.portal.forms import read_form
from tenantry.web.portal.messages import MESSAGES
from tenantry.web.portal.next_page import safe_next

router = APIRouter()

LOGIN_COOKIE = "tenantry_portal_login"
_CODE_SECONDS = 5 * 60


def _form_page(
    request: Request,
    *,
    step: str = "password",
    error: str | None = None,
    username: str = "",
    pending: str = "",
    status: int = 200,
) -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    runtime = runtime_of(request)
    response = s.page(
        request,
        "portal_signin.html",
        None,
        status=status,
        step=step,
        error=error,
        username=username,
        pending=pending,
        login_csrf=token,
        sandbox_user=DEV_USER_UPN if runtime.settings.sandbox and step == "password" else None,
    )
    s.set_cookie(request, response, LOGIN_COOKIE, token, 15 * 60, path=f"{s.PATH}/signin")
    return response


def _message(request: Request, key: str) -> str:
    return Translator(s.locale_of(request))(MESSAGES[key])


async def _signed_in(request: Request, user: PartnerUser) -> Response:
    # Back to the deep link that asked for sign-in (a checked, relative portal path).
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    await s.new_session_cookie(request, response, user)
    response.delete_cookie(LOGIN_COOKIE, path=f"{s.PATH}/signin")
    return response


@router.get("/portal", include_in_schema=False)
async def home() -> Response:
    return RedirectResponse(f"{s.PATH}/customers", status_code=303)


@router.get("/portal/signin", include_in_schema=False)
async def sign_in_page(request: Request) -> Response:
    return _form_page(request)


@router.post("/portal/signin", include_in_schema=False)
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, form.first("csrf")):
        return _form_page(request, error=_message(request, "csrf"), status=400)
    if form.first("pending"):
        return await _code_step(request, cookie, form.first("pending"), form.first("otp").strip())
    runtime = runtime_of(request)
    username, password = form.first("username").strip(), form.first("password")
    result = await runtime.sign_in.check_password(username, password)
    match result:
        case TooManyAttempts():
            return _form_page(request, error=_message(request, "too_many"), username=username)
        case WrongPassword():
            error = _message(request, "credentials")
            return _form_page(request, error=error, username=username, status=400)
        case CodeRequired(user=user):
            pending = PendingCode(user.id, int(time.time()) + _CODE_SECONDS, cookie)
            token = pending.to_token(runtime.portal_session)
            return _form_page(
                request, step="code", username=user.user_principal_name, pending=token
            )
        case PasswordOnly():  # the portal, like the API's App+User calls, needs MFA
            return _form_page(request, error=_message(request, "no_mfa"), status=403)
        case SignedIn(user=user):
            return await _signed_in(request, user)
        case _:
            assert_never(result)


async def _code_step(request: Request, cookie: str, token: str, otp: str) -> Response:
    runtime = runtime_of(request)
    pending = PendingCode.from_token(runtime.portal_session, token)
    if (
        pending is None
        or not pending.live(time.time())
        or not hmac.compare_digest(pending.login_cookie, cookie)
    ):
        return _form_page(request, error=_message(request, "expired"), status=400)
    result = await runtime.sign_in.check_code(pending.user_id, otp)
    match result:
        case UserGone():
            return _form_page(request, error=_message(request, "expired"), status=400)
        case TooManyAttempts(username=upn):
            error = _message(request, "too_many")
            return _form_page(request, step="code", error=error, username=upn, pending=token)
        case WrongCode(user=user):
            error = _message(request, "otp")
            upn = user.user_principal_name
            return _form_page(
                request, step="code", error=error, username=upn, pending=token, status=400
            )
        case SignedIn(user=user):
            return await _signed_in(request, user)
        case _:
            assert_never(result)


@router.post("/portal/signout", include_in_schema=False)
async def sign_out(request: Request) -> Response:
    post = await s.posted(request)
    if isinstance(post, Response):
        return post
    session, _form = post
    response = s.sign_in_redirect()
    await s.end_session(request, session, response)
    return response
