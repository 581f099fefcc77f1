"""Probes and metrics, open in both modes and without authentication.

- `GET /healthz` (liveness): 200 whenever the process can answer. It never looks at the
  database: an outage of the database is not a reason to restart the process, which
  recovers by itself when the database is back.
- `GET /readyz` (readiness): 200 when this process should get traffic: the runtime is open
  (migrations, keys and a seed loaded), no shutdown has begun, the database answers and
  its schema revision is one this release runs on. 503 otherwise, with the reason.
- `GET /metrics` lives in `metrics.py` (it may be moved to the admin listener or left out).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from tenantry.http.deps import runtime_of
from tenantry.http.startup import Readiness

router = APIRouter(tags=["health"])

__all__ = ["Readiness", "readiness_of", "router"]


def readiness_of(request: Request) -> Readiness:
    readiness: Readiness = request.app.state.readiness
    return readiness


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz", summary="Readiness: started, not draining, database usable")
async def readyz(request: Request) -> JSONResponse:
    readiness = readiness_of(request)
    if readiness.draining:
        return JSONResponse({"status": "draining"}, 503)
    if readiness.failure is not None:
        return JSONResponse({"status": "failed"}, 503)  # the reason went to stderr
    if not readiness.ready:
        return JSONResponse({"status": "starting"}, 503)
    problem = await runtime_of(request).readiness_problem()
    if problem is not None:
        return JSONResponse({"status": "unavailable", "reason": problem}, 503)
    return JSONResponse({"status": "ready"})
