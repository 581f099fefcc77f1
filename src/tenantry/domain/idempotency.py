"""Idempotent requests: the key a request is known by, and the response kept for it.

Key = (calling partner, method, route, MS-RequestId) as the *scope*, plus a hash of the
canonical body. The same key within the retention window replays the stored response.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime

# In strict mode a request claims its scope alone: a second body for the same scope then
# meets the first one's record instead of getting a record of its own.
_ANY_BODY = "*"


@dataclass(frozen=True)
class IdempotencyKey:
    scope_hash: str
    body_hash: str

    @classmethod
    def of(
        cls,
        secret: bytes,
        partner_id: str,
        method: str,
        route: str,
        request_id: str,
        canonical_body: bytes,
    ) -> IdempotencyKey:
        """Keyed hashes (HMAC-SHA256): a body may hold a secret, such as a password a
        caller wrongly supplied, and a plain hash of it could be guessed offline."""
        scope = "\x1f".join((partner_id, method.upper(), route, request_id))
        return cls(
            scope_hash=hmac.new(secret, scope.encode(), hashlib.sha256).hexdigest(),
            body_hash=hmac.new(secret, canonical_body, hashlib.sha256).hexdigest(),
        )

    def claim(self, strict: bool) -> IdempotencyKey:
        """The key the record is stored under: the whole key, or the scope in strict mode."""
        return replace(self, body_hash=_ANY_BODY) if strict else self


@dataclass(frozen=True)
class StoredResponse:
    """An outcome recorded for replay: status, the route's own headers, the exact body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    request_hash: str = ""  # the body hash of the request this answers
    replayed: bool = False

    def as_replay(self) -> StoredResponse:
        return replace(self, replayed=True)

    def answering(self, key: IdempotencyKey) -> StoredResponse:
        return replace(self, request_hash=key.body_hash)


class NothingKept:
    """An idempotency repository that remembers nothing: work inside the sandbox's
    whole-state transaction (seeding) replays nothing and records nothing."""

    async def get(self, key: IdempotencyKey, now: datetime) -> StoredResponse | None:
        return None

    async def insert(
        self, key: IdempotencyKey, response: StoredResponse, now: datetime, expires_at: datetime
    ) -> None:
        return None

    async def purge(self, now: datetime) -> int:
        return 0
