"""`create_app(settings)`: routers, middleware, the exception table and the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import orjson
from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from tenantry.api.routes import customers, health, listing, oauth, relationship_requests
from tenantry.api.routes import metrics as metrics_route
from tenantry.config import Exposure, Settings
from tenantry.control import faults, inspection
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.ports import StorageBusy
from tenantry.domain.throttling import Throttled
from tenantry.http.availability import DatabaseGate
from tenantry.http.context import RequestContextMiddleware, get_context
from tenantry.http.errors import error_response
from tenantry.http.lazy_routes import LazyRoutes, document_every_route, flat_routes
from tenantry.http.listener_gate import ListenerGate, needs_gate, placement
from tenantry.http.observability import Metrics, ObservabilityMiddleware
from tenantry.http.paths import PathNormaliser
from tenantry.http.startup import Startup
from tenantry.runtime import Runtime, database_unavailable
from tenantry.web import portal
from tenantry.web.headers import WebHeaders
from tenantry.web.pages import STATIC
from tenantry.web.unavailable import unavailable_page

log = logging.getLogger("tenantry")

PURGE_INTERVAL_SECONDS = 300.0


def _locale(request: Request) -> str:
    return get_context(request.scope).locale


async def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return error_response(exc, _locale(request))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    path = request.url.path[:200]
    if exc.status_code == 404:
        error = ServiceError(Errors.ROUTE_NOT_FOUND, {"path": path})
    elif exc.status_code == 405:
        error = ServiceError(Errors.METHOD_NOT_ALLOWED, {"method": request.method, "path": path})
    else:
        error = ServiceError(Errors.MALFORMED_REQUEST, {"reason": str(exc.detail)})
    response = error_response(error, _locale(request))
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def api_routes(routes: Iterable[object]) -> Iterator[APIRoute]:
    """Every API route in `routes`, through included and lazily included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None) or getattr(route, "routes", None)
        if nested is not None:
            yield from api_routes(getattr(nested, "routes", nested))


def _allowed_methods(request: Request) -> list[str]:
    """Every method any route offers for this path (one path may span several routers)."""
    methods: set[str] = set()
    for route in api_routes(request.app.routes):
        if route.path_regex.match(request.url.path):
            methods |= route.methods or set()
    return sorted(methods)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        FieldProblem(
            Errors.MALFORMED_REQUEST,
            ".".join(str(part) for part in err.get("loc", ())),
            "is not valid",
            {"reason": str(err.get("msg", "is not valid"))},
        )
        for err in exc.errors()
    ]
    if not problems:
        problems = [
            FieldProblem(Errors.MALFORMED_REQUEST, "request", "is not valid", {"reason": "invalid"})
        ]
    return error_response(ServiceError.from_problems(problems), _locale(request))


async def _throttled(request: Request, exc: Exception) -> Response:
    """Partner Center's throttling answer: its own body, not the error envelope."""
    assert isinstance(exc, Throttled)
    seconds = exc.retry_after
    body = {
        "statusCode": 429,
        "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
    }
    return Response(
        orjson.dumps(body),
        status_code=429,
        headers={"Retry-After": str(seconds)},
        media_type="application/json; charset=utf-8",
    )


async def _busy(request: Request, exc: Exception) -> Response:
    return error_response(ServiceError(Errors.SERVICE_BUSY, {"seconds": 1}), _locale(request))


async def _purge_forever(runtime: Runtime) -> None:
    while True:
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
        try:
            purged = await runtime.purge_expired()
            if purged:
                log.info("purged %d expired idempotency records", purged)
        except Exception as exc:
            if database_unavailable(exc):  # an outage: one line, not a traceback each time
                log.warning("periodic purge skipped: the database is unreachable")
            else:
                log.exception("periodic purge failed; will retry")


