"""Idempotent requests: the key a request is known by, and the response kept for it.

Key = (calling partner, method, route, MS-RequestId) as the *scope*, plus a hash of the
canonical body. The same key within the retention window replays the stored response.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class IdempotencyKey:
    scope_hash: str
    body_hash: str

    @classmethod
    def of(
        cls, partner_id: str, method: str, route: str, request_id: str, canonical_body: bytes
    ) -> IdempotencyKey:
        scope = "\x1f".join((partner_id, method.upper(), route, request_id))
        return cls(
            scope_hash=hashlib.sha256(scope.encode()).hexdigest(),
            body_hash=hashlib.sha256(canonical_body).hexdigest(),
        )


@dataclass(frozen=True)
class StoredResponse:
    """An outcome recorded for replay: status, the route's own headers, the exact body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    replayed: bool = False

    def as_replay(self) -> StoredResponse:
        return StoredResponse(self.status, self.headers, self.body, replayed=True)
