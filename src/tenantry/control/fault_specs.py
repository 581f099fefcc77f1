"""What a sandbox fault is: its kind, the routes it matches, and how a request spells it.

A fault spec arrives as JSON (`POST /_tenantry/faults`), is checked here once, and leaves as
camelCase JSON. Every refusal names the member and the accepted values (400, 800002).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from tenantry.domain.errors import Errors, ServiceError

CONTROL_PREFIX = "/_tenantry"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
STATUSES = (429, 500, 503)
MAX_MILLISECONDS = 120_000
MAX_RETRY_AFTER = 3600
DEFAULT_RETRY_AFTER = 1


class Kind(StrEnum):
    LATENCY = "latency"
    STATUS = "status"
    DROP = "drop"
    BOM = "bom"
    UNKNOWN_ENUM = "unknownEnum"


class When(StrEnum):
    BEFORE = "before"
    AFTER = "after"


OUTCOMES = frozenset({Kind.STATUS, Kind.DROP})  # they decide the answer: one per request


def is_control_path(path: str) -> bool:
    """The control plane itself: never faulted, never recorded."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


@dataclass(frozen=True)
class RoutePattern:
    """`*`, or `<METHOD> <path>` where the method or the path may be `*` and any path
    segment may be `*` (exactly one segment). Paths compare case-insensitively."""

    text: str
    method: str | None  # None: any method
    segments: tuple[str, ...] | None  # None: any path

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and method.upper() != self.method:
            return False
        if self.segments is None:
            return True
        parts = path.lower().split("/")
        return len(parts) == len(self.segments) and all(
            want in ("*", got) for want, got in zip(self.segments, parts, strict=True)
        )


def parse_route(value: object) -> RoutePattern:
    if not isinstance(value, str) or not value.strip():
        raise _bad('route is required: "*" or "<METHOD> <path>", e.g. "POST /v1/customers"')
    text = " ".join(value.split())
    if text == "*":
        return RoutePattern("*", None, None)
    method, _, path = text.partition(" ")
    method = method.upper()
    if method != "*" and method not in METHODS:
        raise _bad(f"route method '{method[:20]}' must be * or one of {', '.join(sorted(METHODS))}")
    if not path or " " in path:
        raise _bad('route must be "<METHOD> <path>" with one path, e.g. "GET /v1/customers/*"')
    if path == "*":
        return RoutePattern(f"{method} *", None if method == "*" else method, None)
    if not path.startswith("/"):
        raise _bad(f"route path '{path[:100]}' must start with '/'")
    if "?" in path or "#" in path:
        raise _bad("route path must not carry a query string: faults match the path only")
    if is_control_path(path.lower()):
        raise _bad("faults never apply to the control plane (/_tenantry/...)")
    segments = tuple(path.lower().split("/"))
    if any(seg == "" for seg in segments[1:-1]):
        raise _bad(f"route path '{path[:100]}' has an empty segment ('//')")
    if any("*" in seg and seg != "*" for seg in segments):
        raise _bad("a '*' in a route path must be a whole segment, e.g. /v1/customers/*")
    return RoutePattern(f"{method} {path}", None if method == "*" else method, segments)


@dataclass(frozen=True)
class FaultSpec:
    route: RoutePattern
    kind: Kind
    probability: float = 1.0
    count: int | None = None  # None: until deleted
    when: When | None = None  # status and drop only
    milliseconds: int | None = None  # latency only
    status: int | None = None  # status only
    retry_after: int | None = None  # status 429 and 503 only

    def wire(self) -> dict[str, Any]:
        members: dict[str, Any] = {
            "route": self.route.text,
            "kind": self.kind.value,
            "probability": self.probability,
            "count": self.count,
            "when": self.when.value if self.when else None,
            "milliseconds": self.milliseconds,
            "status": self.status,
            "retryAfter": self.retry_after,
        }
        return {k: v for k, v in members.items() if v is not None}


def _bad(reason: str) -> ServiceError:
    return ServiceError(Errors.MALFORMED_REQUEST, {"reason": reason})


def _whole(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name.lower())
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(f"{name} must be a whole number from {low} to {high}")
    return value


def _probability(body: dict[str, Any]) -> float:
    value = body.get("probability")
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _bad("probability must be a number from 0 to 1 (default 1)")
    return float(value)


def _choice(body: dict[str, Any], name: str, choices: type[StrEnum]) -> str | None:
    value = body.get(name.lower())
    if value is None:
        return None
    allowed = {c.value.lower(): c.value for c in choices}
    if not isinstance(value, str) or value.lower() not in allowed:
        raise _bad(f"{name} must be one of {', '.join(allowed.values())}")
    return allowed[value.lower()]


def _refuse_foreign(body: dict[str, Any], kind: Kind) -> None:
    """A member that belongs to another kind is almost always a mistake: say so."""
    owners = {
        "milliseconds": {Kind.LATENCY},
        "status": {Kind.STATUS},
        "retryAfter": {Kind.STATUS},
        "when": OUTCOMES,
    }
    for name, kinds in owners.items():
        if body.get(name.lower()) is not None and kind not in kinds:
            allowed = " and ".join(sorted(k.value for k in kinds))
            raise _bad(f"{name} applies to kind {allowed} only, not to {kind.value}")


def spec_from_body(body: dict[str, Any]) -> FaultSpec:
    """A checked fault spec from a case-folded JSON object (`parse_json_object`)."""
    route = parse_route(body.get("route"))
    kind_name = _choice(body, "kind", Kind)
    if kind_name is None:
        raise _bad(f"kind is required: one of {', '.join(k.value for k in Kind)}")
    kind = Kind(kind_name)
    _refuse_foreign(body, kind)
    probability = _probability(body)
    count = _whole(body, "count", 1, 1_000_000)
    when_name = _choice(body, "when", When)
    when = When(when_name) if when_name else (When.BEFORE if kind in OUTCOMES else None)
    spec = FaultSpec(route, kind, probability, count, when)
    if kind is Kind.LATENCY:
        milliseconds = _whole(body, "milliseconds", 1, MAX_MILLISECONDS)
        if milliseconds is None:
            raise _bad(f"milliseconds is required for latency (1 to {MAX_MILLISECONDS})")
        return replace(spec, milliseconds=milliseconds)
    if kind is Kind.STATUS:
        status = body.get("status")
        if isinstance(status, bool) or status not in STATUSES:
            choices = ", ".join(map(str, STATUSES))
            raise _bad(f"status is required for kind status and must be one of {choices}")
        status = int(status)
        retry_after = _whole(body, "retryAfter", 0, MAX_RETRY_AFTER)
        if status == 500 and retry_after is not None:
            raise _bad("retryAfter applies to status 429 and 503 only")
        if status != 500 and retry_after is None:
            retry_after = DEFAULT_RETRY_AFTER
        return replace(spec, status=status, retry_after=retry_after)
    return spec
