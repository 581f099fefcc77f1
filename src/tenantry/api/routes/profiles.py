"""The company profile (read) and the billing profile (read, and update guarded by its etag).

The etag comes from `If-Match` or, when that header is absent, from the body's
`attributes.etag`: Microsoft's SDKs send it only there.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import BILLING_PROFILE, PARTNER_CENTER_ERRORS, json_body
from tenantry.api.schemas.customers import (
    billing_draft_from_wire,
    billing_etag_from_wire,
    billing_profile_wire,
    company_profile_wire,
)
from tenantry.domain.models import Customer
from tenantry.domain.profiles import require_if_match
from tenantry.http.body import parse_json_object, read_body
from tenantry.http.deps import CallerDep, WriterDep, runtime_of
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["profiles"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)


def _json(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), media_type=JSON_TYPE, headers=headers)


def _billing(customer: Customer) -> Response:
    return _json(billing_profile_wire(customer), {"ETag": f'"{customer.billing.etag}"'})


@router.get("/v1/customers/{customer_id}/profiles/company", summary="Get the company profile")
async def company_profile(customer_id: str, request: Request, caller: CallerDep) -> Response:
    customer = await runtime_of(request).profiles.company(
        caller.partner, customer_id, app_only=caller.principal.app_only
    )
    return _json(company_profile_wire(customer))


@router.get("/v1/customers/{customer_id}/profiles/billing", summary="Get the billing profile")
async def billing_profile(customer_id: str, request: Request, caller: CallerDep) -> Response:
    return _billing(await runtime_of(request).profiles.billing(caller.partner, customer_id))


@router.put(
    "/v1/customers/{customer_id}/profiles/billing",
    summary="Update the billing profile",
    openapi_extra=json_body(BILLING_PROFILE),
)
async def update_billing_profile(customer_id: str, request: Request, caller: WriterDep) -> Response:
    body = parse_json_object(await read_body(request))
    precondition = request.headers.get("if-match")
    if precondition is None or not precondition.strip():
        precondition = billing_etag_from_wire(body)
    require_if_match(precondition)
    draft = billing_draft_from_wire(body)
    customer = await runtime_of(request).profiles.update_billing(
        caller.partner,
        customer_id,
        precondition,
        draft,
        actor=caller.actor(request),
    )
    return _billing(customer)
