"""`LazyRoutes` answers as `include_router` would have, loading its routers at first use;
its routes, once loaded, are the routers' own (`flat_routes`)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from tenantry.http.lazy_routes import LazyRoutes, document_every_route, flat_routes


def _app(lazy: bool, *, flat: bool = False) -> tuple[FastAPI, list[int]]:
    loads: list[int] = []

    def load() -> tuple[APIRouter, ...]:
        loads.append(1)
        pages = APIRouter()

        @pages.get("/p/page", name="page")
        def page() -> dict[str, str]:
            return {"page": "p"}

        @pages.post("/p/form")
        def form() -> dict[str, str]:
            return {"form": "p"}

        @pages.get("/p/items/{number}")
        def item(number: int) -> dict[str, int]:
            return {"item": number}

        return (pages,)

    app = FastAPI(redirect_slashes=False)

    @app.get("/api")
    def api() -> dict[str, str]:
        return {}

    if lazy:
        app.router.routes.append(LazyRoutes(app.router, ["/p"], load))
    elif flat:
        for router in load():
            app.router.routes.extend(flat_routes(router))
    else:
        for router in load():
            app.include_router(router)

    @app.get("/p/form")  # after the portal: a full match here beats its partial one
    def after() -> dict[str, str]:
        return {"after": "p"}

    return app, loads


async def _answers(app: FastAPI, root_path: str = "") -> list[tuple[int, str, str | None]]:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        asked = [
            ("GET", "/api"),
            ("GET", "/px"),
            ("GET", "/p/page"),
            ("HEAD", "/p/page"),
            ("GET", "/p/page/"),
            ("PUT", "/p/page"),
            ("GET", "/p/form"),
            ("GET", "/p/items/x"),
            ("GET", "/p/items/7"),
            ("GET", "/p"),
        ]
        answers = [await http.request(method, root_path + path) for method, path in asked]
    return [(a.status_code, a.text, a.headers.get("allow")) for a in answers]


async def test_it_answers_as_the_included_routers() -> None:
    lazy, _ = _app(lazy=True)
    eager, _ = _app(lazy=False)
    flat, _ = _app(lazy=False, flat=True)
    assert await _answers(lazy) == await _answers(eager) == await _answers(flat)
    assert await _answers(lazy, root_path="/mounted") == await _answers(eager, "/mounted")


async def test_only_a_request_under_its_prefix_loads_it() -> None:
    app, loads = _app(lazy=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/api")).status_code == 200
        assert (await http.get("/px/page")).status_code == 404
        assert loads == []
        assert (await http.get("/p/page")).json() == {"page": "p"}
        assert (await http.get("/p/items/3")).json() == {"item": 3}
    assert loads == [1]  # once


def test_its_route_names_resolve() -> None:
    app, _ = _app(lazy=True)
    assert app.url_path_for("page") == "/p/page"


async def test_a_load_that_fails_is_tried_again() -> None:
    calls: list[int] = []

    def load() -> tuple[APIRouter, ...]:
        calls.append(1)
        if len(calls) == 1:
            raise ImportError("first")
        pages = APIRouter()
        pages.add_api_route("/p", lambda: {"ok": True})
        return (pages,)

    app = FastAPI()
    app.router.routes.append(LazyRoutes(app.router, ["/p"], load))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        with pytest.raises(ImportError):
            await http.get("/p")
        assert (await http.get("/p")).json() == {"ok": True}


def _route_list(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    return [
        (type(r).__name__, str(getattr(r, "path", "")), sorted(getattr(r, "methods", None) or []))
        for r in app.routes
    ]


async def test_once_loaded_the_routes_are_the_routers_own() -> None:
    lazy, _ = _app(lazy=True)
    eager, _ = _app(lazy=False, flat=True)
    transport = httpx.ASGITransport(app=lazy)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/p/page")).status_code == 200
    assert not any(isinstance(r, LazyRoutes) for r in lazy.routes)
    assert _route_list(lazy) == _route_list(eager)


def test_the_openapi_document_lists_its_routes_before_any_request() -> None:
    lazy, loads = _app(lazy=True)
    eager, _ = _app(lazy=False)
    document_every_route(lazy)
    assert lazy.openapi() == eager.openapi() == _app(lazy=False, flat=True)[0].openapi()
    assert "/p/items/{number}" in lazy.openapi()["paths"]
    assert loads == [1]


def test_routes_left_out_of_the_document_are_not_loaded_for_it() -> None:
    app, loads = _app(lazy=False)
    app.router.routes.append(LazyRoutes(app.router, ["/q"], lambda: (), include_in_schema=False))
    document_every_route(app)
    app.openapi()
    assert any(isinstance(r, LazyRoutes) for r in app.routes)
    assert loads == [1]  # the eager include only


async def test_a_prefix_segment_in_braces_is_any_one_segment() -> None:
    loads: list[int] = []

    def load() -> tuple[APIRouter, ...]:
        loads.append(1)
        keys = APIRouter()
        keys.add_api_route("/{tenant}/keys", lambda tenant: {"tenant": tenant})
        return (keys,)

    app = FastAPI()
    app.router.routes.append(LazyRoutes(app.router, ["/{tenant}/keys"], load))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/a/b/keys")).status_code == 404
        assert (await http.get("/a/other")).status_code == 404
        assert loads == []
        assert (await http.get("/contoso/keys")).json() == {"tenant": "contoso"}
    assert loads == [1]


def test_a_route_outside_its_prefixes_is_refused_at_load() -> None:
    def load() -> tuple[APIRouter, ...]:
        stray = APIRouter()
        stray.add_api_route("/elsewhere", lambda: {})
        return (stray,)

    app = FastAPI()
    app.router.routes.append(LazyRoutes(app.router, ["/p"], load))
    with pytest.raises(ValueError, match="/elsewhere"):
        app.url_path_for("anything")
