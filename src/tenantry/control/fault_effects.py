"""What an injected fault does to the answer, at the ASGI level.

- status: Partner Center's throttling body (429) or the error envelope (500, 503);
- drop: the connection goes away without an HTTP response;
- bom / unknownEnum: rewrite a JSON body, with its Content-Length fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.types import Message, Receive, Scope, Send

from tenantry.domain.errors import Errors, ServiceError
from tenantry.http.body import BOM
from tenantry.http.context import get_context
from tenantry.http.errors import JSON_TYPE, envelope_bytes, error_headers

# Members a client models as enums, per resource type (`attributes.objectType`), and a value
# no client has seen. `objectType` itself is left alone: clients need it to parse anything.
UNKNOWN_VALUES: dict[str, dict[str, str]] = {
    "Customer": {"relationshipToPartner": "future_relationship"},
    "AddressValidationResponse": {"status": "FutureValidationStatus"},
    "DelegatedAdminRelationship": {"status": "futureStatus"},
    "CustomerUser": {"state": "future_state", "userDomainType": "future_domain_type"},
    "PartnerRelationship": {"relationshipType": "is_future_partner_of", "state": "FutureState"},
}


@dataclass
class Reply:
    """A complete HTTP answer held in memory."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes = b""

    def header(self, name: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def is_json(self) -> bool:
        media = (self.header(b"content-type") or b"").split(b";")[0].strip().lower()
        return media == b"application/json" or media.endswith(b"+json")


@dataclass
class Capture:
    """Collects the route's answer instead of sending it."""

    start: Message | None = None
    chunks: list[bytes] = field(default_factory=list)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    def reply(self) -> Reply | None:
        if self.start is None:
            return None
        return Reply(
            self.start["status"], list(self.start.get("headers", [])), b"".join(self.chunks)
        )


async def send_reply(send: Send, reply: Reply) -> None:
    """Send in one piece, with a Content-Length that matches the (possibly rewritten) body."""
    headers = _sized(reply.headers, len(reply.body))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


def _sized(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    framing = (b"content-length", b"transfer-encoding")
    kept = [(k, v) for k, v in headers if k.lower() not in framing]
    return [*kept, (b"content-length", str(length).encode())]


def throttled(seconds: int) -> Reply:
    """Partner Center's 429: not the error envelope, and with Retry-After."""
    message = f"Rate limit is exceeded. Try again in {seconds} seconds."
    body = orjson.dumps({"statusCode": 429, "message": message})
    return Reply(
        429, [(b"content-type", JSON_TYPE.encode()), (b"retry-after", b"%d" % seconds)], body
    )


def failure(scope: Scope, status: int, retry_after: int | None) -> Reply:
    """A 500 (800003) or a 503 (880016, with Retry-After), as the service itself answers."""
    ctx = get_context(scope)
    if status == 503:
        error = ServiceError(Errors.SERVICE_BUSY, {"seconds": retry_after or 0})
    else:
        error = ServiceError(Errors.UNEXPECTED, {"correlation_id": ctx.correlation_id})
    headers = [(b"content-type", JSON_TYPE.encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error_headers(error).items()]
    return Reply(error.spec.status, headers, envelope_bytes(error, ctx.locale))


def status_reply(scope: Scope, status: int, retry_after: int | None) -> Reply:
    if status == 429:
        return throttled(retry_after or 0)
    return failure(scope, status, retry_after)


def _rewrite(value: Any) -> Any:
    if isinstance(value, list):
        return [_rewrite(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _rewrite(item) for key, item in value.items()}
    attributes = out.get("attributes")
    object_type = attributes.get("objectType") if isinstance(attributes, dict) else None
    for member, unknown in UNKNOWN_VALUES.get(str(object_type), {}).items():
        if isinstance(out.get(member), str):
            out[member] = unknown
    return out


def transform(reply: Reply, *, bom: bool, unknown_enum: bool) -> Reply:
    """The body rewrites: JSON bodies only, and never an empty one."""
    if not reply.body or not reply.is_json:
        return reply
    body = reply.body
    if unknown_enum:
        with contextlib.suppress(orjson.JSONDecodeError):  # not JSON after all: leave it
            body = orjson.dumps(_rewrite(orjson.loads(body)))
    if bom and not body.startswith(BOM):
        body = BOM + body
    return Reply(reply.status, reply.headers, body)


async def drop(scope: Scope, receive: Receive, send: Send, reply: Reply | None) -> None:
    """Lose the connection without a complete HTTP response.

    Under uvicorn the connection's transport is reachable from `receive` (a method of the
    request cycle): abort it, so the client sees the connection go with no response at
    all, as when a gateway or the network fails. Elsewhere, start the answer (the route's
    `reply`, else a 503) and stop half way through its body: ASGI servers close a
    connection whose answer is left incomplete.
    """
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    abort = getattr(transport, "abort", None)
    if callable(abort):
        abort()
        # Let the server notice the lost connection before the app returns, so that it
        # does not try to answer on a closed connection (and does not log that it could not).
        for _ in range(3):
            await asyncio.sleep(0)
        return
    if reply is None or not reply.body or reply.status in (204, 304):
        reply = failure(scope, 503, 1)
    headers = _sized(reply.headers, len(reply.body))
    half = reply.body[: len(reply.body) // 2]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": half, "more_body": True})
