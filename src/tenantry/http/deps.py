"""Request dependencies: the runtime, the request context and the authenticated caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request

from tenantry.auth.tokens import Principal, TokenRejected
from tenantry.domain.audit import APP, USER, Actor
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.models import Partner
from tenantry.domain.roles import authorize_customer_change
from tenantry.http.context import RequestContext, get_context
from tenantry.runtime import Runtime

PARTNER_STATE = "tenantry_partner"  # the caller's tenant id, for the request's log line


@dataclass(frozen=True)
class Caller:
    partner: Partner
    principal: Principal

    def actor(self, request: Request) -> Actor:
        """Who makes a change through this request: the app, or the signed-in user."""
        ctx = get_context(request.scope)
        principal = self.principal
        if principal.app_only or principal.user is None:
            kind, name = APP, principal.client_id
        else:
            kind, name = USER, principal.user
        return Actor(kind, name, ctx.request_id, ctx.correlation_id)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def context_of(request: Request) -> RequestContext:
    return get_context(request.scope)


async def authenticate(request: Request) -> Caller:
    """The partner behind the bearer token: 401 800001 without one, 401 400 if it is bad."""
    header = request.headers.get("authorization")
    if not header:
        raise ServiceError(Errors.UNAUTHENTICATED)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ServiceError(
            Errors.BAD_TOKEN, {"reason": "the Authorization header must be 'Bearer <token>'"}
        )
    runtime = runtime_of(request)
    try:
        principal = await runtime.tokens.verify(token)
    except TokenRejected as exc:
        raise ServiceError(Errors.BAD_TOKEN, {"reason": str(exc)}) from exc
    partner = await runtime.partner(principal.partner_id)
    if partner is None:
        raise ServiceError(
            Errors.BAD_TOKEN, {"reason": "the token's tenant is not a registered partner"}
        )
    request.scope.setdefault("state", {})[PARTNER_STATE] = partner.tenant_id
    if not principal.app_only and not principal.mfa:
        raise ServiceError(Errors.MFA_REQUIRED)
    return Caller(partner, principal)


CallerDep = Annotated[Caller, Depends(authenticate)]


async def customer_writer(caller: CallerDep) -> Caller:
    """The caller, if its roles allow changing customers (900150 otherwise)."""
    authorize_customer_change(caller.principal.app_only, caller.principal.roles)
    return caller


WriterDep = Annotated[Caller, Depends(customer_writer)]


async def _writer_of(request: Request) -> Caller:
    return await customer_writer(await authenticate(request))


# Each dependency above as a function of the request alone, for `LeanRoute`
# (`http/lean_routes.py`): what FastAPI would compute, without solving the tree.
REQUEST_PROVIDERS: dict[Any, Callable[[Request], Awaitable[Caller]]] = {
    authenticate: authenticate,
    customer_writer: _writer_of,
}
