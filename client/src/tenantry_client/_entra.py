"""Microsoft Entra ID sign-in for the real Partner Center, through MSAL for Python.

MSAL is an optional dependency (`pip install "tenantry-client[entra]"`); it is imported on
first use, so the rest of the SDK works without it. MSAL sends its requests with `requests`;
whatever it raises (a connection error, a time-out, an unreadable answer) becomes a
`CredentialError`, like its refusals.

`ClientSecretCredential`, `CertificateCredential`, `DeviceCodeCredential` and
`RefreshTokenCredential` reach Entra ID without MSAL, through the client's own HTTP stack.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Mapping
from typing import Any

import httpx

from tenantry_client._credentials import ENTRA_AUTHORITY, PARTNER_CENTER_SCOPE
from tenantry_client._errors import CredentialError

__all__ = ["ENTRA_AUTHORITY", "EntraCredential"]


def _msal() -> Any:
    try:
        return importlib.import_module("msal")
    except ImportError as exc:
        raise CredentialError(
            "EntraCredential needs MSAL for Python: pip install 'tenantry-client[entra]'"
        ) from exc


class EntraCredential:
    """App-only tokens from Microsoft Entra ID (MSAL's confidential client).

    `client_credential` is what MSAL takes: the client secret, or a certificate as
    `{"private_key": ..., "thumbprint": ...}`. MSAL caches and renews the token. The
    request goes through MSAL's own HTTP stack, not the client's transport.
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_credential: str | Mapping[str, Any],
        *,
        authority: str = ENTRA_AUTHORITY,
        scope: str = PARTNER_CENTER_SCOPE,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.authority = f"{authority.rstrip('/')}/{tenant_id}"
        self.scope = scope
        self._client_credential = client_credential
        self._app: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EntraCredential(tenant_id={self.tenant_id!r}, client_id={self.client_id!r})"

    def _application(self) -> Any:
        with self._lock:
            if self._app is None:
                credential = self._client_credential
                if isinstance(credential, Mapping):
                    credential = dict(credential)
                self._app = _msal().ConfidentialClientApplication(
                    self.client_id, authority=self.authority, client_credential=credential
                )
            return self._app

    def _acquire(self) -> str:
        try:
            result = self._application().acquire_token_for_client(scopes=[self.scope])
        except CredentialError:
            raise
        except Exception as exc:  # requests' errors, MSAL's own (ValueError and others)
            raise CredentialError(
                f"Microsoft Entra ID could not be asked for a token (MSAL): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(result, Mapping) or "access_token" not in result:
            answer: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
            error = answer.get("error")
            description = answer.get("error_description") or "no token in MSAL's answer"
            raise CredentialError(
                f"Microsoft Entra ID refused: {error}: {description}",
                error=str(error) if error is not None else None,
            )
        return str(result["access_token"])

    def get_token(self, http: httpx.Client, *, base_url: str) -> str:
        """A token from MSAL's cache, or a new one from Entra ID (blocking)."""
        return self._acquire()

    async def get_token_async(self, http: httpx.AsyncClient, *, base_url: str) -> str:
        """A token from MSAL's cache, or a new one from Entra ID (in a worker thread)."""
        return await asyncio.to_thread(self._acquire)
