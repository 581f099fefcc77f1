"""A customer's users, its indirect resellers and its GDAP relationships."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import PARTNER_CENTER_ERRORS, json_body
from tenantry.api.schemas.bodies import CUSTOMER_USER
from tenantry.api.schemas.collections import collection_wire
from tenantry.api.schemas.customer_users import user_draft
from tenantry.api.schemas.directory import (
    IS_INDIRECT_PROVIDER_OF,
    IS_INDIRECT_RESELLER_OF,
    customer_user_wire,
    gdap_wire,
    indirect_reseller_wire,
    partner_relationship_wire,
)
from tenantry.domain.errors import Errors, ServiceError
from tenantry.http.body import parse_json_object, read_body
from tenantry.http.deps import CallerDep, runtime_of
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["directory"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)


@router.get("/v1/customers/{customer_id}/users", summary="List the customer's users")
async def users(customer_id: str, request: Request, caller: CallerDep) -> Response:
    customer, found = await runtime_of(request).directory.users(caller.partner, customer_id)
    items = [customer_user_wire(customer, user) for user in found]
    body = collection_wire(items, f"/customers/{customer.id}/users")
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


@router.get(
    "/v1/customers/{customer_id}/users/{user_id}", summary="Get one of the customer's users"
)
async def user(customer_id: str, user_id: str, request: Request, caller: CallerDep) -> Response:
    directory = runtime_of(request).directory
    customer, found = await directory.user(caller.partner, customer_id, user_id)
    return Response(orjson.dumps(customer_user_wire(customer, found)), media_type=JSON_TYPE)


@router.post(
    "/v1/customers/{customer_id}/users",
    status_code=201,
    summary="Create a user account for the customer",
    openapi_extra=json_body(CUSTOMER_USER),
)
async def create_user(customer_id: str, request: Request, caller: CallerDep) -> Response:
    draft = user_draft(parse_json_object(await read_body(request)))
    customer, created = await runtime_of(request).customer_users.create(
        caller.partner,
        caller.principal.roles,
        customer_id,
        draft,
        app_only=caller.principal.app_only,
        actor=caller.actor(request),
    )
    return Response(orjson.dumps(customer_user_wire(customer, created)), 201, media_type=JSON_TYPE)


@router.patch(
    "/v1/customers/{customer_id}/users/{user_id}",
    summary="Update a user account of the customer",
    openapi_extra=json_body(CUSTOMER_USER),
)
async def update_user(
    customer_id: str, user_id: str, request: Request, caller: CallerDep
) -> Response:
    draft = user_draft(parse_json_object(await read_body(request)))
    customer, updated = await runtime_of(request).customer_users.update(
        caller.partner,
        caller.principal.roles,
        customer_id,
        user_id,
        draft,
        app_only=caller.principal.app_only,
        actor=caller.actor(request),
    )
    return Response(orjson.dumps(customer_user_wire(customer, updated)), media_type=JSON_TYPE)


@router.delete(
    "/v1/customers/{customer_id}/users/{user_id}",
    status_code=204,
    summary="Delete a user account of the customer",
)
async def delete_user(
    customer_id: str, user_id: str, request: Request, caller: CallerDep
) -> Response:
    await runtime_of(request).customer_users.delete(
        caller.partner,
        caller.principal.roles,
        customer_id,
        user_id,
        app_only=caller.principal.app_only,
        actor=caller.actor(request),
    )
    return Response(status_code=204)


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


@router.get(
    "/v1/customers/{customer_id}/delegatedadminrelationships/{relationship_id}",
    summary="Get one of the partner's GDAP relationships with the customer",
)
async def gdap_relationship(
    customer_id: str, relationship_id: str, request: Request, caller: CallerDep
) -> Response:
    directory = runtime_of(request).directory
    customer, found = await directory.gdap_relationship(
        caller.partner, customer_id, relationship_id
    )
    return Response(orjson.dumps(gdap_wire(customer, found)), media_type=JSON_TYPE)


_RELATIONSHIP_TYPES = {
    # Spelled as the .NET SDK's enum (PascalCase) or as on the wire (snake_case).
    "isindirectcloudsolutionproviderof": True,
    "is_indirect_cloud_solution_provider_of": True,
    "isindirectresellerof": False,
    "is_indirect_reseller_of": False,
}


@router.get("/v1/relationships", summary="List the partner's indirect partnerships")
async def partner_relationships(request: Request, caller: CallerDep) -> Response:
    """`IsIndirectCloudSolutionProviderOf`: a provider's resellers; `IsIndirectResellerOf`:
    a reseller's providers."""
    wanted = request.query_params.get("relationship_type", "")
    as_provider = _RELATIONSHIP_TYPES.get(wanted.lower())
    if as_provider is None:
        raise ServiceError(
            Errors.MALFORMED_REQUEST,
            {
                "reason": "relationship_type must be IsIndirectCloudSolutionProviderOf or "
                "IsIndirectResellerOf"
            },
        )
    found = await runtime_of(request).directory.partnerships(
        caller.partner, as_provider=as_provider, app_only=caller.principal.app_only
    )
    kind = IS_INDIRECT_PROVIDER_OF if as_provider else IS_INDIRECT_RESELLER_OF
    items = [partner_relationship_wire(p, kind, active=ship.active) for p, ship in found]
    body = collection_wire(items, f"/relationships?relationship_type={wanted}")
    return Response(orjson.dumps(body), media_type=JSON_TYPE)
