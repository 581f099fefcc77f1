"""Per-request context from Partner Center's `MS-*` headers, echoed on every response.

A pure ASGI middleware (no per-request task switch), outermost in the stack so that every
answer, including an unexpected failure, carries the request and correlation ids.

A client that goes away before its answer (Starlette's `ClientDisconnect`, raised when a
route reads the body of a closed connection) is not a failure of ours: it is logged at
INFO, no 500 is written to the closed connection, and the request is marked
(`client_disconnected`) so that the metrics and the request log do not count a 500 either.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
from dataclasses import dataclass

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.ids import new_guid
from tenantry.http.errors import envelope_bytes
from tenantry.http.i18n import DEFAULT_LOCALE, pick_locale

log = logging.getLogger("tenantry.api")

_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:{}\-]{1,128}$")
_CV_PATTERN = re.compile(r"^[A-Za-z0-9+/]{16,22}(\.[0-9]{1,10}){1,8}$")
_CV_MAX = 127
# Request headers larger than this in total are refused (400, 800002) before any route
# runs. uvicorn's h11 parser enforces the same bound itself; httptools does not.
MAX_HEADER_BYTES = 64 * 1024
# The scope state key set when the client disconnected before its answer.
CLIENT_DISCONNECTED = "tenantry_client_disconnected"


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    correlation_id: str
    cv: str
    locale: str


def new_id() -> str:
    """A random (version 4) UUID in its usual text form (`domain.ids.new_guid`)."""
    return new_guid()


def new_cv() -> str:
    """A fresh correlation vector: 16 base64 characters and `.0`."""
    return base64.b64encode(secrets.token_bytes(12)).decode() + ".0"


def extend_cv(incoming: str | None) -> str:
    if incoming and _CV_PATTERN.match(incoming) and len(incoming) + 2 <= _CV_MAX:
        return incoming + ".0"
    return new_cv()


def is_client_disconnect(exc: BaseException) -> bool:
    """True when `exc` says the client went away (not a fault of the service)."""
    return isinstance(exc, ClientDisconnect)


def client_disconnected(scope: Scope) -> bool:
    """True when the request ended because its client disconnected."""
    return bool(scope.get("state", {}).get(CLIENT_DISCONNECTED))


def get_context(scope: Scope) -> RequestContext:
    ctx = scope.get("state", {}).get("tenantry_ctx")
    if isinstance(ctx, RequestContext):
        return ctx
    return RequestContext(new_id(), new_id(), new_cv(), DEFAULT_LOCALE)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, server_id: str, strict_headers: bool) -> None:
        self.app = app
        self.server_id = server_id.encode()
        self.strict_headers = strict_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted: dict[bytes, str] = {}
        header_bytes = 0
        for name, value in scope["headers"]:
            header_bytes += len(name) + len(value) + 4
            if name in (b"ms-requestid", b"ms-correlationid", b"ms-cv", b"x-locale"):
                wanted[name] = value.decode("latin-1")
        locale = pick_locale(wanted.get(b"x-locale"))
        # Strict mode concerns the Partner Center API, not the token endpoint or health.
        strict = self.strict_headers and scope["path"].startswith("/v1/")
        problem: str | None = None
        ids: list[str] = []
        for header, label in (
            (b"ms-requestid", "MS-RequestId"),
            (b"ms-correlationid", "MS-CorrelationId"),
        ):
            given = wanted.get(header)
            if given is None or given == "":
                if strict and problem is None:
                    problem = f"the {label} header is required"
                ids.append(new_id())
            elif _ID_PATTERN.match(given):
                ids.append(given)
            else:
                if scope["path"].startswith("/v1/"):  # the token endpoint is not Partner Center
                    problem = problem or f"the {label} header is not a valid identifier"
                ids.append(new_id())
        if header_bytes > MAX_HEADER_BYTES:
            problem = f"the request headers are larger than {MAX_HEADER_BYTES // 1024} KiB"
        ctx = RequestContext(ids[0], ids[1], extend_cv(wanted.get(b"ms-cv")), locale)
        scope.setdefault("state", {})["tenantry_ctx"] = ctx
        extra = [
            (b"MS-RequestId", ctx.request_id.encode()),
            (b"MS-CorrelationId", ctx.correlation_id.encode()),
            (b"MS-CV", ctx.cv.encode()),
            (b"MS-ServerId", self.server_id),
        ]
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [*message.get("headers", []), *extra]
                # No answer is to be sniffed into another type (the pages set it themselves).
                if not any(name.lower() == b"x-content-type-options" for name, _ in headers):
                    headers.append((b"X-Content-Type-Options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        if problem is not None:
            error = ServiceError(Errors.MALFORMED_REQUEST, {"reason": problem})
            await _send_error(send_with_headers, error, ctx)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except ClientDisconnect:
            scope["state"][CLIENT_DISCONNECTED] = True
            log.info(
                "client disconnected before the answer (correlation id %s, request id %s)",
                ctx.correlation_id,
                ctx.request_id,
                extra={"request_id": ctx.request_id, "correlation_id": ctx.correlation_id},
            )
        except Exception:
            log.exception(
                "unexpected failure (correlation id %s, request id %s)",
                ctx.correlation_id,
                ctx.request_id,
                extra={"request_id": ctx.request_id, "correlation_id": ctx.correlation_id},
            )
            if not started:
                error = ServiceError(Errors.UNEXPECTED, {"correlation_id": ctx.correlation_id})
                await _send_error(send_with_headers, error, ctx)


async def _send_error(send: Send, error: ServiceError, ctx: RequestContext) -> None:
    body = envelope_bytes(error, ctx.locale)
    await send(
        {
            "type": "http.response.start",
            "status": error.spec.status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
