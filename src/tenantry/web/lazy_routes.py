"""Routes under one path prefix whose modules are imported by the first request there.

The portal's pages (about 20 routes, their forms, wizard and messages) are of no use
before a browser asks for one, yet importing them and setting up their routes was a
good part of a server's start (docs/benchmarks.md, "Start to first successful create").
`LazyRoutes` stands in their place in the application's route list: a request outside
the prefix is never matched (nothing is imported); the first one inside it imports the
routers, includes them as `include_router` would, and from then on matches exactly as
the included routes did at this place in the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

_MATCHED = "tenantry.lazy_route"


class LazyRoutes(BaseRoute):
    """The routers `load()` returns, included under one `APIRouter` when a request first
    reaches `prefix` (or anything lists or names the routes)."""

    def __init__(
        self,
        prefix: str,
        load: Callable[[], Iterable[APIRouter]],
        *,
        dependency_overrides_provider: Any = None,
    ) -> None:
        self.prefix = prefix
        self._load = load
        self._overrides = dependency_overrides_provider
        self._router: APIRouter | None = None

    def _loaded(self) -> APIRouter:
        if self._router is None:
            router = APIRouter(dependency_overrides_provider=self._overrides)
            for each in self._load():
                router.include_router(each, include_in_schema=False)
            self._router = router
        return self._router

    @property
    def routes(self) -> list[BaseRoute]:
        """The included routes (imported now if not yet), for whoever lists them."""
        return self._loaded().routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path = get_route_path(scope)  # as the routers match it (FastAPI imports it too)
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            return Match.NONE, {}
        # The router's own rule: the first full match, else the first partial one (a 405).
        partial: Scope | None = None
        for route in self._loaded().routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return match, {**child, _MATCHED: route}
            if match is Match.PARTIAL and partial is None:
                partial = {**child, _MATCHED: route}
        if partial is not None:
            return Match.PARTIAL, partial
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope.pop(_MATCHED)
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        # Names cannot be known unloaded: a `url_for` of any route after this one in the
        # list (the static files, the control plane) loads the portal too.
        return self._loaded().url_path_for(name, **path_params)
