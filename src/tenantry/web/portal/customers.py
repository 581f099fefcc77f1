"""The customer list (search, keyset pages, newest first) and a customer's page."""

from __future__ import annotations

from datetime import datetime

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.domain.audit import USER, Actor
from tenantry.domain.errors import ServiceError, fill
from tenantry.domain.listing import Cursor, CustomerFilter, SearchField
from tenantry.domain.offers import find_offer
from tenantry.http.context import get_context
from tenantry.http.deps import runtime_of
from tenantry.http.i18n import translate
from tenantry.web.portal import session as s
from tenantry.web.portal.messages import MESSAGES

router = APIRouter()

PAGE_SIZE = 20
_SEARCH_MAX = 100
_BY = {"name": SearchField.COMPANY_NAME, "domain": SearchField.DOMAIN}


def _cursor_token(request: Request, partner_id: str, cursor: Cursor) -> str:
    payload = {"p": partner_id, "t": cursor.created_at.isoformat(), "i": cursor.customer_id}
    return runtime_of(request).portal_session.wrap(b"c" + orjson.dumps(payload))


def _cursor(request: Request, partner_id: str, token: str) -> Cursor | None:
    raw = runtime_of(request).portal_session.unwrap(token)
    if raw is None or not raw.startswith(b"c"):
        return None
    payload = orjson.loads(raw[1:])
    if payload.get("p") != partner_id:
        return None
    return Cursor(datetime.fromisoformat(payload["t"]), str(payload["i"]))


@router.get("/portal/customers", include_in_schema=False)
async def customer_list(request: Request) -> Response:
    try:
        session = await s.current(request)
    except s.SignInRequired:
        return s.sign_in_redirect()
    q = request.query_params
    text = q.get("q", "").strip()[:_SEARCH_MAX]
    by = q.get("by", "name")
    by = by if by in _BY else "name"
    found = CustomerFilter.starts_with(_BY[by], text) if text else None
    after = _cursor(request, session.partner.tenant_id, q.get("after", ""))
    page = await runtime_of(request).listing.page(
        session.partner, PAGE_SIZE, found, after, app_only=False
    )
    next_url = None
    if page.next is not None:
        token = _cursor_token(request, session.partner.tenant_id, page.next)
        next_url = str(request.url.include_query_params(after=token).remove_query_params("lang"))
    return s.page(
        request,
        "portal_customers.html",
        session,
        customers=page.items,
        query=text,
        by=by,
        next_url=next_url,
        first_url="/portal/customers" if after is not None else None,
    )


async def _detail(
    request: Request,
    session: s.Session,
    customer_id: str,
    *,
    errors: dict[str, str] | None = None,
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
    return s.page(
        request,
        "portal_customer.html",
        session,
        status=status,
        customer=customer,
        users=users,
        gdap=gdap,
        subscriptions=[(sub, find_offer(sub.offer_id)) for sub in subscriptions],
        errors=errors or {},
    )


@router.get("/portal/customers/{customer_id}", include_in_schema=False)
async def customer_page(customer_id: str, request: Request) -> Response:
    try:
        session = await s.current(request)
    except s.SignInRequired:
        return s.sign_in_redirect()
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
    try:
        ctx = get_context(request.scope)
        await runtime_of(request).subscriptions.rename(
            session.partner,
            session.user.roles,
            customer_id,
            subscription_id,
            form.first("name"),
            actor=Actor(USER, session.user.id, ctx.request_id, ctx.correlation_id),
        )
    except ServiceError as error:
        if not error.problems:
            if error.spec.status == 403 and "roles" in error.params:
                return s.message_page(request, session, MESSAGES["role"], status=403)
            return s.message_page(request, session, MESSAGES["not_found"], status=404)
        problem = error.problems[0]
        text = fill(translate(locale, problem.reason), problem.params)
        return await _detail(
            request, session, customer_id, errors={subscription_id: text}, status=400
        )
    return RedirectResponse(f"/portal/customers/{customer_id}#subscriptions", status_code=303)
