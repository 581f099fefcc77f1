"""Values handed to clients and taken back unchanged: signed so they cannot be forged."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

_TAG_BYTES = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TamperProof:
    """`<payload>.<tag>`, both base64url; the tag is a truncated HMAC-SHA256."""

    def __init__(self, key: bytes, max_length: int = 4096) -> None:
        self._key = key
        self._max_length = max_length

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_TAG_BYTES]

    def wrap(self, payload: bytes) -> str:
        return f"{_b64(payload)}.{_b64(self._tag(payload))}"

    def unwrap(self, token: str) -> bytes | None:
        """The payload if the token is intact, else None."""
        encoded, dot, tag = token.partition(".")
        if not dot or len(token) > self._max_length:
            return None
        try:
            payload, given = _unb64(encoded), _unb64(tag)
        except (binascii.Error, ValueError):
            return None
        return payload if hmac.compare_digest(self._tag(payload), given) else None
