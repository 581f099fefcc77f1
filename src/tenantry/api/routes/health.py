"""`GET /healthz`: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from tenantry.api.deps import runtime_of

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database reachability")
async def healthz(request: Request) -> JSONResponse:
    if not await runtime_of(request).database_reachable():
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return JSONResponse({"status": "ok", "database": "reachable"})
