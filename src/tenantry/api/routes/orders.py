"""A customer's orders: place one (idempotent by `MS-RequestId`), list them, read one."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import PARTNER_CENTER_ERRORS, json_body
from tenantry.api.schemas.bodies import ORDER
from tenantry.api.schemas.collections import collection_wire
from tenantry.api.schemas.orders import OrderRenderer, lines_from_wire, order_wire
from tenantry.domain.errors import ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.http.body import canonical_bytes, parse_json_object, read_body
from tenantry.http.deps import CallerDep, context_of, runtime_of
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["orders"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)

ORDERS_ROUTE = "/v1/customers/{customer_id}/orders"


def _response(stored: StoredResponse) -> Response:
    headers = dict(stored.headers)
    media_type = headers.pop("Content-Type", None)
    if stored.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(stored.body, stored.status, headers=headers, media_type=media_type)


@router.post(
    ORDERS_ROUTE, status_code=201, summary="Create an order", openapi_extra=json_body(ORDER)
)
async def create_order(customer_id: str, request: Request, caller: CallerDep) -> Response:
    """Each line item makes one subscription. Replays the first answer for a retry with
    the same `MS-RequestId`; needs the customer's confirmed Microsoft Customer Agreement."""
    ctx = context_of(request)
    runtime = runtime_of(request)
    render = OrderRenderer(ctx.locale)
    raw = await read_body(request)
    route = ORDERS_ROUTE.replace("{customer_id}", customer_id.lower())

    def key_of(content: bytes) -> IdempotencyKey:
        return IdempotencyKey.of(
            runtime.idempotency_secret,
            caller.partner.tenant_id,
            "POST",
            route,
            ctx.request_id,
            content,
        )

    try:
        body = parse_json_object(raw)
    except ServiceError as error:
        return _response(await runtime.orders.refuse(key_of(raw), error, render))
    key = key_of(canonical_bytes(body))
    try:
        lines = lines_from_wire(body)
    except ServiceError as error:
        return _response(await runtime.orders.refuse(key, error, render))
    stored = await runtime.orders.create(
        caller.partner,
        key,
        customer_id,
        lines,
        render,
        roles=caller.principal.roles,
        app_only=caller.principal.app_only,
        actor=caller.actor(request),
    )
    return _response(stored)


@router.get(ORDERS_ROUTE, summary="List the customer's orders")
async def orders(customer_id: str, request: Request, caller: CallerDep) -> Response:
    found = await runtime_of(request).orders.of_customer(caller.partner, customer_id)
    body = collection_wire(
        [order_wire(o) for o in found], f"/customers/{customer_id.lower()}/orders"
    )
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


@router.get(f"{ORDERS_ROUTE}/{{order_id}}", summary="Get one of the customer's orders")
async def order(customer_id: str, order_id: str, request: Request, caller: CallerDep) -> Response:
    found = await runtime_of(request).orders.get(caller.partner, customer_id, order_id)
    return Response(orjson.dumps(order_wire(found)), media_type=JSON_TYPE)
