"""`HEAD /v1/domains/{domain}`: 200 when the domain is taken, 404 when it is free."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import PARTNER_CENTER_ERRORS
from tenantry.http.deps import CallerDep, runtime_of
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["domains"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)


@router.head(
    "/v1/domains/{domain}",
    summary="Check whether a domain is in use",
    response_class=Response,
    responses={
        200: {"description": "The domain is in use."},
        404: {"description": "The domain is free."},
        "default": {"description": "An error (the answer to HEAD has no body)."},
    },
)
async def domain_exists(domain: str, request: Request, _caller: CallerDep) -> Response:
    taken = await runtime_of(request).customers.domain_exists(domain)
    return Response(status_code=200 if taken else 404)
