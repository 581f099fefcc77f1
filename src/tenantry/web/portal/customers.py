"""The customer list (search, keyset pages, newest first) and a customer's page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.domain.audit import USER, Actor
from tenantry.domain.errors import ServiceError
from tenantry.domain.listing import Cursor, CustomerFilter, SearchField
from tenantry.domain.models import Customer
from tenantry.domain.offers import find_offer
from tenantry.http.context import get_context
from tenantry.http.deps import runtime_of
from tenantry.http.field_messages import sentence
from tenantry.http.names import (
    country_name,
    culture_name,
    language_name,
    person_name,
    state_name,
)
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
from tenantry.web.portal.messages import MESSAGES
from tenantry.web.portal.wizard_pages import licenses

router = APIRouter()

PAGE_SIZE = 20
_SEARCH_MAX = 100
_BY = {"name": SearchField.COMPANY_NAME, "domain": SearchField.DOMAIN}
# How many earlier pages a page token remembers, for "Previous page".
_HISTORY = 30


def _cursor_token(
    request: Request, partner_id: str, cursor: Cursor, history: list[Cursor | None]
) -> str:
    """A sealed page token: where the page starts, and where the pages before it started."""
    payload = {
        "p": partner_id,
        "t": cursor.created_at.isoformat(),
        "i": cursor.customer_id,
        "h": [[c.created_at.isoformat(), c.customer_id] if c else None for c in history],
    }
    return runtime_of(request).portal_session.wrap(b"c" + orjson.dumps(payload))


def _cursor(
    request: Request, partner_id: str, token: str
) -> tuple[Cursor | None, list[Cursor | None]]:
    raw = runtime_of(request).portal_session.unwrap(token) if token else None
    if raw is None or not raw.startswith(b"c"):
        return None, []
    payload = orjson.loads(raw[1:])
    if payload.get("p") != partner_id:
        return None, []
    history = [
        Cursor(datetime.fromisoformat(h[0]), str(h[1])) if h else None for h in payload.get("h", [])
    ]
    return Cursor(datetime.fromisoformat(payload["t"]), str(payload["i"])), history


def _page_url(request: Request, token: str | None) -> str:
    url = request.url.remove_query_params(["lang", "after"])
    url = url.include_query_params(after=token) if token else url
    # Relative: a link never names the host the request claimed to be for.
    return url.path + (f"?{url.query}" if url.query else "")


@router.get("/portal/customers", include_in_schema=False)
async def customer_list(request: Request) -> Response:
    session = await s.signed_in(request)
    if isinstance(session, Response):
        return session
    q = request.query_params
    text = q.get("q", "").strip()[:_SEARCH_MAX]
    by = q.get("by", "name")
    by = by if by in _BY else "name"
    found = CustomerFilter.starts_with(_BY[by], text) if text else None
    partner_id = session.partner.tenant_id
    after, history = _cursor(request, partner_id, q.get("after", ""))
    listing = runtime_of(request).listing
    page = await listing.page(session.partner, PAGE_SIZE, found, after, app_only=False)
    total = await listing.total(session.partner, found)
    next_url = previous_url = None
    if page.next is not None:
        trail = [*history, after][-_HISTORY:] if after is not None else []
        next_url = _page_url(request, _cursor_token(request, partner_id, page.next, trail))
    if after is not None:
        earlier = history[-1] if history else None
        token = _cursor_token(request, partner_id, earlier, history[:-1]) if earlier else None
        previous_url = _page_url(request, token)
    first = len(history) * PAGE_SIZE + (PAGE_SIZE if after is not None else 0) + 1
    return s.page(
        request,
        "portal_customers.html",
        session,
        customers=page.items,
        query=text,
        by=by,
        next_url=next_url,
        previous_url=previous_url,
        first_url=_page_url(request, None) if after is not None else None,
        total=total,
        # Which ones this page shows; past the remembered history the position is unknown.
        shown=(first, first + len(page.items) - 1) if len(history) < _HISTORY else None,
    )


def _people_view(locale: str, customer: Customer) -> dict[str, Any]:
    """The customer's codes as names in the page's language."""
    a = customer.billing.address
    _ = Translator(locale)
    relationship = str(customer.relationship_to_partner)
    return {
        "contact": person_name(locale, a.first_name, a.last_name),
        "country_name": country_name(locale, a.country),
        "state_name": state_name(locale, a.country, a.state or ""),
        "culture_name": culture_name(locale, customer.billing.culture),
        "language_name": language_name(locale, customer.billing.language),
        "relationship": _(MESSAGES[relationship]) if relationship in MESSAGES else relationship,
    }


async def _detail(
    request: Request,
    session: s.Session,
    customer_id: str,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    runtime = runtime_of(request)
    try:
        customer, users = await runtime.directory.users(session.partner, customer_id)
        _, gdap = await runtime.directory.gdap(session.partner, customer_id)
        subscriptions = await runtime.subscriptions.of_customer(session.partner, customer_id)
    except ServiceError:
        # Another partner's customer is as absent as one that does not exist.
        return s.message_page(request, session, MESSAGES["not_found"], status=404)
    locale = s.locale_of(request)
    say = Translator(locale)
    renamed = next((x for x in subscriptions if x.id == request.query_params.get("renamed")), None)
    return s.page(
        request,
        "portal_customer.html",
        session,
        status=status,
        customer=customer,
        users=users,
        gdap=gdap,
        status_of=lambda word: say(MESSAGES[word]) if word in MESSAGES else word,
        subscriptions=[
            (sub, find_offer(sub.offer_id), licenses(locale, sub.quantity)) for sub in subscriptions
        ],
        errors=errors or {},
        typed=typed or {},
        renamed=say(MESSAGES["renamed"], name=renamed.friendly_name) if renamed else "",
        **_people_view(locale, customer),
    )


@router.get("/portal/customers/{customer_id}", include_in_schema=False)
async def customer_page(customer_id: str, request: Request) -> Response:
    session = await s.signed_in(request)
    if isinstance(session, Response):
        return session
    return await _detail(request, session, customer_id)


@router.post(
    "/portal/customers/{customer_id}/subscriptions/{subscription_id}", include_in_schema=False
)
async def rename_subscription(customer_id: str, subscription_id: str, request: Request) -> Response:
    post = await s.posted(request)
    if isinstance(post, Response):
        return post
    session, form = post
    locale = s.locale_of(request)
    name = form.first("name")
    try:
        ctx = get_context(request.scope)
        await runtime_of(request).subscriptions.rename(
            session.partner,
            session.user.roles,
            customer_id,
            subscription_id,
            name,
            actor=Actor(USER, session.user.id, ctx.request_id, ctx.correlation_id),
        )
    except ServiceError as error:
        if not error.problems:
            if error.spec.status == 403 and "roles" in error.params:
                return s.message_page(request, session, MESSAGES["role"], status=403)
            return s.message_page(request, session, MESSAGES["not_found"], status=404)
        text = sentence(locale, error.problems[0])
        # The typed name stays in the field, beside the error that explains it.
        return await _detail(
            request,
            session,
            customer_id,
            errors={subscription_id: text},
            typed={subscription_id: name[:300]},
            status=400,
        )
    return RedirectResponse(
        f"/portal/customers/{customer_id}?renamed={subscription_id}#subscriptions",
        status_code=303,
    )
