"""`LazyRoutes` answers as `include_router` would have, loading its routers at first use."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from tenantry.web.lazy_routes import LazyRoutes


def _app(lazy: bool) -> tuple[FastAPI, list[int]]:
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
        app.router.routes.append(LazyRoutes("/p", load, dependency_overrides_provider=app))
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
    assert await _answers(lazy) == await _answers(eager)
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
    app.router.routes.append(LazyRoutes("/p", load))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        with pytest.raises(ImportError):
            await http.get("/p")
        assert (await http.get("/p")).json() == {"ok": True}
