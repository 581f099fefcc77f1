"""Recent requests, for a developer to see why a client failed.

`GET /_tenantry/requests?limit=N` lists the last requests' outcomes, newest first;
`DELETE /_tenantry/requests` forgets them. The middleware sits inside the request-context
middleware (so the ids are known) and outside the fault middleware (so it sees what the
client saw). It records in sandbox mode only, and never the control plane's own calls.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry.control.auth import AdminDep
from tenantry.control.fault_registry import SCOPE_KEY
from tenantry.control.fault_specs import is_control_path
from tenantry.control.request_log import (
    CAPACITY,
    MAX_ERROR_BODY,
    MAX_PATH,
    Entry,
    envelope_code,
    request_log_of,
)
from tenantry.domain.errors import Errors, ServiceError
from tenantry.http.context import get_context, is_client_disconnect
from tenantry.http.errors import JSON_TYPE

router = APIRouter(tags=["sandbox control plane"])

REQUESTS_PATH = "/_tenantry/requests"
DEFAULT_LIMIT = 100
_WHOLE = re.compile(r"[0-9]{1,7}")


@router.get(REQUESTS_PATH)
async def list_requests(request: Request, _admin: AdminDep) -> Response:
    raw = request.query_params.get("limit")
    limit = DEFAULT_LIMIT
    if raw is not None:
        if not _WHOLE.fullmatch(raw) or not 1 <= int(raw) <= CAPACITY:
            raise ServiceError(
                Errors.MALFORMED_REQUEST,
                {"reason": f"limit must be a whole number from 1 to {CAPACITY}"},
            )
        limit = int(raw)
    items = [entry.wire() for entry in request_log_of(request.app).newest(limit)]
    body = {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


@router.delete(REQUESTS_PATH, status_code=204)
async def clear_requests(request: Request, _admin: AdminDep) -> Response:
    request_log_of(request.app).clear()
    return Response(status_code=204)


@dataclass
class _Watch:
    """What the client is being sent: the status, the replay flag, a small error body."""

    status: int | None = None
    replayed: bool = False
    capturing: bool = False
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0

    def observe(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            headers = {k.lower(): v for k, v in message.get("headers", [])}
            self.replayed = headers.get(b"idempotent-replayed", b"").lower() == b"true"
            media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            length = headers.get(b"content-length", b"0")
            small = not length.isdigit() or int(length) <= MAX_ERROR_BODY
            self.capturing = self.status >= 400 and media == b"application/json" and small
        elif message["type"] == "http.response.body" and self.capturing:
            chunk = message.get("body", b"")
            self.size += len(chunk)
            if self.size > MAX_ERROR_BODY:
                self.capturing, self.chunks = False, []
            else:
                self.chunks.append(chunk)

    @property
    def code(self) -> int | None:
        return envelope_code(b"".join(self.chunks)) if self.capturing else None


def _recording(scope: Scope) -> bool:
    if scope["type"] != "http" or is_control_path(scope["path"]) or "app" not in scope:
        return False
    runtime: Any = getattr(scope["app"].state, "runtime", None)
    return runtime is not None and bool(runtime.settings.sandbox)


class InspectionMiddleware:
    """Records each request's outcome in the application's request log (sandbox only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _recording(scope):
            await self.app(scope, receive, send)
            return
        at, started = datetime.now(UTC), time.perf_counter()
        watch = _Watch()
        failed = False

        async def watching(message: Message) -> None:
            watch.observe(message)
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except Exception as exc:
            # The context middleware answers 500 (800003), unless the client went away:
            # then nothing is answered, and the entry has no status (a dropped connection).
            failed = watch.status is None and not is_client_disconnect(exc)
            raise
        finally:
            ctx = get_context(scope)
            request_log_of(scope["app"]).add(
                Entry(
                    time=at,
                    method=scope["method"],
                    path=scope["path"][:MAX_PATH],
                    status=500 if failed else watch.status,
                    code=Errors.UNEXPECTED.code if failed else watch.code,
                    request_id=ctx.request_id,
                    correlation_id=ctx.correlation_id,
                    replayed=watch.replayed,
                    faults=tuple(scope.get("state", {}).get(SCOPE_KEY, ())),
                    duration_ms=(time.perf_counter() - started) * 1000,
                )
            )
