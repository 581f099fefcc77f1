"""API routes whose parameters need no validation, called without FastAPI's per-request
dependency solving.

Most Partner Center routes take the request, path parameters (strings) and the caller,
and return a finished `Response`. For them FastAPI's handler still solves the dependency
tree each time (caches, a pydantic validation per path parameter, an endpoint runner,
the response check): on a read, about a fifth of the server's CPU. A `LeanRoute`
hands such an endpoint its arguments directly: path parameters from the matched path,
the request, and each dependency from its entry in `REQUEST_PROVIDERS` (the same
function FastAPI would have called, given the request). Routing, the OpenAPI document,
the exception handlers and the middleware are FastAPI's as before.

An endpoint that takes anything else (query parameters, a body model, a dependency
without a provider) keeps FastAPI's handler, as does a route included with dependencies
of its own router: nothing is approximated. See docs/decisions/0031-lean-routes.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import fastapi.routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

Provider = Callable[[Request], Awaitable[Any]]
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _plain(dependant: Dependant) -> bool:
    """Whether an endpoint's parameters are only the request, path strings and calls."""
    return not (
        dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or any(field.field_info.annotation is not str for field in dependant.path_params)
    )


def lean_handler(dependant: Dependant, providers: dict[Any, Provider]) -> Handler | None:
    """The endpoint called with its arguments looked up directly, or None when one of
    them needs FastAPI (see the module's docstring)."""
    endpoint = dependant.call
    if endpoint is None or not _plain(dependant):
        return None
    calls: list[tuple[str, Provider]] = []
    for dependency in dependant.dependencies:
        provider = providers.get(dependency.call)
        if dependency.name is None or provider is None:
            return None
        calls.append((dependency.name, provider))
    paths = tuple(field.name for field in dependant.path_params)
    request_name = dependant.request_param_name

    async def handle(request: Request) -> Response:
        path_params = request.path_params
        arguments: dict[str, Any] = {name: path_params[name] for name in paths}
        if request_name is not None:
            arguments[request_name] = request
        for name, provide in calls:
            arguments[name] = await provide(request)
        response = await endpoint(**arguments)
        if not isinstance(response, Response):
            raise TypeError(f"{endpoint.__qualname__} must return a finished Response")
        return response

    return handle


class LeanRoute(APIRoute):
    """An `APIRoute` answered by `lean_handler` where it applies (`REQUEST_PROVIDERS`)."""

    _lean: Handler | None = None

    def get_route_handler(self) -> Handler:
        if not _included_with_dependencies(self):
            from tenantry.http.deps import REQUEST_PROVIDERS

            handler = lean_handler(self.dependant, REQUEST_PROVIDERS)
            if handler is not None:
                self._lean = handler
                return handler
        return super().get_route_handler()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A route of the application's own list (`flat_routes`) is answered by its lean
        handler directly, without FastAPI's wrapper around each request (two exit stacks,
        a second exception layer). A route reached through an included router, or a
        method it does not offer (405), is left to FastAPI."""
        lean = self._lean
        if (
            lean is None
            or _inclusion_of is None
            or _inclusion_of(scope) is not None
            or scope["method"] not in (self.methods or ())
        ):
            await super().handle(scope, receive, send)
            return
        response = await lean(Request(scope, receive, send))
        await response(scope, receive, send)


# FastAPI's own lookups of a route's inclusion (private, for a pinned version): without
# them, every route is left to FastAPI's wrapper and built for its inclusion as FastAPI
# builds it, which is slower, never wrong.
_inclusion_of: Callable[[Scope], object] | None = getattr(
    fastapi.routing, "_get_scope_effective_route_context", None
)


def _included_with_dependencies(route: APIRoute) -> bool:
    """Whether the route is being built for a router inclusion that adds dependencies
    (FastAPI builds the handler of an included route with the inclusion's context set)."""
    context_var = getattr(fastapi.routing, "_effective_route_context_var", None)
    if context_var is None:
        return True
    context = context_var.get()
    if context is None:
        return False
    dependant = getattr(context, "dependant", None)
    return dependant is not None and len(dependant.dependencies) != len(
        route.dependant.dependencies
    )