def create_app(settings: Settings, *, on_ready: Callable[[Runtime], None] | None = None) -> FastAPI:
    """The ASGI application. `on_ready` runs once the database and keys are ready."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        background: list[asyncio.Task[None]] = []

        async def prepare(runtime: Runtime) -> None:
            app.state.runtime = runtime
            if settings.seed_file is not None:
                from tenantry.control.state import load_seed_file

                await load_seed_file(runtime, settings.seed_file)
            background.append(asyncio.create_task(_purge_forever(runtime)))
            # Rotated or retired on any node: in effect here within --key-reload.
            keys = runtime.signing_keys.reload_forever(settings.key_reload_seconds)
            background.append(asyncio.create_task(keys))
            metrics.watch_pool(runtime.database_pool)

        # Listens at once; until the database is reached, /readyz and requests answer 503.
        startup = Startup(settings, readiness, prepare, on_ready)
        await startup.begin()
        try:
            yield
        finally:
            readiness.draining = True
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await startup.end()  # a start still waiting for the database stops there
            if settings.ephemeral:  # uvicorn re-raises SIGTERM afterwards: no atexit then
                shutil.rmtree(settings.data_dir, ignore_errors=True)

    app = FastAPI(
        title="Tenantry",
        summary="A wire-compatible Microsoft Partner Center customer API.",
        version="0.1.0",
        lifespan=lifespan,
        # Production switches: a surface set to `off` is not mounted at all.
        docs_url="/docs" if placement(settings)["docs"] else None,
        openapi_url="/openapi.json" if placement(settings)["openapi"] else None,
        redoc_url=None,
        redirect_slashes=False,  # a 307 without the error envelope helps no client
    )
    metrics = Metrics()
    readiness = health.Readiness()
    app.state.metrics = metrics
    app.state.readiness = readiness
    # Starlette wraps the last one added outermost: the path normaliser, observability (the
    # request's log line and metrics, as the client saw it), then context (MS-* headers),
    # then inspection (sees what the client sees), then faults, then the database gate
    # (503 while the database is away; closest to the routes).
    if needs_gate(settings):  # innermost: a surface on the wrong listener is a 404
        app.add_middleware(ListenerGate, settings=settings)
    app.add_middleware(DatabaseGate, readiness=readiness, page=unavailable_page)
    app.add_middleware(faults.FaultMiddleware)
    app.add_middleware(inspection.InspectionMiddleware)
    app.add_middleware(
        RequestContextMiddleware,
        server_id=settings.server_id,
        strict_headers=settings.strict_headers,
    )
    app.add_middleware(WebHeaders)  # every answer of the portal and the static files
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    app.add_middleware(PathNormaliser)  # outermost: every layer sees the routed path
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StorageBusy, _busy)
    app.add_exception_handler(Throttled, _throttled)
    # In matching order. The first create's two requests (the token, POST /v1/customers)
    # are answered by included routers; the others are imported at the first request
    # under their paths (`http/lazy_routes.py`, decision 0026). relationship_requests
    # before customers: its fixed path would match `{customer_id}`.
    routes = app.router.routes
    for module in (listing, relationship_requests, customers):
        routes.extend(flat_routes(module.router))
    routes.append(LazyRoutes(app.router, ["/v1"], _v1_routers))
    routes.extend(flat_routes(oauth.router))
    routes.append(LazyRoutes(app.router, SIGN_IN_PREFIXES, _sign_in_routers))
    routes.extend(flat_routes(health.router))
    routes.append(LazyRoutes(app.router, ["/_tenantry/audit"], _audit_routers))
    if settings.exposure("metrics") is not Exposure.OFF:
        routes.extend(flat_routes(metrics_route.router))
    if settings.exposure("portal") is not Exposure.OFF:
        portal_routes = LazyRoutes(app.router, [portal.PREFIX], portal.routers)
        app.router.routes.append(portal_routes)
    if settings.admin_port is not None:  # `serving/` binds it beside the main port
        app.state.admin_listener = (settings.admin_host, settings.admin_port)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.sandbox:  # the control plane does not exist in production mode
        control = LazyRoutes(app.router, ["/_tenantry"], _control_routers, include_in_schema=False)
        app.router.routes.append(control)
    document_every_route(app)
    return app


# The paths of the sign-in pages and of the OpenID discovery documents.
SIGN_IN_PREFIXES = ("/{tenant}/oauth2", "/{tenant}/v2.0", "/{tenant}/discovery")


def _v1_routers() -> tuple[APIRouter, ...]:
    """The /v1 routers after the customers' own, in matching order."""
    from tenantry.api.routes import (
        agreements,
        directory,
        domains,
        offers,
        orders,
        profiles,
        subscriptions,
        validation,
    )

    modules = (profiles, directory, agreements, offers, orders, subscriptions, domains)
    return tuple(module.router for module in (*modules, validation))


def _sign_in_routers() -> tuple[APIRouter, ...]:
    from tenantry.api.routes import discovery
    from tenantry.web import signin

    return (signin.router, discovery.router)


def _audit_routers() -> tuple[APIRouter, ...]:
    from tenantry.api.routes import audit

    return (audit.router,)


def _control_routers() -> tuple[APIRouter, ...]:
    """The sandbox control plane's routers (none in the OpenAPI document)."""
    from tenantry.control import limits, state

    return (state.router, limits.router, faults.router, inspection.router)
