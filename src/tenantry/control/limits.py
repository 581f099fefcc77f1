"""`GET`/`PUT /_tenantry/limits`: the sandbox customer cap and the provisioning delay."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.control.auth import AdminDep
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.sandbox import SandboxLimits
from tenantry.http.body import parse_json_object, read_body
from tenantry.http.deps import runtime_of
from tenantry.http.errors import JSON_TYPE

router = APIRouter(tags=["sandbox control plane"])

_MAX_DELAY = 3600.0
_MAX_CAP = 1_000_000


def _wire(limits: SandboxLimits) -> dict[str, Any]:
    return {
        "customerCap": limits.customer_cap,
        "provisioningDelaySeconds": limits.provisioning_delay_seconds,
    }


def _bad(reason: str) -> ServiceError:
    return ServiceError(Errors.MALFORMED_REQUEST, {"reason": reason})


@router.get("/_tenantry/limits")
async def get_limits(request: Request, _admin: AdminDep) -> Response:
    return Response(orjson.dumps(_wire(runtime_of(request).limits)), media_type=JSON_TYPE)


@router.put("/_tenantry/limits")
async def set_limits(request: Request, _admin: AdminDep) -> Response:
    """Change either limit; members left out keep their value. 0 turns a limit off."""
    body = parse_json_object(await read_body(request))
    limits = runtime_of(request).limits
    cap, delay = body.get("customercap"), body.get("provisioningdelayseconds")
    if cap is not None and (
        isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= _MAX_CAP
    ):
        raise _bad(f"customerCap must be a whole number from 0 to {_MAX_CAP} (0 = no cap)")
    if delay is not None and (
        isinstance(delay, bool)
        or not isinstance(delay, int | float)
        or not 0 <= delay <= _MAX_DELAY
    ):
        raise _bad(f"provisioningDelaySeconds must be a number from 0 to {_MAX_DELAY:.0f}")
    if cap is not None:
        limits.customer_cap = cap
    if delay is not None:
        limits.provisioning_delay_seconds = float(delay)
    return Response(orjson.dumps(_wire(limits)), media_type=JSON_TYPE)
