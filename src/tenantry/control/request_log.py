"""The last requests' outcomes, in memory, for a developer to see why a client failed.

An entry holds what a log line would: when, method, path, status, the Partner Center error
code, the request and correlation ids, whether it was an idempotent replay, the injected
faults, and how long it took. Never headers, bodies, tokens, passwords or query strings.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

import orjson

from tenantry.http.body import BOM

CAPACITY = 1000
MAX_ERROR_BODY = 4096  # error envelopes are small; anything larger is not parsed
_STATE_ATTRIBUTE = "tenantry_requests"
MAX_PATH = 300


@dataclass(frozen=True)
class Entry:
    time: datetime
    method: str
    path: str
    status: int | None  # None: no answer was sent (a dropped connection)
    code: int | None
    request_id: str
    correlation_id: str
    replayed: bool
    faults: tuple[dict[str, Any], ...]
    duration_ms: float

    def wire(self) -> dict[str, Any]:
        members: dict[str, Any] = {
            "time": self.time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "code": self.code,
            "requestId": self.request_id,
            "correlationId": self.correlation_id,
            "replayed": self.replayed,
            "faults": list(self.faults) or None,
            "durationMs": round(self.duration_ms, 1),
        }
        return {k: v for k, v in members.items() if v is not None}


def envelope_code(body: bytes) -> int | None:
    """The `code` of a Partner Center error envelope, or None for any other body."""
    if len(body) > MAX_ERROR_BODY:
        return None
    try:
        value = orjson.loads(body.removeprefix(BOM))
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict) or "description" not in value:
        return None
    code = value.get("code")
    return code if isinstance(code, int) and not isinstance(code, bool) else None


class RequestLog:
    """A ring of the last `capacity` entries; newest first when read."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._entries: deque[Entry] = deque(maxlen=capacity)

    def add(self, entry: Entry) -> None:
        self._entries.append(entry)

    def newest(self, limit: int) -> list[Entry]:
        return list(islice(reversed(self._entries), limit))

    def clear(self) -> None:
        self._entries.clear()


def request_log_of(app: Any) -> RequestLog:
    """The application's log, created on first use."""
    log = getattr(app.state, _STATE_ATTRIBUTE, None)
    if not isinstance(log, RequestLog):
        log = RequestLog()
        setattr(app.state, _STATE_ATTRIBUTE, log)
    return log
