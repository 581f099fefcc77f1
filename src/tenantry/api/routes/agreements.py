"""Agreement metadata, and a customer's confirmed agreements."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import PARTNER_CENTER_ERRORS, json_body
from tenantry.api.schemas.agreements import agreement_draft, agreement_wire, metadata_wire
from tenantry.api.schemas.bodies import AGREEMENT
from tenantry.api.schemas.collections import collection_wire
from tenantry.domain.agreements import metadata
from tenantry.http.body import parse_json_object, read_body
from tenantry.http.deps import CallerDep, runtime_of
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["agreements"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)


def _json(body: object, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type=JSON_TYPE)


@router.get("/v1/agreements", summary="Get agreement metadata")
async def agreement_metadata(caller: CallerDep, agreementType: str | None = None) -> Response:
    """Without `agreementType`, the Microsoft Cloud Agreement's (as Partner Center
    answers); `*` for every type."""
    items = [metadata_wire(m) for m in metadata(agreementType)]
    return _json(collection_wire(items, "/agreements"))


@router.post(
    "/v1/customers/{customer_id}/agreements",
    status_code=201,
    summary="Confirm the customer's acceptance of an agreement",
    openapi_extra=json_body(AGREEMENT),
)
async def confirm_agreement(customer_id: str, request: Request, caller: CallerDep) -> Response:
    draft = agreement_draft(parse_json_object(await read_body(request)))
    agreement = await runtime_of(request).agreements.confirm(
        caller.partner,
        caller.principal.roles,
        customer_id,
        draft,
        app_only=caller.principal.app_only,
        actor=caller.actor(request),
    )
    return _json(agreement_wire(agreement), 201)


@router.get(
    "/v1/customers/{customer_id}/agreements", summary="List the customer's confirmed agreements"
)
async def customer_agreements(
    customer_id: str,
    request: Request,
    caller: CallerDep,
    agreementType: str | None = None,
) -> Response:
    found = await runtime_of(request).agreements.of_customer(
        caller.partner, customer_id, agreementType
    )
    items = [agreement_wire(a) for a in found]
    return _json(collection_wire(items, f"/customers/{customer_id.lower()}/agreements"))
