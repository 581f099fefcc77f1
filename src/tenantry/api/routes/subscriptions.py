"""A customer's subscriptions: list, read one, and PATCH one (friendly name, quantity,
suspend and reactivate)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import PARTNER_CENTER_ERRORS, json_body
from tenantry.api.schemas.bodies import SUBSCRIPTION
from tenantry.api.schemas.collections import collection_wire
from tenantry.api.schemas.subscriptions import patch_from_wire, subscription_wire
from tenantry.domain.models import Customer
from tenantry.http.body import parse_json_object, read_body
from tenantry.http.deps import CallerDep, runtime_of
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["subscriptions"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)

BASE = "/v1/customers/{customer_id}/subscriptions"


def _country(customer: Customer) -> str:
    return customer.billing.address.country


@router.get(BASE, summary="List the customer's subscriptions")
async def subscriptions(customer_id: str, request: Request, caller: CallerDep) -> Response:
    customer, found = await runtime_of(request).subscriptions.listing(caller.partner, customer_id)
    items = [subscription_wire(s, _country(customer)) for s in found]
    body = collection_wire(items, f"/customers/{customer.id}/subscriptions")
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


@router.get(f"{BASE}/{{subscription_id}}", summary="Get one of the customer's subscriptions")
async def subscription(
    customer_id: str, subscription_id: str, request: Request, caller: CallerDep
) -> Response:
    service = runtime_of(request).subscriptions
    customer, found = await service.get(caller.partner, customer_id, subscription_id)
    return Response(
        orjson.dumps(subscription_wire(found, _country(customer))), media_type=JSON_TYPE
    )


@router.patch(
    f"{BASE}/{{subscription_id}}",
    summary="Update a subscription (friendly name, quantity, suspend, reactivate)",
    openapi_extra=json_body(SUBSCRIPTION),
)
async def update_subscription(
    customer_id: str, subscription_id: str, request: Request, caller: CallerDep
) -> Response:
    patch = patch_from_wire(parse_json_object(await read_body(request)))
    customer, updated = await runtime_of(request).subscriptions.update(
        caller.partner,
        caller.principal.roles,
        customer_id,
        subscription_id,
        patch,
        app_only=caller.principal.app_only,
        actor=caller.actor(request),
    )
    return Response(
        orjson.dumps(subscription_wire(updated, _country(customer))), media_type=JSON_TYPE
    )
