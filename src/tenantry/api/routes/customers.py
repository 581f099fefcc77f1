"""`POST /v1/customers` and `GET /v1/customers/{id}`."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.body import canonical_bytes, parse_json_object, read_body
from tenantry.api.deps import CallerDep, context_of, runtime_of
from tenantry.api.errors import JSON_TYPE
from tenantry.api.schemas.customers import CreateCustomerRenderer, customer_wire, draft_from_wire
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.ports import StorageBusy

router = APIRouter(tags=["customers"])

CREATE_ROUTE = "/v1/customers"


def _response(stored: StoredResponse) -> Response:
    headers = dict(stored.headers)
    media_type = headers.pop("Content-Type", None)
    if stored.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(stored.body, stored.status, headers=headers, media_type=media_type)


@router.post(CREATE_ROUTE, status_code=201, summary="Create a customer")
async def create_customer(request: Request, caller: CallerDep) -> Response:
    ctx = context_of(request)
    body = parse_json_object(await read_body(request))
    draft = draft_from_wire(body)
    key = IdempotencyKey.of(
        caller.partner.tenant_id, "POST", CREATE_ROUTE, ctx.request_id, canonical_bytes(body)
    )
    try:
        stored = await runtime_of(request).customers.create(
            caller.partner,
            key,
            draft,
            CreateCustomerRenderer(ctx.locale),
            app_only=caller.principal.app_only,
        )
    except StorageBusy as exc:
        raise ServiceError(Errors.REQUEST_IN_PROGRESS) from exc
    return _response(stored)


@router.get("/v1/customers/{customer_id}", summary="Get a customer by id")
async def get_customer(customer_id: str, request: Request, caller: CallerDep) -> Response:
    customer = await runtime_of(request).customers.get(caller.partner, customer_id)
    return Response(orjson.dumps(customer_wire(customer)), media_type=JSON_TYPE)
