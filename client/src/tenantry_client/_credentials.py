"""Where access tokens come from.

A credential is anything with `get_token` and `get_token_async` (`TokenCredential`); both
clients call it before each attempt, so a caching credential renews an expiring token
between retries. One credential object serves sync and async clients alike. azure-core's
credentials (`get_token(*scopes) -> AccessToken`: azure-identity's, `DefaultAzureCredential`)
are accepted too, through `AzureCredential` (`_azure_credentials`).

The OAuth credentials (`ClientSecretCredential` here, `CertificateCredential` in
`_certificate`, `RefreshTokenCredential` and `DeviceCodeCredential` in `_user_credentials`)
share `_OAuthCredential`: they talk to the token endpoint through the calling client's own
HTTP client, retry policy and deadline, and keep their tokens by token endpoint, tenant,
client and scope: one credential used against two services never sends the first one's
token to the second. Without an explicit `authority`, the token endpoint is Microsoft Entra
ID's when the client's base URL is Partner Center's, and the base URL itself otherwise
(Tenantry serves the token endpoint); a secret goes to the authority's URL and nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable
from urllib.parse import quote, urlsplit

import httpx

from tenantry_client._token_endpoint import post_form, post_form_async
from tenantry_client._tokens import REFRESH_MARGIN, AccessToken, TokenCache, TokenRequestOptions

__all__ = [
    "ENTRA_AUTHORITY",
    "PARTNER_CENTER_SCOPE",
    "PARTNER_CENTER_USER_SCOPE",
    "AccessToken",
    "ClientSecretCredential",
    "StaticTokenCredential",
    "TokenCredential",
    "authority_for",
]

PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/.default"
"""App-only (and azure-core) tokens for Partner Center's API."""
PARTNER_CENTER_USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"
"""App+User tokens: a signed-in user acting through the app."""
ENTRA_AUTHORITY = "https://login.microsoftonline.com"
"""Microsoft Entra ID, the authority of the real Partner Center."""

_PARTNER_CENTER_DOMAIN = "partnercenter.microsoft.com"


def authority_for(base_url: str) -> str:
    """The authority whose token endpoint serves a client of `base_url`: Microsoft Entra ID
    for Partner Center (`*.partnercenter.microsoft.com`), the base URL itself otherwise."""
    host = (urlsplit(base_url).hostname or "").lower().rstrip(".")
    if host == _PARTNER_CENTER_DOMAIN or host.endswith("." + _PARTNER_CENTER_DOMAIN):
        return ENTRA_AUTHORITY
    return base_url


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


class _OAuthCredential:
    """A credential that gets its tokens from an Entra-shaped token endpoint,
    `{authority}/{tenant_id}/oauth2/v2.0/token`, and caches them (see the module)."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        authority: str | None,
        scope: str,
        refresh_margin: float = REFRESH_MARGIN,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not tenant_id or not client_id:
            raise ValueError("tenant_id and client_id must not be empty")
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.authority = authority
        self.scope = scope
        self._now = now
        self._cache = TokenCache(now, margin=refresh_margin)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(tenant_id={self.tenant_id!r}, "
            f"client_id={self.client_id!r}, authority={self.authority!r})"
        )

    def authority_url(self, base_url: str) -> str:
        """The authority used for a client of `base_url` (see `authority_for`)."""
        return (self.authority or authority_for(base_url)).rstrip("/")

    def _endpoint(self, base_url: str, name: str = "token") -> str:
        tenant = quote(self.tenant_id, safe="")
        return f"{self.authority_url(base_url)}/{tenant}/oauth2/v2.0/{name}"

    def _key(self, url: str) -> tuple[str, str, str, str]:
        return (url, self.tenant_id, self.client_id, self.scope)

    # What each flow sends. `_fetch` is the whole exchange for one token.

    def _fetch(self, http: httpx.Client, url: str, options: TokenRequestOptions) -> AccessToken:
        raise NotImplementedError

    async def _fetch_async(
        self, http: httpx.AsyncClient, url: str, options: TokenRequestOptions
    ) -> AccessToken:
        raise NotImplementedError

    def token_for_call(
        self, http: httpx.Client, base_url: str, options: TokenRequestOptions
    ) -> AccessToken:
        """The cached token, or a new one fetched under a client's retry policy and
        deadline (blocking)."""
        url = self._endpoint(base_url)
        return self._cache.get(self._key(url), lambda: self._fetch(http, url, options))

    async def token_for_call_async(
        self, http: httpx.AsyncClient, base_url: str, options: TokenRequestOptions
    ) -> AccessToken:
        """The cached token, or a new one fetched under a client's retry policy and
        deadline."""
        url = self._endpoint(base_url)
        return await self._cache.get_async(
            self._key(url), lambda: self._fetch_async(http, url, options)
        )

    def get_token(self, http: httpx.Client, *, base_url: str) -> str:
        """The cached token, or a new one from the token endpoint (blocking)."""
        return self.token_for_call(http, base_url, TokenRequestOptions()).token

    async def get_token_async(self, http: httpx.AsyncClient, *, base_url: str) -> str:
        """The cached token, or a new one from the token endpoint."""
        return (await self.token_for_call_async(http, base_url, TokenRequestOptions())).token


class ClientSecretCredential(_OAuthCredential):
    """The OAuth 2.0 client-credentials flow (App-only) with a client secret:
    `POST {authority}/{tenant_id}/oauth2/v2.0/token`.

    `authority` defaults to Microsoft Entra ID (`https://login.microsoftonline.com`) for
    the real Partner Center, and to the client's base URL otherwise (Tenantry serves the
    token endpoint itself). Tokens are cached by authority, tenant, client and scope until
    `refresh_margin` seconds before they expire (half the life of short-lived ones).
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        *,
        authority: str | None = None,
        scope: str = PARTNER_CENTER_SCOPE,
        refresh_margin: float = REFRESH_MARGIN,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            tenant_id,
            client_id,
            authority=authority,
            scope=scope,
            refresh_margin=refresh_margin,
            now=now,
        )
        self._secret = client_secret

    def _form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
            "scope": self.scope,
        }

    def _fetch(self, http: httpx.Client, url: str, options: TokenRequestOptions) -> AccessToken:
        started = self._now()
        return post_form(http, url, self._form(), options).access_token(started)

    async def _fetch_async(
        self, http: httpx.AsyncClient, url: str, options: TokenRequestOptions
    ) -> AccessToken:
        started = self._now()
        return (await post_form_async(http, url, self._form(), options)).access_token(started)
