"""Authenticated encryption for data kept at rest (stored responses, private keys)."""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12
_VERSION = b"\x01"


class SealError(ValueError):
    """A sealed value was tampered with or sealed under another key."""


class Sealer:
    """AES-256-GCM. Output: version byte, 12-byte nonce, ciphertext with tag."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, context: bytes = b"") -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes = b"") -> bytes:
        if sealed[:1] != _VERSION:
            raise SealError("unknown sealed-value version")
        nonce, body = sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :]
        try:
            return self._aead.decrypt(nonce, body, context)
        except InvalidTag as exc:
            raise SealError("sealed value failed authentication") from exc
