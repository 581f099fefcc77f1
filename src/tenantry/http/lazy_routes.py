"""Routers whose modules are imported by the first request under their paths.

Importing a router's module and setting up its routes is most of a server's start, and
the first create needs only two routes (the token and `POST /v1/customers`). `LazyRoutes`
stands in the application's route list where routers would have been included. It is
given the path prefixes its routes live under (`/v1`, `/{tenant}/oauth2`: a `{name}` is one
path segment). A request under none of them is never matched, and nothing is imported;
the first request under one of them (or anything that lists the routes, names one, or asks
for the OpenAPI document) imports the routers and puts their routes (`flat_routes`) in the
stand-in's place in the list. From then on the application's routes are what an eager
start would have made, and the request that loaded them is matched against them as the
router would have matched it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

_MATCHED = "tenantry.lazy_route"


def _prefix_pattern(prefix: str) -> str:
    segments = ("[^/]+" if s.startswith("{") else re.escape(s) for s in prefix.split("/"))
    return "/".join(segments)


def flat_routes(router: APIRouter, *, include_in_schema: bool = True) -> list[BaseRoute]:
    """A router's routes, to be the application's own. FastAPI's `include_router` keeps
    the router as one route of the application through which every request is matched
    again (its routes' versions, their contexts): a sixth of a read's CPU. A router here
    has no prefix, dependencies or settings of its own to apply at inclusion (its own
    `responses` and `tags` are in its routes already), so its routes are taken as they
    are. Routes left out of the OpenAPI document are marked so."""
    routes = list(router.routes)
    if not include_in_schema:
        for route in routes:
            if isinstance(route, APIRoute):
                route.include_in_schema = False
    return routes


class LazyRoutes(BaseRoute):
    """The routers `load()` returns, included into `parent` when first needed."""

    def __init__(
        self,
        parent: APIRouter,
        prefixes: Iterable[str],
        load: Callable[[], Iterable[APIRouter]],
        *,
        include_in_schema: bool = True,
    ) -> None:
        self.prefixes = tuple(prefixes)
        self.include_in_schema = include_in_schema
        self._parent = parent
        self._load = load
        self._under = re.compile(
            "(?:" + "|".join(_prefix_pattern(p) for p in self.prefixes) + ")(?:/|$)"
        )
        self._routes: list[BaseRoute] | None = None

    def load(self) -> list[BaseRoute]:
        """Import and include the routers now, if not yet; the routes they became."""
        if self._routes is None:
            routers = list(self._load())
            for router in routers:
                self._check_paths(router)
            included = [
                route
                for router in routers
                for route in flat_routes(router, include_in_schema=self.include_in_schema)
            ]
            routes = self._parent.routes
            place = routes.index(self)
            routes[place : place + 1] = included
            self._routes = included
        return self._routes

    def _check_paths(self, router: APIRouter) -> None:
        """A route outside the prefixes would answer only once something else had loaded
        it: refuse such a router at once."""
        for route in router.routes:
            path = str(getattr(route, "path", ""))
            if not any(path == p or path.startswith(p + "/") for p in self.prefixes):
                raise ValueError(f"{path!r} is under none of {self.prefixes}")

    @property
    def routes(self) -> list[BaseRoute]:
        """The included routes (imported now if not yet), for whoever lists them."""
        return self.load()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        # As the routers match it (FastAPI imports it too).
        if self._under.match(get_route_path(scope)) is None:
            return Match.NONE, {}
        # The router's own rule: the first full match, else the first partial one (a 405).
        partial: Scope | None = None
        for route in self.load():
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
        # list (the static files, the control plane) loads these routes too.
        for route in self.load():
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


def document_every_route(app: FastAPI) -> None:
    """The OpenAPI document (and `/docs`) lists every route: the first time it is made,
    it loads every `LazyRoutes` whose routes are in it."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        for route in list(app.router.routes):
            if isinstance(route, LazyRoutes) and route.include_in_schema:
                route.load()
        return make()

    app.openapi = openapi  # type: ignore[method-assign]
