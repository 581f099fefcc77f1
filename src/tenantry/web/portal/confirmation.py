"""The wizard's confirmation page, reached by a redirect from Submit (post, redirect, get).

Submit keeps what the page shows (the new customer, its admin's sign-in name and the
once-only password) in a cookie sealed for the user and the wizard, sent only to this page,
for `REVEAL_SECONDS`: the page can be shown again in another language, or after Back and
Forward, without posting anything again. After that, or once the user leaves by Done, the
password is gone for good.
"""

from __future__ import annotations

import time

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.http.deps import runtime_of
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
from tenantry.web.portal.draft import opened_value, sealed_value
from tenantry.web.portal.messages import MESSAGES
from tenantry.web.portal.submission import REVEAL_SECONDS, Created
from tenantry.web.portal.wizard_state import BASE, named_wizard, step_url

router = APIRouter()

PATH = f"{BASE}/done"
COOKIE_PREFIX = "tenantry_done_"


def _bound_to(user_id: str, draft_id: str) -> bytes:
    return f"{user_id}/{draft_id}/done".encode()


def redirect_to_page(
    request: Request, session: s.Session, draft_id: str, created: Created
) -> Response:
    """Submit's answer: to the confirmation page, with what it shows kept for it."""
    response = RedirectResponse(step_url(draft_id, "done"), status_code=303)
    kept = {
        "c": created.customer_id,
        "u": created.admin_user,
        "p": created.password,
        "t": int(time.time()),
    }
    sealer = runtime_of(request).portal_sealer
    value = sealed_value(sealer, kept, _bound_to(session.user.id, draft_id))
    s.set_cookie(request, response, COOKIE_PREFIX + draft_id, value, REVEAL_SECONDS, path=PATH)
    return response


def _kept(request: Request, session: s.Session, draft_id: str) -> tuple[Created, int] | None:
    value = request.cookies.get(COOKIE_PREFIX + draft_id, "")
    sealer = runtime_of(request).portal_sealer
    kept = opened_value(sealer, value, _bound_to(session.user.id, draft_id))
    if kept is None:
        return None
    try:
        created = Created(str(kept["c"]), str(kept["u"]), kept["p"])
        at = int(kept["t"])
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(created.password, str | None) or time.time() - at > REVEAL_SECONDS:
        return None
    return created, at


@router.get(PATH, include_in_schema=False)
async def confirmation(request: Request) -> Response:
    session = await s.signed_in(request)
    if isinstance(session, Response):
        return session
    draft_id = named_wizard(request)
    kept = _kept(request, session, draft_id) if draft_id else None
    if kept is None:
        return s.message_page(request, session, MESSAGES["wizard_gone"], status=410)
    created, at = kept
    return s.page(
        request,
        "portal_done.html",
        session,
        created=created,
        # Until then the page can be shown again (a language link); later, leaving it
        # loses the password, and the page warns before it does.
        reveal_ms_left=max(0, int((at + REVEAL_SECONDS - time.time()) * 1000)),
        leave_warning=Translator(s.locale_of(request))(MESSAGES["leave_warning"]),
        finish_url=step_url(draft_id, "done/finish"),
    )


@router.get(f"{PATH}/finish", include_in_schema=False)  # under PATH: it gets the cookie
async def finish(request: Request) -> Response:
    """Done: the confirmation is forgotten (Back no longer shows the password), and the
    browser goes on to the new customer's page."""
    session = await s.signed_in(request)
    if isinstance(session, Response):
        return session
    draft_id = named_wizard(request)
    kept = _kept(request, session, draft_id) if draft_id else None
    path = f"/portal/customers/{kept[0].customer_id}" if kept else "/portal/customers"
    response = RedirectResponse(path, status_code=303)
    if draft_id:
        response.delete_cookie(COOKIE_PREFIX + draft_id, path=PATH)
    return response


@router.get(f"{BASE}/submit", include_in_schema=False)
async def submit_get(request: Request) -> Response:
    """Submit is a form post; an address bar or an old link lands back in the wizard."""
    draft_id = named_wizard(request)
    path = step_url(draft_id, "review") if draft_id else "/portal/customers"
    return RedirectResponse(path, status_code=303)
