"""Which listener may serve which optional surface (docs/operations.md, Production switches).

A process may listen twice: on the main port, and on an admin listener (`--admin-port`,
127.0.0.1 unless told otherwise) for what should not face the internet. `/docs`,
`/openapi.json`, `/portal` and `/metrics` are each served on one of them or on neither
(`config.Exposure`). A surface set to `off` is not mounted at all (`app.py`); this gate,
innermost in the middleware stack, answers 404 in Partner Center's envelope, as for a path
no route matches, when a request reaches a surface on the wrong listener. The admin
listener serves the surfaces set to `admin` (with the portal's static files and the
OpenAPI document the docs page loads), the probes, and nothing else.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from tenantry.config import Exposure, Settings
from tenantry.domain.errors import Errors, ServiceError
from tenantry.http.context import get_context
from tenantry.http.errors import error_response

SURFACES = {
    "docs": ("/docs",),
    "openapi": ("/openapi.json",),
    "portal": ("/portal", "/static"),
    "metrics": ("/metrics",),
}
PROBES = ("/healthz", "/readyz")


def _surface(path: str) -> str | None:
    for surface, prefixes in SURFACES.items():
        if any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes):
            return surface
    return None


def placement(settings: Settings) -> dict[str, set[Exposure]]:
    """The listeners each surface is served on. The OpenAPI document also goes wherever
    the docs page is, which loads it."""
    where = {surface: {settings.exposure(surface)} - {Exposure.OFF} for surface in SURFACES}
    where["openapi"] |= where["docs"]
    return where


def needs_gate(settings: Settings) -> bool:
    """Whether anything is kept off one of the listeners."""
    return settings.admin_port is not None or any(
        Exposure.ADMIN in listeners for listeners in placement(settings).values()
    )


class ListenerGate:
    """Answers 404 for a surface asked for on a listener that does not serve it."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.admin_port = settings.admin_port
        self.placement = placement(settings)
        # /static serves the sign-in page too: public whatever the portal's placement.
        self.placement["portal_static"] = {Exposure.PUBLIC} | self.placement["portal"]

    def _listener(self, scope: Scope) -> Exposure:
        server = scope.get("server")
        port = server[1] if isinstance(server, (tuple, list)) and len(server) > 1 else None
        admin = self.admin_port is not None and port == self.admin_port
        return Exposure.ADMIN if admin else Exposure.PUBLIC

    def _allowed(self, path: str, listener: Exposure) -> bool:
        surface = _surface(path)
        if surface == "portal" and (path == "/static" or path.startswith("/static/")):
            surface = "portal_static"
        if surface is not None:
            return listener in self.placement[surface]
        return listener is Exposure.PUBLIC or path in PROBES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._allowed(scope["path"], self._listener(scope)):
            await self.app(scope, receive, send)
            return
        error = ServiceError(Errors.ROUTE_NOT_FOUND, {"path": scope["path"][:200]})
        response = error_response(error, get_context(scope).locale)
        await response(scope, receive, send)
