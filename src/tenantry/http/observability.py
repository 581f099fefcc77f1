"""The request line of the server log and the Prometheus metrics, from one ASGI middleware.

Outermost in the stack, so it sees every answer as the client does, including the ones the
request-context middleware writes itself. Labels are bounded: the route *template*
(`/v1/customers/{customer_id}`, never the path), the method, the status and the Partner
Center error code; a request no route matched is labelled `unmatched`. A request whose
client disconnected before its answer is counted, and logged, with status 499 (nginx's
"client closed request"), not as a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry.http.context import RequestContext, client_disconnected
from tenantry.http.deps import PARTNER_STATE
from tenantry.http.metrics_registry import (
    POOL_READINGS,
    SharedPoolGauges,
    exposition,
    multiprocess_dir,
    pool_reading,
)

access_log = logging.getLogger("tenantry.access")

UNMATCHED = "unmatched"
CLIENT_CLOSED_REQUEST = 499
CREATE_ROUTE = "/v1/customers"
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _PoolCollector(Collector):
    """The database pool as SQLAlchemy reports it, read at scrape time."""

    def __init__(self) -> None:
        self.pool: Any = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self.pool
        for name, documentation, method in POOL_READINGS:
            value = pool_reading(pool, method)
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)


class Metrics:
    """One registry per application, so that several apps in one process (tests) do not
    share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tenantry_http_requests",
            "HTTP requests answered, by route template, method, status and error code.",
            ("route", "method", "status", "code"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "tenantry_http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer.",
            ("route", "method"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._answered: dict[tuple[str, ...], Any] = {}
        self._timed: dict[tuple[str, ...], Any] = {}
        self.customers_created = Counter(
            "tenantry_customers_created",
            "Customers created (replays not counted).",
            registry=self.registry,
        )
        self.replays = Counter(
            "tenantry_idempotent_replays",
            "Answers replayed for a repeated MS-RequestId.",
            registry=self.registry,
        )
        self.throttled = Counter(
            "tenantry_throttled_responses", "Requests answered 429.", registry=self.registry
        )
        # One of several workers: the pool gauges go where every worker's scrape reads them.
        self.shared_pool = SharedPoolGauges(self.registry) if multiprocess_dir() else None
        self.pool = _PoolCollector()
        if self.shared_pool is None:
            self.registry.register(self.pool)

    def answered(self, route: str, method: str, status: int, code: str) -> Any:
        """The request counter's child for these labels."""
        return _child(self._answered, self.requests, route, method, str(status), code)

    def timed(self, route: str, method: str) -> Any:
        """The latency histogram's child for a route and method."""
        return _child(self._timed, self.latency, route, method)

    def watch_pool(self, pool: Any) -> None:
        self.pool.pool = pool
        if self.shared_pool is not None:
            self.shared_pool.watch(pool)

    def exposition(self) -> bytes:
        """The text a scrape of `/metrics` answers (every worker's, with several)."""
        return exposition(self.registry)


def _child(kept: dict[tuple[str, ...], Any], metric: Any, *labels: str) -> Any:
    """`metric.labels(*labels)`, kept in `kept`: the labels are bounded (route templates,
    methods, statuses, codes), and a lookup through `labels()` cost more than the rest of
    a request's bookkeeping."""
    child = kept.get(labels)
    if child is None:
        child = kept[labels] = metric.labels(*labels)
    return child


def _error_code(body: bytes) -> str:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return ""
    code = document.get("code") if isinstance(document, dict) else None
    return str(code) if isinstance(code, (int, str)) else ""


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        status = 500
        started_answer = False
        replayed = False
        error_body = b""

        async def observe(message: Message) -> None:
            nonlocal status, started_answer, replayed, error_body
            if message["type"] == "http.response.start":
                started_answer = True
                status = int(message["status"])
                for name, value in message.get("headers", ()):
                    if name.lower() == b"idempotent-replayed" and value == b"true":
                        replayed = True
            elif message["type"] == "http.response.body" and status >= 400 and not error_body:
                error_body = message.get("body", b"")  # small envelopes come in one piece
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            if not started_answer and client_disconnected(scope):
                status = CLIENT_CLOSED_REQUEST
            self._record(scope, state, status, replayed, error_body, started)

    def _record(
        self,
        scope: Scope,
        state: dict[str, Any],
        status: int,
        replayed: bool,
        error_body: bytes,
        started: float,
    ) -> None:
        elapsed = time.perf_counter() - started
        route_object = scope.get("route")
        route = getattr(route_object, "path", None) or UNMATCHED
        method = scope["method"]
        code = _error_code(error_body) if status >= 400 and status != 429 else ""
        m = self.metrics
        m.answered(route, method, status, code).inc()
        m.timed(route, method).observe(elapsed)
        if status == 429:
            m.throttled.inc()
        if replayed:
            m.replays.inc()
        elif status == 201 and method == "POST" and route == CREATE_ROUTE:
            m.customers_created.inc()
        if not access_log.isEnabledFor(logging.INFO):
            return
        ctx = state.get("tenantry_ctx")
        ids = ctx if isinstance(ctx, RequestContext) else None
        partner = state.get(PARTNER_STATE)
        duration_ms = round(elapsed * 1000, 1)
        access_log.info(
            "%s %s %d %.1fms request %s correlation %s",
            method,
            route,
            status,
            duration_ms,
            ids.request_id if ids else "-",
            ids.correlation_id if ids else "-",
            extra={
                "method": method,
                "route": route,
                "status": status,
                "code": code or None,
                "duration_ms": duration_ms,
                "request_id": ids.request_id if ids else None,
                "correlation_id": ids.correlation_id if ids else None,
                "cv": ids.cv if ids else None,
                "partner_id": partner,
            },
        )
