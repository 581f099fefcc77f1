"""`HEAD /v1/domains/{domain}`: 200 when the domain is taken, 404 when it is free."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.deps import CallerDep, runtime_of

router = APIRouter(tags=["domains"])


@router.head("/v1/domains/{domain}", summary="Check whether a domain is in use")
async def domain_exists(domain: str, request: Request, _caller: CallerDep) -> Response:
    taken = await runtime_of(request).customers.domain_exists(domain)
    return Response(status_code=200 if taken else 404)
