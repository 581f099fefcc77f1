"""What `auth/` needs from storage, stated as protocols (as `domain/ports.py` does for the
domain): `storage/` implements them and may import this module; `auth/` never imports
`storage/`.

The sign-in grants' records (`SignIn`, `StoredCode`, `StoredRefresh`) live here because
storage reads and writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol

from tenantry.domain.ports import AuditLog

# --- signing keys -------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredSigningKey:
    """A signing key as it is kept: the private key sealed under the master key."""

    kid: str
    private_key_sealed: bytes
    public_key_pem: str
    created_at: datetime


class SigningKeyRepository(Protocol):
    async def all(self) -> list[StoredSigningKey]: ...

    async def add(self, key: StoredSigningKey) -> None: ...

    async def remove(self, kid: str) -> None: ...


class KeyWork(Protocol):
    """One transaction over the signing keys and the audit trail: a key change and its
    audit event commit together or not at all. Leaving without `commit()` rolls back."""

    @property
    def signing_keys(self) -> SigningKeyRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    async def __aenter__(self) -> KeyWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


KeyWorkFactory = Callable[[], KeyWork]


# --- sign-in grants -----------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """What a code or refresh token stands for: a user of a partner, through one app."""

    client_id: str
    partner_id: str
    user_id: str
    audience: str
    scope: str
    mfa: bool
    nonce: str | None = None


@dataclass(frozen=True)
class StoredCode:
    sign_in: SignIn
    family_id: str
    redirect_uri: str
    code_challenge: str
    expires_at: datetime
    redeemed_before: bool


@dataclass(frozen=True)
class StoredRefresh:
    sign_in: SignIn
    family_id: str
    expires_at: datetime
    used_before: bool


class GrantStore(Protocol):
    async def add_code(
        self,
        code_hash: str,
        family_id: str,
        sign_in: SignIn,
        redirect_uri: str,
        code_challenge: str,
        expires_at: datetime,
    ) -> None: ...

    async def redeem_code(self, code_hash: str, now: datetime) -> StoredCode | None:
        """Mark the code redeemed and return it (`redeemed_before` if it already was)."""
        ...

    async def add_refresh(
        self,
        token_hash: str,
        family_id: str,
        sign_in: SignIn,
        created_at: datetime,
        expires_at: datetime,
    ) -> None: ...

    async def use_refresh(self, token_hash: str, now: datetime) -> StoredRefresh | None:
        """Mark the token used and return it (`used_before` if it already was)."""
        ...

    async def revoke_family(self, family_id: str, now: datetime) -> None: ...

    async def revoke_user(self, user_id: str, now: datetime) -> None: ...

    async def purge(self, before: datetime) -> None: ...
