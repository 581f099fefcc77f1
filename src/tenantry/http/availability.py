"""Answering while the database is away: 503 with Retry-After, never 500.

`DatabaseGate` sits just outside the routes. Before the runtime is open (the process is
still waiting for its database) it answers every request but the probes and the metrics
itself; afterwards it turns a failure that says "the database cannot be reached"
(`runtime.database_unavailable`) into the same answer. Nothing else changes: when the
database is back, the next request simply succeeds (the pool replaces the connections the
server closed, `storage/db.py`).

The answer is Partner Center's error envelope (880060) for the API, the control plane and
the token endpoint, and a page for browsers (the portal, the sign-in pages), both with
`Retry-After`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry.domain.errors import Errors, ServiceError
from tenantry.http.context import get_context
from tenantry.http.errors import error_response
from tenantry.http.startup import Readiness
from tenantry.runtime import database_unavailable

log = logging.getLogger("tenantry.api")

RETRY_AFTER_SECONDS = 5
# Answered whatever the database does: the probes, the metrics, the API's description,
# the static files.
OPEN_PATHS = ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json")
OPEN_PREFIXES = ("/static/",)

# A page for a browser, given the request and the seconds to wait.
PageMaker = Callable[[Request, int], Response]


def wants_page(scope: Scope) -> bool:
    """A browser asking for a page: the portal, or anything asked for as HTML."""
    if str(scope["path"]).startswith("/portal"):
        return True
    for name, value in scope["headers"]:
        if name == b"accept":
            return b"text/html" in value
    return False


def unavailable_answer(scope: Scope, receive: Receive, page: PageMaker | None) -> Response:
    if page is not None and wants_page(scope):
        return page(Request(scope, receive), RETRY_AFTER_SECONDS)
    error = ServiceError(Errors.DATABASE_UNAVAILABLE, {"seconds": RETRY_AFTER_SECONDS})
    return error_response(error, get_context(scope).locale)


class DatabaseGate:
    def __init__(self, app: ASGIApp, *, readiness: Readiness, page: PageMaker | None) -> None:
        self.app = app
        self.readiness = readiness
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        if not self.readiness.ready:
            await unavailable_answer(scope, receive, self.page)(scope, receive, send)
            return
        started = False

        async def watching(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except Exception as exc:
            if started or not database_unavailable(exc):
                raise
            ctx = get_context(scope)
            log.warning(
                "database unavailable: %s (correlation id %s, request id %s)",
                (str(exc).splitlines() or [type(exc).__name__])[0][:300],
                ctx.correlation_id,
                ctx.request_id,
                extra={"request_id": ctx.request_id, "correlation_id": ctx.correlation_id},
            )
            await unavailable_answer(scope, receive, self.page)(scope, receive, send)
