"""Access tokens: issued by the token endpoint, verified on every `/v1` request.

A verified token is remembered until it expires (a bounded cache keyed by the token), with
the key that signed it; a remembered token counts only while that key is still loaded, so a
key retired on any node ends its tokens here at this process's next key reload, cache
included, without a query per request.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt

from tenantry.auth.issuers import ExternalVerifier
from tenantry.auth.signing_keys import SigningKeyStore
from tenantry.domain.models import PartnerUser

PARTNER_CENTER_AUDIENCE = "https://api.partnercenter.microsoft.com"
# The official .NET SDK still asks for the legacy Azure AD Graph audience for app-only tokens.
LEGACY_GRAPH_AUDIENCE = "https://graph.windows.net"
AUDIENCES = (PARTNER_CENTER_AUDIENCE, LEGACY_GRAPH_AUDIENCE)
_CACHE_SIZE = 4096  # tokens remembered; the least recently used is forgotten first


def _issuers(tenant_id: str) -> tuple[str, str]:
    """The two issuer forms the token endpoint writes (v2 and v1), for this tenant only."""
    return (
        f"https://login.microsoftonline.com/{tenant_id}/v2.0",
        f"https://sts.windows.net/{tenant_id}/",
    )


def _roles(claims: dict[str, Any]) -> tuple[str, ...] | None:
    roles = claims.get("roles")
    if not isinstance(roles, list):
        return None
    return tuple(str(role) for role in roles)


def _principal(claims: dict[str, Any], *, app_only: bool) -> Principal:
    client_id = claims.get("azp") or claims.get("appid")
    tenant = claims["tid"]
    if not isinstance(client_id, str) or not isinstance(tenant, str):
        raise TokenRejected("the token does not name its application and tenant")
    return Principal(
        partner_id=tenant,
        client_id=client_id,
        app_only=app_only,
        expires_at=int(claims["exp"]),
        roles=_roles(claims),
        mfa=_mfa(claims),
        user=_user(claims),
    )


def _user(claims: dict[str, Any]) -> str | None:
    name = claims.get("upn") or claims.get("preferred_username") or claims.get("oid")
    return name if isinstance(name, str) else None


def _mfa(claims: dict[str, Any]) -> bool:
    """Whether the user completed multi-factor authentication (`amr` names "mfa")."""
    amr = claims.get("amr")
    return isinstance(amr, list) and "mfa" in amr


class TokenRejected(Exception):
    """The bearer token is not one Tenantry accepts; the message says why."""


@dataclass(frozen=True)
class Principal:
    """The caller behind a verified token."""

    partner_id: str
    client_id: str
    app_only: bool
    expires_at: int
    roles: tuple[str, ...] | None = None  # a user's roles; None when the token names none
    mfa: bool = False  # a user token's `amr` names "mfa"
    user: str | None = None  # a user token's user principal name, for the audit trail


class TokenService:
    def __init__(
        self,
        keys: SigningKeyStore,
        lifetime_seconds: int,
        external: ExternalVerifier | None = None,
        cache_size: int = _CACHE_SIZE,
    ) -> None:
        self._keys = keys
        self._cache_size = cache_size
        self._lifetime = lifetime_seconds
        self._external = external
        # token -> who it names, and our key that signed it (None: an external issuer's)
        self._verified: OrderedDict[str, tuple[Principal, str | None]] = OrderedDict()

    @property
    def keys(self) -> SigningKeyStore:
        return self._keys

    def issue_app_token(
        self, tenant_id: str, client_id: str, audience: str, *, v1: bool = False
    ) -> tuple[str, int]:
        """A client-credentials token. Returns the token and its expiry (epoch seconds)."""
        now = int(time.time())
        exp = now + self._lifetime
        claims = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{tenant_id}/"
            if v1
            else f"https://login.microsoftonline.com/{tenant_id}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": exp,
            "tid": tenant_id,
            "appid" if v1 else "azp": client_id,
            "oid": client_id,
            "sub": client_id,
            "idtyp": "app",
            "ver": "1.0" if v1 else "2.0",
            "uti": uuid.uuid4().hex,
        }
        key = self._keys.current
        token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
        return token, exp

    def issue_user_token(
        self, tenant_id: str, client_id: str, user: PartnerUser, audience: str, *, mfa: bool
    ) -> tuple[str, int]:
        """An App+User token for a signed-in partner user."""
        now = int(time.time())
        exp = now + self._lifetime
        claims = {
            "aud": audience,
            "iss": f"https://login.microsoftonline.com/{tenant_id}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": exp,
            "tid": tenant_id,
            "azp": client_id,
            "oid": user.id,
            "sub": user.id,
            "upn": user.user_principal_name,
            "name": user.display_name,
            "idtyp": "user",
            "scp": "user_impersonation",
            "roles": list(user.roles),
            "amr": ["pwd", "mfa"] if mfa else ["pwd"],
            "ver": "2.0",
            "uti": uuid.uuid4().hex,
        }
        key = self._keys.current
        token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
        return token, exp

    def issue_id_token(
        self, tenant_id: str, client_id: str, user: PartnerUser, nonce: str | None, *, mfa: bool
    ) -> str:
        """An OpenID Connect ID token: who signed in, for the app (`aud` = its client id)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": client_id,
            "iss": f"https://login.microsoftonline.com/{tenant_id}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + self._lifetime,
            "tid": tenant_id,
            "oid": user.id,
            "sub": user.id,
            "name": user.display_name,
            "preferred_username": user.user_principal_name,
            "amr": ["pwd", "mfa"] if mfa else ["pwd"],
            "ver": "2.0",
        }
        if nonce is not None:
            claims["nonce"] = nonce
        key = self._keys.current
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    async def verify(self, token: str) -> Principal:
        """Check signature, audience, lifetime; results are cached until the token expires,
        or until its signing key is no longer loaded (retired)."""
        cached = self._verified.get(token)
        if cached is not None:
            principal, kid = cached
            if principal.expires_at > time.time() and (kid is None or self._keys.verifies(kid)):
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal, kid = await self._verify_uncached(token)
        self._verified[token] = (principal, kid)
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return principal

    async def _verify_external(self, token: str) -> Principal | None:
        """A token of a trusted external issuer, or None when it names none of them."""
        assert self._external is not None
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise TokenRejected("the token is not a JWT") from exc
        issuer = self._external.issuer_for(unverified)
        if issuer is None:
            return None
        try:
            claims = await self._external.verify(token, issuer, str(unverified["tid"]))
        except jwt.ExpiredSignatureError as exc:
            raise TokenRejected("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRejected("the token's audience is not this API") from exc
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise TokenRejected("the token's signature or claims are invalid") from exc
        # Entra ID: delegated (user) tokens carry `scp`; application tokens do not.
        return _principal(claims, app_only=claims.get("idtyp") == "app" or "scp" not in claims)

    async def _verify_uncached(self, token: str) -> tuple[Principal, str | None]:
        """Who the token names, and the key id of ours that signed it (None: external)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRejected("the token is not a JWT") from exc
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenRejected("the token has no key id")
        if self._keys.was_retired(kid):
            raise TokenRejected("the token was signed by a key that has been retired")
        public = self._keys.public_key(kid)
        if public is None:
            await self._keys.reload_if_due()  # another node may have created a key
            public = self._keys.public_key(kid)
        if public is None and self._external is not None:
            # Not one of ours: perhaps a trusted external issuer's token.
            external = await self._verify_external(token)
            if external is not None:
                return external, None
        if public is None:
            raise TokenRejected("the token was signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                public,
                algorithms=["RS256"],
                audience=list(AUDIENCES),
                options={"require": ["exp", "iat", "aud", "tid", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRejected("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRejected("the token's audience is not Partner Center") from exc
        except jwt.PyJWTError as exc:
            raise TokenRejected("the token's signature or claims are invalid") from exc
        client_id = claims.get("azp") or claims.get("appid")
        tenant = claims["tid"]
        if not isinstance(client_id, str) or not isinstance(tenant, str):
            raise TokenRejected("the token does not name its application and tenant")
        if claims.get("iss") not in _issuers(tenant):
            raise TokenRejected("the token's issuer is not the tenant's token endpoint")
        principal = Principal(
            partner_id=claims["tid"],
            client_id=client_id,
            app_only=claims.get("idtyp") == "app",
            roles=_roles(claims),
            expires_at=int(claims["exp"]),
            mfa=_mfa(claims),
            user=None if claims.get("idtyp") == "app" else _user(claims),
        )
        return principal, kid
