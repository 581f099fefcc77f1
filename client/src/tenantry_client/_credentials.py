"""Where access tokens come from.

A credential is anything with `get_token` and `get_token_async` (`TokenCredential`); both
clients call it before each attempt, so a caching credential renews an expiring token
between retries. One credential object serves sync and async clients alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import quote, urlencode

import httpx

from tenantry_client._errors import CredentialError
from tenantry_client._wire import Members, loads

PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/.default"


@runtime_checkable
class TokenCredential(Protocol):
    """Gives the bearer token for the next request.

    `http` is the client's own HTTP client (its transport, proxies and time-outs), for
    credentials that fetch tokens over HTTP; `base_url` is the client's base URL.
    """

    def get_token(self, http: httpx.Client, *, base_url: str) -> str:
        """The token to send now (blocking)."""
        ...

    async def get_token_async(self, http: httpx.AsyncClient, *, base_url: str) -> str:
        """The token to send now."""
        ...


class StaticTokenCredential:
    """A token obtained elsewhere, sent as is until it expires (no renewal)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("token must not be empty")
        self._token = token

    def __repr__(self) -> str:
        return "StaticTokenCredential(token=<hidden>)"

    def get_token(self, http: httpx.Client, *, base_url: str) -> str:
        """The token given."""
        return self._token

    async def get_token_async(self, http: httpx.AsyncClient, *, base_url: str) -> str:
        """The token given."""
        return self._token


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and when it expires (seconds since the epoch)."""

    token: str
    expires_on: float


class ClientSecretCredential:
    """The OAuth 2.0 client-credentials flow (App-only) against an Entra-shaped token
    endpoint: `POST {authority}/{tenant_id}/oauth2/v2.0/token`.

    Tenantry serves that endpoint itself, so `authority` defaults to the base URL of the
    client using the credential; for Microsoft Entra ID pass
    `authority="https://login.microsoftonline.com"` (or use `EntraCredential`). The token
    is cached until `refresh_margin` seconds before it expires.
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        *,
        authority: str | None = None,
        scope: str = PARTNER_CENTER_SCOPE,
        refresh_margin: float = 300.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._secret = client_secret
        self.authority = authority
        self.scope = scope
        self._margin = refresh_margin
        self._now = now
        self._cached: AccessToken | None = None
        self._refresh_on = 0.0

    def __repr__(self) -> str:
        return (
            f"ClientSecretCredential(tenant_id={self.tenant_id!r}, "
            f"client_id={self.client_id!r}, authority={self.authority!r})"
        )

    def _fresh(self) -> str | None:
        cached = self._cached
        if cached is None or self._now() >= self._refresh_on:
            return None
        return cached.token

    def _url(self, base_url: str) -> str:
        authority = (self.authority or base_url).rstrip("/")
        return f"{authority}/{quote(self.tenant_id, safe='')}/oauth2/v2.0/token"

    def _form(self) -> bytes:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
            "scope": self.scope,
        }
        return urlencode(form).encode()

    def _read(self, status: int, body: bytes, started: float) -> str:
        try:
            parsed: Any = loads(body)
        except (ValueError, UnicodeDecodeError):
            parsed = None
        members = Members(parsed if isinstance(parsed, Mapping) else {})
        token = members.text("access_token")
        if status != 200 or token is None:
            error = members.text("error")
            description = members.text("error_description") or f"HTTP {status}"
            raise CredentialError(
                f"the token endpoint refused: {error or status}: {description}",
                error=error,
                status=status,
            )
        raw_lifetime = members.get("expires_in")
        try:
            lifetime = float(raw_lifetime)
        except (TypeError, ValueError):
            lifetime = 3600.0
        self._cached = AccessToken(token, started + lifetime)
        # Renew early, but not before half of a short-lived token's life has passed.
        self._refresh_on = started + max(lifetime - self._margin, lifetime / 2)
        return token

    _HEADERS: ClassVar[dict[str, str]] = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }

    def get_token(self, http: httpx.Client, *, base_url: str) -> str:
        """The cached token, or a new one from the token endpoint."""
        token = self._fresh()
        if token is not None:
            return token
        started = self._now()
        try:
            response = http.post(self._url(base_url), content=self._form(), headers=self._HEADERS)
        except httpx.HTTPError as exc:
            raise CredentialError(f"the token endpoint could not be reached: {exc}") from exc
        return self._read(response.status_code, response.content, started)

    async def get_token_async(self, http: httpx.AsyncClient, *, base_url: str) -> str:
        """The cached token, or a new one from the token endpoint."""
        token = self._fresh()
        if token is not None:
            return token
        started = self._now()
        try:
            response = await http.post(
                self._url(base_url), content=self._form(), headers=self._HEADERS
            )
        except httpx.HTTPError as exc:
            raise CredentialError(f"the token endpoint could not be reached: {exc}") from exc
        return self._read(response.status_code, response.content, started)
