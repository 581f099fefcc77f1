"""The portal's session: a signed cookie naming the partner user, and its CSRF token.

The cookie holds the user id, the partner id, a CSRF token and an expiry (`SessionTicket`),
signed with a key derived from the master key; it is HttpOnly and SameSite=Strict (Secure
over https). Every request reloads the user through the sign-in service, so a removed user
is signed out at once. Every form carries the token, and a POST without it is refused.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.domain.models import Partner, PartnerUser
from tenantry.http.deps import runtime_of
from tenantry.web.locale import LANGUAGES, Translator, negotiate
from tenantry.web.pages import render
from tenantry.web.portal.forms import Form, read_form
from tenantry.web.portal.messages import MESSAGES
from tenantry.web.portal.session_ticket import SessionTicket

COOKIE = "tenantry_portal"
LANG_COOKIE = "tenantry_lang"
PATH = "/portal"
SESSION_SECONDS = 8 * 60 * 60
_LANG_SECONDS = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class Session:
    """The signed-in partner user, acting as App+User with the user's roles."""

    user: PartnerUser
    partner: Partner
    csrf: str


class SignInRequired(Exception):
    """No valid session: the handler answers with a redirect to the sign-in page."""


class CsrfRefused(Exception):
    """A form came without this session's CSRF token."""


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def new_session_cookie(request: Request, response: Response, user: PartnerUser) -> None:
    ticket = SessionTicket(
        user_id=user.id,
        partner_id=user.partner_id,
        csrf=secrets.token_urlsafe(24),
        expires=int(time.time()) + SESSION_SECONDS,
    )
    value = ticket.to_token(runtime_of(request).portal_session)
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path=PATH,
    )


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH)


async def current(request: Request) -> Session:
    """The session of this request, or `SignInRequired`."""
    runtime = runtime_of(request)
    ticket = SessionTicket.from_token(runtime.portal_session, request.cookies.get(COOKIE, ""))
    if ticket is None or not ticket.live(time.time()):
        raise SignInRequired
    user = await runtime.sign_in.signed_in_user(ticket.user_id, ticket.partner_id)
    if user is None:
        raise SignInRequired
    partner = await runtime.partner(user.partner_id)
    if partner is None:
        raise SignInRequired
    return Session(user, partner, ticket.csrf)


def check_csrf(session: Session, given: str) -> None:
    if not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise CsrfRefused


async def checked_form(request: Request, session: Session) -> Form | Response:
    """The posted form once its CSRF token matches the session's; otherwise the 403 page to
    answer with."""
    form = await read_form(request)
    try:
        check_csrf(session, form.first("csrf"))
    except CsrfRefused:
        return message_page(request, session, MESSAGES["csrf"], status=403)
    return form


async def posted(request: Request) -> tuple[Session, Form] | Response:
    """A signed-in user's form post with its CSRF token checked; otherwise the answer to give
    instead (to the sign-in page, or the 403 page)."""
    try:
        session = await current(request)
    except SignInRequired:
        return sign_in_redirect()
    form = await checked_form(request, session)
    return form if isinstance(form, Response) else (session, form)


def sign_in_redirect() -> Response:
    return RedirectResponse(f"{PATH}/signin", status_code=303)


def locale_of(request: Request) -> str:
    """`?lang=` (remembered in a cookie), else the remembered one, else Accept-Language."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return negotiate(chosen, request.headers.get("accept-language"))


def switch_links(request: Request) -> list[tuple[str, str, str]]:
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    path = request.url.path
    return [(code, name, f"{path}?{urlencode(query | {'lang': code})}") for code, name in LANGUAGES]


def page(
    request: Request,
    template: str,
    session: Session | None,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    """A portal page in the request's language, with the language links and the session's
    CSRF token; a language chosen by link is remembered."""
    locale = locale_of(request)
    response = render(
        template,
        locale,
        status=status,
        switch_links=switch_links(request),
        session=session,
        csrf=session.csrf if session else "",
        **context,
    )
    if request.query_params.get("lang"):
        response.set_cookie(
            LANG_COOKIE,
            locale,
            max_age=_LANG_SECONDS,
            httponly=True,
            samesite="strict",
            secure=secure(request),
            path=PATH,
        )
    return response


def message_page(
    request: Request, session: Session | None, message: str, *, status: int
) -> Response:
    """A page that only says something (in the page's language), such as a refusal."""
    text = Translator(locale_of(request))(message)
    return page(request, "portal_message.html", session, status=status, message=text)
