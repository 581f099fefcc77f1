"""The portal's session: a signed cookie naming a session the server keeps, and its CSRF
token.

The cookie holds the user id, the partner id, a CSRF token, an expiry and the session's
random id (`SessionTicket`), signed with a key derived from the master key; it is HttpOnly
and SameSite=Strict (Secure over https). Every request asks the server's session service
(`auth/portal_sessions.py`) whether that session is still live and reloads its user, so
sign-out, a password reset, a role change or a removal ends it at once. Every form carries
the token, and a POST without it is refused.
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
from tenantry.domain.roles import MAY_CHANGE_CUSTOMERS
from tenantry.http.deps import runtime_of
from tenantry.web.locale import LANGUAGES, Translator, negotiate
from tenantry.web.pages import render
from tenantry.web.portal.forms import Form, read_form
from tenantry.web.portal.messages import MESSAGES
from tenantry.web.portal.next_page import sign_in_path
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
    session_id: str

    @property
    def may_change_customers(self) -> bool:
        """Whether the user's roles allow adding customers and changing them (the roles the
        API requires): pages hide what the user may not do."""
        return bool(MAY_CHANGE_CUSTOMERS.intersection(r.casefold() for r in self.user.roles))


class SignInRequired(Exception):
    """No valid session: the handler answers with a redirect to the sign-in page."""


class CsrfRefused(Exception):
    """A form came without this session's CSRF token."""


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int, path: str = PATH
) -> None:
    """Every portal cookie: HttpOnly, SameSite=Strict, Secure over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path=path,
    )


async def new_session_cookie(request: Request, response: Response, user: PartnerUser) -> None:
    runtime = runtime_of(request)
    ticket = SessionTicket(
        user_id=user.id,
        partner_id=user.partner_id,
        csrf=secrets.token_urlsafe(24),
        expires=int(time.time()) + SESSION_SECONDS,
        session_id=await runtime.portal_sessions.start(user),
    )
    set_cookie(request, response, COOKIE, ticket.to_token(runtime.portal_session), SESSION_SECONDS)


async def end_session(request: Request, session: Session, response: Response) -> None:
    """Sign-out: the server forgets the session, so a copy of the cookie is worthless."""
    await runtime_of(request).portal_sessions.end(session.session_id)
    response.delete_cookie(COOKIE, path=PATH)


async def current(request: Request) -> Session:
    """The session of this request, or `SignInRequired`."""
    runtime = runtime_of(request)
    ticket = SessionTicket.from_token(runtime.portal_session, request.cookies.get(COOKIE, ""))
    if ticket is None or not ticket.live(time.time()):
        raise SignInRequired
    user = await runtime.portal_sessions.resume(ticket.session_id, ticket.partner_id)
    if user is None or user.id != ticket.user_id:
        raise SignInRequired
    partner = await runtime.partner(user.partner_id)
    if partner is None:
        raise SignInRequired
    return Session(user, partner, ticket.csrf, ticket.session_id)


async def signed_in(request: Request) -> Session | Response:
    """The session of a page's request; otherwise the way to the sign-in page, which
    returns to this page."""
    try:
        return await current(request)
    except SignInRequired:
        return sign_in_redirect(request)


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


def sign_in_redirect(request: Request | None = None) -> Response:
    """To the sign-in page; given the request of a GET, sign-in returns to that page."""
    return RedirectResponse(sign_in_path(request), status_code=303)


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
    """A portal page in the request's language, with the language links, the session's
    CSRF token and the wizard it shows, if any (`wizard_state.py`); a language chosen by
    link is remembered."""
    locale = locale_of(request)
    response = render(
        template,
        locale,
        status=status,
        switch_links=switch_links(request),
        session=session,
        csrf=session.csrf if session else "",
        wizard=getattr(request.state, "wizard", None),
        **context,
    )
    if request.query_params.get("lang"):
        set_cookie(request, response, LANG_COOKIE, locale, _LANG_SECONDS)
    return response


def message_page(
    request: Request,
    session: Session | None,
    message: str,
    *,
    status: int,
    link: tuple[str, str] | None = None,
) -> Response:
    """A page that only says something (in the page's language), such as a refusal; `link`
    (a relative address and its text, untranslated) is where to go on from there."""
    _ = Translator(locale_of(request))
    onward = (link[0], _(link[1])) if link else None
    return page(
        request, "portal_message.html", session, status=status, message=_(message), link=onward
    )
