"""Fault injection for the sandbox: `/_tenantry/faults` and the middleware that applies them.

`POST /_tenantry/faults` adds a fault, `GET` lists them, `DELETE /_tenantry/faults/{id}`
removes one and `DELETE /_tenantry/faults` removes all. The middleware sits closest to the
routes (inside the request-context and inspection middleware), so an injected answer still
carries the MS-* headers and shows up in `/_tenantry/requests`.
"""

from __future__ import annotations

import asyncio

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tenantry.control import fault_effects as effects
from tenantry.control.auth import AdminDep
from tenantry.control.fault_registry import SCOPE_KEY, Plan, registry_of
from tenantry.control.fault_specs import Kind, When, is_control_path, spec_from_body
from tenantry.domain.errors import Errors, ServiceError
from tenantry.http.body import parse_json_object, read_body
from tenantry.http.errors import JSON_TYPE

router = APIRouter(tags=["sandbox control plane"])

FAULTS_PATH = "/_tenantry/faults"


def _json(body: object, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON_TYPE)


@router.post(FAULTS_PATH)
async def add_fault(request: Request, _admin: AdminDep) -> Response:
    """Add a fault; 201 with it (its `id` is what `DELETE` takes)."""
    spec = spec_from_body(parse_json_object(await read_body(request)))
    fault = registry_of(request.app).add(spec)
    return _json(fault.wire(), 201)


@router.get(FAULTS_PATH)
async def list_faults(request: Request, _admin: AdminDep) -> Response:
    items = [fault.wire() for fault in registry_of(request.app).all()]
    return _json(
        {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
    )


@router.delete(FAULTS_PATH, status_code=204)
async def clear_faults(request: Request, _admin: AdminDep) -> Response:
    registry_of(request.app).clear()
    return Response(status_code=204)


@router.delete(FAULTS_PATH + "/{fault_id}", status_code=204)
async def delete_fault(fault_id: str, request: Request, _admin: AdminDep) -> Response:
    if not registry_of(request.app).remove(fault_id):
        raise ServiceError(Errors.ROUTE_NOT_FOUND, {"path": request.url.path[:200]})
    return Response(status_code=204)


class FaultMiddleware:
    """Injects the configured faults into matching requests (never into `/_tenantry/`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plan = None
        if scope["type"] == "http" and not is_control_path(scope["path"]) and "app" in scope:
            registry = registry_of(scope["app"])
            if registry:
                plan = registry.draw(scope["method"], scope["path"])
        if plan is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[SCOPE_KEY] = tuple(f.label() for f in plan.faults)
        await self._inject(plan, scope, receive, send)

    async def _inject(self, plan: Plan, scope: Scope, receive: Receive, send: Send) -> None:
        if plan.latency_ms:
            await asyncio.sleep(plan.latency_ms / 1000)
        outcome = plan.outcome
        bom, unknown_enum = plan.has(Kind.BOM), plan.has(Kind.UNKNOWN_ENUM)
        if outcome is None and not (bom or unknown_enum):
            await self.app(scope, receive, send)
            return
        reply: effects.Reply | None = None
        if outcome is None or outcome.when is When.AFTER:
            capture = effects.Capture()
            await self.app(scope, receive, capture.send)
            reply = capture.reply()
        if outcome is not None and outcome.kind is Kind.DROP:
            await effects.drop(scope, receive, send, reply)
            return
        if outcome is not None:
            assert outcome.status is not None
            reply = effects.status_reply(scope, outcome.status, outcome.retry_after)
        if reply is None:  # the route answered nothing: nothing to rewrite
            return
        await effects.send_reply(send, effects.transform(reply, bom=bom, unknown_enum=unknown_enum))
