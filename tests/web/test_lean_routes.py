"""`LeanRoute` calls plain endpoints with their arguments directly, and leaves every other
endpoint to FastAPI."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tenantry.api.routes import customers, listing, relationship_requests
from tenantry.app import _v1_routers, api_routes
from tenantry.http.deps import REQUEST_PROVIDERS
from tenantry.http.lean_routes import LeanRoute, lean_handler


async def who(request: Request) -> str:
    return request.headers.get("x-who", "nobody")


WhoDep = Annotated[str, Depends(who)]
PROVIDERS: dict[Any, Any] = {who: who}


def _router() -> APIRouter:
    router = APIRouter(route_class=LeanRoute)

    @router.get("/items/{item_id}")
    async def item(item_id: str, request: Request) -> Response:
        return JSONResponse({"item": item_id, "path": request.url.path})

    @router.get("/search")
    async def search(q: str) -> Response:
        return JSONResponse({"q": q})

    @router.get("/wrong")
    async def wrong() -> dict[str, str]:  # a lean endpoint must return a Response
        return {"not": "a response"}

    return router


async def _get(app: FastAPI, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.get(path, **kwargs)


async def test_a_plain_endpoint_gets_its_path_parameters_and_request() -> None:
    app = FastAPI()
    app.router.routes.extend(_router().routes)
    answer = await _get(app, "/items/a%20b")
    assert answer.json() == {"item": "a b", "path": "/items/a b"}


async def test_an_endpoint_with_query_parameters_keeps_fastapis_validation() -> None:
    app = FastAPI()
    app.router.routes.extend(_router().routes)
    assert (await _get(app, "/search", params={"q": "x"})).json() == {"q": "x"}
    assert (await _get(app, "/search")).status_code == 422  # FastAPI's handler said so


async def test_an_endpoint_that_returns_no_response_fails_loudly() -> None:
    app = FastAPI()
    app.router.routes.extend(_router().routes)
    assert (await _get(app, "/wrong")).status_code == 500


def test_dependencies_come_from_their_providers_or_not_at_all() -> None:
    router = APIRouter()

    @router.get("/me")
    async def me(name: WhoDep) -> Response:
        return JSONResponse({"me": name})

    class Body(BaseModel):
        x: int

    @router.post("/body")
    async def body(value: Body) -> Response:
        return JSONResponse({})

    route_me, route_body = router.routes
    assert lean_handler(route_me.dependant, PROVIDERS) is not None  # type: ignore[attr-defined]
    assert lean_handler(route_me.dependant, {}) is None  # type: ignore[attr-defined]
    assert lean_handler(route_body.dependant, PROVIDERS) is None  # type: ignore[attr-defined]


async def test_a_lean_handler_awaits_each_provider() -> None:
    router = APIRouter()

    @router.get("/me/{tag}")
    async def me(tag: str, name: WhoDep) -> Response:
        return JSONResponse({"me": name, "tag": tag})

    (route,) = router.routes
    handler = lean_handler(route.dependant, PROVIDERS)  # type: ignore[attr-defined]
    assert handler is not None
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/me/t",
        "headers": [(b"x-who", b"zoe")],
        "path_params": {"tag": "t"},
        "query_string": b"",
    }
    response = await handler(Request(scope))
    assert response.body == b'{"me":"zoe","tag":"t"}'


async def test_a_router_included_with_dependencies_runs_them() -> None:
    async def refuse() -> None:
        raise HTTPException(status_code=403)

    app = FastAPI()
    app.include_router(_router(), dependencies=[Depends(refuse)])
    assert (await _get(app, "/items/x")).status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/customers"),
        ("GET", "/v1/customers/{customer_id}"),
        ("GET", "/v1/customers"),
        ("GET", "/v1/customers/{customer_id}/subscriptions"),
        ("GET", "/v1/countryvalidationrules/{country}"),
    ],
)
def test_the_partner_center_routes_users_call_most_are_lean(method: str, path: str) -> None:
    routers = (listing.router, relationship_requests.router, customers.router, *_v1_routers())
    matching = [
        route
        for route in api_routes(route for router in routers for route in router.routes)
        if route.path == path and method in (route.methods or ())
    ]
    assert len(matching) == 1
    (route,) = matching
    assert isinstance(route, LeanRoute)
    assert lean_handler(route.dependant, REQUEST_PROVIDERS) is not None
