"""External OpenID Connect issuers an operator trusts (for example Microsoft Entra ID).

Configured with a JSON file (`tenantry serve --trust-issuers FILE`):

    [{"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
      "audience": "https://api.partnercenter.microsoft.com",
      "jwksUrl": "https://login.microsoftonline.com/common/discovery/v2.0/keys"}]

`{tenantid}` stands for the token's own `tid`, so one entry serves every tenant of a
multi-tenant issuer. `jwksFile` (a path) may replace `jwksUrl`. A token from such an
issuer is verified with the issuer's keys (RS256), its exact issuer and audience, and
its lifetime; its `tid` must still be a registered partner.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

_ALGORITHMS = ["RS256"]
_UNKNOWN_KID_SECONDS = 60.0


class IssuerConfigError(ValueError):
    """The trusted-issuers file cannot be used; the message says why."""


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str  # may contain {tenantid}
    audience: str
    jwks_url: str | None = None
    jwks_file: Path | None = None

    def matches(self, iss: str, tid: str) -> bool:
        return iss == self.issuer.replace("{tenantid}", tid)


def load_trusted_issuers(path: Path) -> tuple[TrustedIssuer, ...]:
    try:
        entries = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise IssuerConfigError(f"cannot read the trusted issuers file {path}: {exc}") from exc
    if not isinstance(entries, list):
        raise IssuerConfigError(f"{path}: expected a JSON array of issuers")
    issuers = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise IssuerConfigError(f"{path}: entry {i} is not an object")
        issuer, audience = entry.get("issuer"), entry.get("audience")
        url, file = entry.get("jwksUrl"), entry.get("jwksFile")
        if not isinstance(issuer, str) or not isinstance(audience, str):
            raise IssuerConfigError(f"{path}: entry {i} needs 'issuer' and 'audience'")
        if (url is None) == (file is None):
            raise IssuerConfigError(f"{path}: entry {i} needs exactly one of jwksUrl, jwksFile")
        jwks_file = None if file is None else (path.parent / str(file)).resolve()
        if jwks_file is not None and not jwks_file.is_file():
            raise IssuerConfigError(f"{path}: entry {i}: no JWKS file at {jwks_file}")
        issuers.append(TrustedIssuer(issuer, audience, url, jwks_file))
    return tuple(issuers)


class ExternalVerifier:
    """Verifies tokens of the trusted issuers with their published keys."""

    def __init__(self, issuers: tuple[TrustedIssuer, ...]) -> None:
        self._issuers = issuers
        # Key sets from files are read once; an operator restarts to change them.
        self._file_keys = {
            i.jwks_file: jwt.PyJWKSet.from_json(i.jwks_file.read_text())
            for i in issuers
            if i.jwks_file is not None
        }
        # Key ids an issuer did not know, remembered for a while: anyone can send a token
        # naming one, and each must not cost a fetch of the issuer's keys.
        self._unknown: dict[tuple[str, str], float] = {}
        self._clients: dict[str, jwt.PyJWKClient] = {
            i.jwks_url: jwt.PyJWKClient(i.jwks_url, cache_keys=True, lifespan=3600)
            for i in issuers
            if i.jwks_url is not None
        }

    def issuer_for(self, claims: dict[str, Any]) -> TrustedIssuer | None:
        iss, tid = claims.get("iss"), claims.get("tid")
        if not isinstance(iss, str) or not isinstance(tid, str):
            return None
        return next((i for i in self._issuers if i.matches(iss, tid)), None)

    async def verify(self, token: str, issuer: TrustedIssuer, tid: str) -> dict[str, Any]:
        """The verified claims; raises `jwt.PyJWTError` for any failure."""
        key = await self._signing_key(token, issuer)
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=_ALGORITHMS,
            audience=issuer.audience,
            issuer=issuer.issuer.replace("{tenantid}", tid),
            options={"require": ["exp", "iat", "aud", "iss", "tid"]},
        )
        return claims

    async def _signing_key(self, token: str, issuer: TrustedIssuer) -> Any:
        kid = str(jwt.get_unverified_header(token).get("kid"))
        if issuer.jwks_file is not None:
            for key in self._file_keys[issuer.jwks_file].keys:
                if key.key_id == kid:
                    return key.key
            raise jwt.InvalidKeyError("the token's key id is not in the issuer's key set")
        url = str(issuer.jwks_url)
        remembered = self._unknown.get((url, kid))
        if remembered is not None and time.monotonic() - remembered < _UNKNOWN_KID_SECONDS:
            raise jwt.InvalidKeyError("the token's key id is not in the issuer's key set")
        try:
            # PyJWKClient fetches over HTTP synchronously (and caches): keep it off the loop.
            found = await asyncio.to_thread(self._clients[url].get_signing_key_from_jwt, token)
        except jwt.PyJWKClientError:
            self._unknown[(url, kid)] = time.monotonic()
            raise
        return found.key
