"""`GET /metrics`: Prometheus text format, without authentication (`http/observability.py`
counts; `http/metrics_registry.py` decides whose counts a scrape sees).

Mounted on the main port, on the admin listener (`--metrics admin`), or nowhere
(`--metrics off`): see `app.py` and docs/operations.md, Production switches.
"""

from __future__ import annotations

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from tenantry.http.observability import Metrics

router = APIRouter(tags=["health"])


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST)
