"""Hashes for secrets Tenantry generates itself (admin passwords, client secrets).

Such secrets carry at least 95 bits of entropy, so guessing them is infeasible whatever the
hash costs; a salted SHA-256 keeps creates fast. Human-chosen passwords need a slow,
memory-hard function instead (see docs/decisions/0002-secret-hashing.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_SCHEME = "sha256"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


class GeneratedSecretHasher:
    """`sha256$<salt>$<digest>`, verified in constant time."""

    def hash(self, secret: str) -> str:
        salt = secrets.token_bytes(16)
        digest = hashlib.sha256(salt + secret.encode()).digest()
        return f"{_SCHEME}${_b64(salt)}${_b64(digest)}"

    def verify(self, hashed: str, secret: str) -> bool:
        try:
            scheme, salt_text, digest_text = hashed.split("$")
            salt = base64.b64decode(salt_text + "=" * (-len(salt_text) % 4))
        except ValueError:
            return False
        if scheme != _SCHEME:
            return False
        digest = hashlib.sha256(salt + secret.encode()).digest()
        return hmac.compare_digest(_b64(digest), digest_text)
