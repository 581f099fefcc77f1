"""Probes and metrics, open in both modes and without authentication.

- `GET /healthz`: 200 when the database answers, 503 when it does not (liveness).
- `GET /readyz`: 200 once migrations, keys (and a seed) are loaded, 503 before that and
  from the moment a shutdown begins, so a load balancer stops sending new requests while
  the ones in flight finish (readiness).
- `GET /metrics`: Prometheus text format (`http/observability.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tenantry.http.deps import runtime_of
from tenantry.http.observability import Metrics

router = APIRouter(tags=["health"])


@dataclass
class Readiness:
    ready: bool = False
    draining: bool = False


def readiness_of(request: Request) -> Readiness:
    readiness: Readiness = request.app.state.readiness
    return readiness


@router.get("/healthz", summary="Liveness and database reachability")
async def healthz(request: Request) -> JSONResponse:
    if not await runtime_of(request).database_reachable():
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return JSONResponse({"status": "ok", "database": "reachable"})


@router.get("/readyz", summary="Readiness: started and not shutting down")
async def readyz(request: Request) -> JSONResponse:
    readiness = readiness_of(request)
    if readiness.draining:
        return JSONResponse({"status": "draining"}, 503)
    if not readiness.ready:
        return JSONResponse({"status": "starting"}, 503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
