"""A partner's apps and users: the one place their records are built and added.

The operator's commands (`auth/administration.py`), seeds (`sandbox/seeding.py`) and the
sandbox's development partner (`auth/development.py`) all enrol through here, inside the
unit of work they hand in; each puts a refusal below in its own words. Client secrets get
the fast hash of generated secrets, passwords argon2id (docs/decisions/0002), and a TOTP
user a new secret, sealed to the user's id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tenantry.auth import second_factor
from tenantry.domain.models import AppRegistration, PartnerUser
from tenantry.domain.ports import SecretHasher, UnitOfWork
from tenantry.security.passwords import hash_password


class ClientIdTaken(Exception):
    """The client id is registered already, to the partner `owner`."""

    def __init__(self, client_id: str, owner: str) -> None:
        super().__init__(client_id)
        self.client_id = client_id
        self.owner = owner


class UserNameTaken(Exception):
    """A partner user with this user principal name exists already."""


class TotpSealer(Protocol):
    """Seals a user's TOTP secret for storage (`SecondFactor`)."""

    def seal(self, secret: str, user_id: str) -> bytes: ...


@dataclass(frozen=True)
class Credentials:
    """What a user signs in with, ready to store; `totp_uri` (otpauth://) for a TOTP user's
    authenticator app, shown once."""

    password_hash: str
    mfa: str
    totp_secret_sealed: bytes | None
    totp_uri: str | None


@dataclass(frozen=True)
class NewUser:
    user: PartnerUser
    totp_uri: str | None


class Enrolment:
    def __init__(
        self,
        hasher: SecretHasher,
        totp: TotpSealer,
        hash_password: Callable[[str], str] = hash_password,
    ) -> None:
        self._hasher = hasher
        self._totp = totp
        self._hash_password = hash_password

    def app(
        self,
        partner_id: str,
        display_name: str,
        secret: str,
        redirect_uris: tuple[str, ...] = (),
        *,
        client_id: str | None = None,
    ) -> AppRegistration:
        """An app registration (a new client id unless one is given); only the secret's
        hash is kept."""
        return AppRegistration(
            client_id or str(uuid.uuid4()),
            partner_id,
            display_name,
            self.secret_hash(secret),
            redirect_uris,
        )

    def secret_hash(self, secret: str) -> str:
        """What is kept of a client secret (a new one too, when an app's is rotated)."""
        return self._hasher.hash(secret)

    def credentials(
        self, user_id: str, user_principal_name: str, password: str, mfa: str
    ) -> Credentials:
        """The password's hash and, for TOTP, a new secret sealed to the user."""
        secret = second_factor.new_secret() if mfa == second_factor.TOTP else None
        return Credentials(
            self._hash_password(password),
            mfa,
            None if secret is None else self._totp.seal(secret, user_id),
            None if secret is None else second_factor.provisioning_uri(secret, user_principal_name),
        )

    def user(
        self,
        partner_id: str,
        user_principal_name: str,
        roles: tuple[str, ...],
        *,
        password: str | None = None,
        password_hash: str | None = None,
        mfa: str = second_factor.SANDBOX,
        display_name: str | None = None,
        user_id: str | None = None,
    ) -> NewUser:
        """A partner user (a new id unless one is given) with a password, or with a hash
        made beforehand; the display name defaults to the name before the `@`."""
        user_id = user_id or str(uuid.uuid4())
        if password_hash is None:
            assert password is not None, "a user needs a password or its hash"
            given = self.credentials(user_id, user_principal_name, password, mfa)
        else:
            given = Credentials(password_hash, mfa, None, None)
        user = PartnerUser(
            id=user_id,
            partner_id=partner_id,
            user_principal_name=user_principal_name,
            display_name=user_principal_name.split("@")[0]
            if display_name is None
            else display_name,
            password_hash=given.password_hash,
            roles=roles,
            mfa=mfa,
            totp_secret_sealed=given.totp_secret_sealed,
        )
        return NewUser(user, given.totp_uri)

    async def add_app(self, work: UnitOfWork, app: AppRegistration, now: datetime) -> None:
        """Add the app in `work`; `ClientIdTaken` if its client id is registered already."""
        owner = await work.partners.get_app(app.client_id)
        if owner is not None:
            raise ClientIdTaken(app.client_id, owner.partner_id)
        await work.partners.add_app(app, now)

    async def add_user(self, work: UnitOfWork, user: PartnerUser, now: datetime) -> None:
        """Add the user in `work`; `UserNameTaken` if the name is taken already."""
        if await work.partners.get_user(user.user_principal_name) is not None:
            raise UserNameTaken(user.user_principal_name)
        await work.partners.add_user(user, now)
