"""What the clients ask for tokens: any credential they accept (a `TokenCredential`, an
azure-core credential, a token string) behind one interface that lends the credential the
call's retry policy, sleep and deadline."""

from __future__ import annotations

from typing import cast

import httpx

from tenantry_client._azure_credentials import (
    AsyncAzureTokenCredential,
    AzureCredential,
    AzureTokenCredential,
)
from tenantry_client._credentials import StaticTokenCredential, TokenCredential, _OAuthCredential
from tenantry_client._deadline import AsyncLimit, DeadlinePassed
from tenantry_client._errors import CredentialError
from tenantry_client._tokens import TokenRequestOptions

__all__ = ["AsyncCredentialLike", "AsyncTokenSource", "CredentialLike", "TokenSource"]


def _token_text(value: object, credential: object) -> str:
    """A credential's answer as the bearer token: a string, or an azure-style object's
    `.token`; anything else is refused rather than sent as `Bearer <repr>`."""
    if isinstance(value, str) and value:
        return value
    token = getattr(value, "token", None)
    if isinstance(token, str) and token:
        return token
    raise CredentialError(
        f"{type(credential).__name__}.get_token gave {type(value).__name__}, not a token"
    )


CredentialLike = TokenCredential | AzureTokenCredential | str
"""What `PartnerClient` takes as its credential."""
AsyncCredentialLike = TokenCredential | AzureTokenCredential | AsyncAzureTokenCredential | str
"""What `AsyncPartnerClient` takes as its credential."""


class TokenSource:
    """What the blocking client asks for tokens: any credential it accepts, behind one
    interface that lends the credential the call's retry policy, sleep and deadline."""

    asyncio_client = False

    def __init__(self, credential: AsyncCredentialLike) -> None:
        if isinstance(credential, str):
            credential = StaticTokenCredential(credential)
        elif not callable(getattr(credential, "get_token_async", None)):
            if not callable(getattr(credential, "get_token", None)):
                raise TypeError(
                    "credential must be a TokenCredential, an azure-core credential or a "
                    f"token string, not {type(credential).__name__}"
                )
            # azure-core's get_token(*scopes): it has no get_token_async.
            credential = AzureCredential(cast(AzureTokenCredential, credential))
            if credential.is_async and not self.asyncio_client:
                raise TypeError(
                    "an asyncio azure credential (azure.identity.aio) needs "
                    "AsyncPartnerClient; give PartnerClient a blocking one (azure.identity)"
                )
        self.credential: TokenCredential = credential  # type: ignore[assignment]

    def get_token(self, http: httpx.Client, base_url: str, options: TokenRequestOptions) -> str:
        """The bearer token for the next attempt of a call (blocking)."""
        credential = self.credential
        if isinstance(credential, _OAuthCredential):
            return credential.token_for_call(http, base_url, options).token
        return _token_text(credential.get_token(http, base_url=base_url), credential)

    async def get_token_async(
        self, http: httpx.AsyncClient, base_url: str, options: TokenRequestOptions
    ) -> str:
        """The bearer token for the next attempt of a call."""
        credential = self.credential
        if isinstance(credential, _OAuthCredential):
            token = await credential.token_for_call_async(http, base_url, options)
            return token.token
        try:
            async with AsyncLimit(options.deadline):
                value = await credential.get_token_async(http, base_url=base_url)
        except DeadlinePassed as exc:
            raise CredentialError(
                f"no token from {type(credential).__name__} within {options.deadline.describe()}"
            ) from exc
        return _token_text(value, credential)


class AsyncTokenSource(TokenSource):
    """`TokenSource` for the asyncio client, which also takes asyncio azure credentials."""

    asyncio_client = True
