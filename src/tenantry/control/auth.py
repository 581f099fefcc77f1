"""Who may use the control plane: sandbox mode, and the sandbox admin key."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from tenantry.domain.audit import SANDBOX, Actor
from tenantry.domain.errors import Errors, ServiceError
from tenantry.http.context import get_context
from tenantry.http.deps import runtime_of

ADMIN_KEY_HEADER = "Tenantry-Admin-Key"


async def require_admin(request: Request) -> None:
    """404 outside sandbox mode (the control plane does not exist there); 401 without the
    admin key."""
    settings = runtime_of(request).settings
    if not settings.sandbox:
        raise ServiceError(Errors.ROUTE_NOT_FOUND, {"path": request.url.path[:200]})
    given = request.headers.get(ADMIN_KEY_HEADER, "")
    if not hmac.compare_digest(given.encode(), settings.admin_key.encode()):
        raise ServiceError(Errors.ADMIN_KEY_REQUIRED)


AdminDep = Annotated[None, Depends(require_admin)]


def sandbox_actor(request: Request) -> Actor:
    """A control-plane change: made by whoever holds the sandbox admin key."""
    ctx = get_context(request.scope)
    return Actor(SANDBOX, "control plane", ctx.request_id, ctx.correlation_id)
