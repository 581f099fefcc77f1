"""azure-core's credentials (azure-identity's, blocking or `azure.identity.aio`) as a
`TokenCredential`: `AzureCredential`, and the protocols azure-core's credentials meet."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from tenantry_client._credentials import PARTNER_CENTER_SCOPE
from tenantry_client._errors import CredentialError
from tenantry_client._tokens import REFRESH_MARGIN, AccessToken, TokenCache

__all__ = ["AsyncAzureTokenCredential", "AzureCredential", "AzureTokenCredential", "TokenLike"]


class TokenLike(Protocol):
    """What azure-core's `get_token` returns: `AccessToken(token, expires_on)`."""

    @property
    def token(self) -> str:
        """The bearer token."""
        ...

    @property
    def expires_on(self) -> float:
        """When it expires, in seconds since the epoch."""
        ...


class AzureTokenCredential(Protocol):
    """azure-core's `TokenCredential` (azure-identity's credentials)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> TokenLike:
        """A token for `scopes`."""
        ...


class AsyncAzureTokenCredential(Protocol):
    """azure-core's `AsyncTokenCredential` (`azure.identity.aio`)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> TokenLike:
        """A token for `scopes`."""
        ...


class AzureCredential:
    """An azure-core credential (`get_token(*scopes) -> AccessToken`), such as
    azure-identity's `ClientSecretCredential`, `CertificateCredential` or
    `DefaultAzureCredential`, or their `azure.identity.aio` twins, as a `TokenCredential`.

    Clients wrap such credentials themselves; wrap one yourself for another `scope`.
    Tokens are cached until shortly before they expire, and fetched once however many calls
    ask at the same moment. A blocking azure credential runs in a worker thread for the
    asyncio client; an asyncio one serves only the asyncio client.
    """

    def __init__(
        self,
        credential: AzureTokenCredential | AsyncAzureTokenCredential,
        *,
        scope: str = PARTNER_CENTER_SCOPE,
        refresh_margin: float = REFRESH_MARGIN,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not callable(getattr(credential, "get_token", None)):
            raise TypeError(f"{credential!r} has no get_token(*scopes)")
        self.credential = credential
        self.scope = scope
        self.is_async = inspect.iscoroutinefunction(credential.get_token)
        self._cache = TokenCache(now, margin=refresh_margin)

    def __repr__(self) -> str:
        return f"AzureCredential({self.credential!r}, scope={self.scope!r})"

    @staticmethod
    def _read(result: object) -> AccessToken:
        token = getattr(result, "token", None)
        expires_on = getattr(result, "expires_on", None)
        if not isinstance(token, str) or not token:
            raise CredentialError(f"the azure credential gave no token: {type(result).__name__}")
        try:
            expiry = float(expires_on)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            expiry = time.time() + 300.0
        return AccessToken(token, expiry)

    def _acquire(self) -> AccessToken:
        if self.is_async:
            raise CredentialError(
                "an asyncio azure credential (azure.identity.aio) serves AsyncPartnerClient "
                "only: give PartnerClient a blocking one (azure.identity)"
            )
        try:
            result = self.credential.get_token(self.scope)
        except CredentialError:
            raise
        except Exception as exc:  # azure.core.exceptions.ClientAuthenticationError and co.
            raise CredentialError(
                f"the azure credential failed: {type(exc).__name__}: {exc}"
            ) from exc
        return self._read(result)

    async def _acquire_async(self) -> AccessToken:
        if not self.is_async:
            return await asyncio.to_thread(self._acquire)
        try:
            result = await self.credential.get_token(self.scope)  # type: ignore[misc]
        except CredentialError:
            raise
        except Exception as exc:
            raise CredentialError(
                f"the azure credential failed: {type(exc).__name__}: {exc}"
            ) from exc
        return self._read(result)

    def get_token(self, http: httpx.Client, *, base_url: str) -> str:
        """The cached token, or a new one from the azure credential (blocking)."""
        return self._cache.get(self.scope, self._acquire).token

    async def get_token_async(self, http: httpx.AsyncClient, *, base_url: str) -> str:
        """The cached token, or a new one from the azure credential."""
        return (await self._cache.get_async(self.scope, self._acquire_async)).token
