"""`POST /v1/customers` and `GET /v1/customers/{id}`."""

from __future__ import annotations

import time

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import (
    CREATE_CUSTOMER,
    PARTNER_CENTER_ERRORS,
    THROTTLED_RESPONSE,
    UPDATE_CUSTOMER,
    json_body,
)
from tenantry.api.schemas.customers import CreateCustomerRenderer, customer_wire, draft_from_wire
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import RelationshipToPartner
from tenantry.domain.throttling import CUSTOMER
from tenantry.http.body import canonical_bytes, parse_json_object, read_body
from tenantry.http.deps import CallerDep, WriterDep, context_of, runtime_of
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["customers"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)

CREATE_ROUTE = "/v1/customers"


def _response(stored: StoredResponse) -> Response:
    headers = dict(stored.headers)
    media_type = headers.pop("Content-Type", None)
    if stored.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(stored.body, stored.status, headers=headers, media_type=media_type)


@router.post(
    CREATE_ROUTE,
    status_code=201,
    summary="Create a customer",
    openapi_extra=json_body(CREATE_CUSTOMER),
)
async def create_customer(request: Request, caller: WriterDep) -> Response:
    ctx = context_of(request)
    runtime = runtime_of(request)
    render = CreateCustomerRenderer(ctx.locale)
    raw = await read_body(request)

    def key_of(content: bytes) -> IdempotencyKey:
        return IdempotencyKey.of(
            runtime.idempotency_secret,
            caller.partner.tenant_id,
            "POST",
            CREATE_ROUTE,
            ctx.request_id,
            content,
        )

    try:
        body = parse_json_object(raw)
    except ServiceError as error:  # a retry of the same bytes gets the same answer
        return _response(await runtime.customers.refuse(key_of(raw), error, render))
    key = key_of(canonical_bytes(body))
    try:
        draft = draft_from_wire(body)
    except ServiceError as error:
        return _response(await runtime.customers.refuse(key, error, render))
    stored = await runtime.customers.create(
        caller.partner,
        key,
        draft,
        render,
        app_only=caller.principal.app_only,
        actor=caller.actor(request),
    )
    return _response(stored)


@router.get(
    "/v1/customers/{customer_id}", summary="Get a customer by id", responses=THROTTLED_RESPONSE
)
async def get_customer(customer_id: str, request: Request, caller: CallerDep) -> Response:
    runtime = runtime_of(request)
    # The customer resource is the one Partner Center documents as throttled.
    await runtime.throttle.check(caller.partner, CUSTOMER, time.time())
    customer = await runtime.customers.get(caller.partner, customer_id)
    return Response(orjson.dumps(customer_wire(customer)), media_type=JSON_TYPE)


@router.patch(
    "/v1/customers/{customer_id}",
    summary="Remove the reseller relationship",
    openapi_extra=json_body(UPDATE_CUSTOMER),
)
async def update_customer(customer_id: str, request: Request, caller: WriterDep) -> Response:
    if caller.principal.app_only:  # the token type is judged before the body
        raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
    body = parse_json_object(await read_body(request))
    value = body.get("relationshiptopartner")
    if not isinstance(value, str) or value.lower() != RelationshipToPartner.NONE:
        raise ServiceError(
            Errors.MALFORMED_REQUEST,
            {"reason": 'relationshipToPartner must be "none": that is the only change allowed'},
        )
    customer = await runtime_of(request).lifecycle.remove_reseller_relationship(
        caller.partner,
        customer_id,
        app_only=caller.principal.app_only,
        actor=caller.actor(request),
    )
    return Response(orjson.dumps(customer_wire(customer)), media_type=JSON_TYPE)


@router.delete("/v1/customers/{customer_id}", status_code=204, summary="Delete (sandbox only)")
async def delete_customer(customer_id: str, request: Request, caller: WriterDep) -> Response:
    await runtime_of(request).lifecycle.delete(
        caller.partner, customer_id, actor=caller.actor(request)
    )
    return Response(status_code=204)
