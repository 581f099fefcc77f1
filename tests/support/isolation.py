"""Helpers for the isolation tests: one partner with both kinds of token, and bad tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tenantry.domain.models import PartnerType
from tests.support.partners import Registered, register_partner
from tests.support.server import LiveServer


def add_partner_with_user(
    server: LiveServer, country: str, partner_type: PartnerType, name: str
) -> Registered:
    """Register a partner with one app and one user; get a token of each kind."""
    return register_partner(server, country, partner_type, name=name)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    compact = json.dumps(header, separators=(",", ":")).encode()
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return f"{_b64(compact)}.{_b64(payload)}"


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def flip_signature(token: str) -> str:
    """The same token with one character in the middle of its signature changed."""
    head, payload, signature = token.split(".")
    i = len(signature) // 2
    flipped = "A" if signature[i] != "A" else "B"
    return f"{head}.{payload}.{signature[:i]}{flipped}{signature[i + 1 :]}"


def swap_claims(token: str, claims: dict[str, Any]) -> str:
    """A real token's header and signature around other claims (a forged payload)."""
    head, _, signature = token.split(".")
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{payload}.{signature}"


class BadTokens:
    """Forged tokens, built from the claims of a real (App+User) token of the victim: if
    one were accepted, it would carry all of a signed-in partner user's powers."""

    def __init__(self, server: LiveServer, token: str) -> None:
        self._key = server.runtime.tokens.keys.current
        self.claims = claims_of(token)

    def signed(self, **changes: Any) -> str:
        """The victim's claims with `changes` (None removes a claim), signed by the
        server's own current key: only what changed can make it bad."""
        now = int(time.time())
        claims = {**self.claims, "iat": now, "nbf": now, "exp": now + 600}
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(
            claims, self._key.private_key, algorithm="RS256", headers={"kid": self._key.kid}
        )

    def foreign_key(self, kid: str | None = None) -> str:
        forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = int(time.time())
        claims = {**self.claims, "iat": now, "nbf": now, "exp": now + 600}
        return jwt.encode(claims, forger, algorithm="RS256", headers={"kid": kid or self._key.kid})

    def alg_none(self) -> str:
        now = int(time.time())
        claims = {**self.claims, "iat": now, "nbf": now, "exp": now + 600}
        return _unsigned({"alg": "none", "typ": "JWT", "kid": self._key.kid}, claims) + "."

    def hmac_with_public_key(self) -> str:
        """Algorithm confusion: HS256 keyed with the server's *public* key."""
        now = int(time.time())
        claims = {**self.claims, "iat": now, "nbf": now, "exp": now + 600}
        signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": self._key.kid}, claims)
        public = self._key.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        mac = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"
