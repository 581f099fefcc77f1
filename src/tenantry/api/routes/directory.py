"""A customer's users, its indirect resellers and its GDAP relationships."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.deps import CallerDep, runtime_of
from tenantry.api.errors import JSON_TYPE
from tenantry.api.schemas.collections import collection_wire
from tenantry.api.schemas.directory import customer_user_wire, gdap_wire, indirect_reseller_wire

router = APIRouter(tags=["directory"])


@router.get("/v1/customers/{customer_id}/users", summary="List the customer's users")
async def users(customer_id: str, request: Request, caller: CallerDep) -> Response:
    customer, found = await runtime_of(request).directory.users(caller.partner, customer_id)
    items = [customer_user_wire(customer, user) for user in found]
    body = collection_wire(items, f"/customers/{customer.id}/users")
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


@router.get(
    "/v1/customers/{customer_id}/relationships",
    summary="List the indirect resellers related to the customer",
)
async def relationships(customer_id: str, request: Request, caller: CallerDep) -> Response:
    resellers = await runtime_of(request).directory.indirect_resellers(
        caller.partner, customer_id, app_only=caller.principal.app_only
    )
    items = [indirect_reseller_wire(p) for p in resellers]
    body = collection_wire(items, f"/customers/{customer_id.lower()}/relationships")
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


@router.get(
    "/v1/customers/{customer_id}/delegatedadminrelationships",
    summary="List the partner's GDAP relationships with the customer",
)
async def gdap_relationships(customer_id: str, request: Request, caller: CallerDep) -> Response:
    customer, found = await runtime_of(request).directory.gdap(caller.partner, customer_id)
    items = [gdap_wire(customer, g) for g in found]
    body = collection_wire(items, f"/customers/{customer.id}/delegatedadminrelationships")
    return Response(orjson.dumps(body), media_type=JSON_TYPE)
