"""Who asks the token endpoint for a token: the client app and, for a user's grant, the
partner user.

An app is found by client id within the tenant it names (or a multi-tenant authority) and
proven by its secret: the current one, or during a rotation's overlap the previous one.
Both candidates are always hashed, and a stand-in when the app is unknown, so timing tells
neither whether an app exists nor whether a rotation is under way. Refusals carry Entra's
AADSTS number, which the route writes in Entra's OAuth error format.
"""

from __future__ import annotations

import hmac

from tenantry.auth.ports import SignIn
from tenantry.domain.clock import Clock
from tenantry.domain.ids import is_guid
from tenantry.domain.models import AppRegistration, PartnerUser
from tenantry.domain.ports import SecretHasher, UnitOfWorkFactory

# Entra's tenant-independent authorities: the app's own tenant is then the one that counts.
MULTI_TENANT = ("common", "organizations")
# Any fixed value: hashing it when the app is unknown keeps the timing the same.
_DUMMY_HASH = "sha256$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


class TokenRequestRejected(Exception):
    """The caller cannot have a token; `aadsts` is Entra's number for why."""

    def __init__(self, aadsts: int, description: str) -> None:
        super().__init__(description)
        self.aadsts = aadsts
        self.description = description


class UnknownClient(TokenRequestRejected):
    """No such app in the tenant the request names."""


class InvalidClientSecret(TokenRequestRejected):
    """The app exists, but the secret is not one of its own."""


class UserRejected(TokenRequestRejected):
    """The partner user of a user grant is not (or no longer) one who may sign in."""


class TokenRequests:
    def __init__(self, uow: UnitOfWorkFactory, hasher: SecretHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def find_app(self, client_id: str, tenant: str) -> AppRegistration | None:
        """The app with this client id, if it belongs to `tenant` (a GUID or a multi-tenant
        authority name)."""
        if not is_guid(client_id) or not (is_guid(tenant) or tenant.lower() in MULTI_TENANT):
            return None
        async with self._uow() as work:
            app = await work.partners.get_app(client_id.lower())
        if app is None or tenant.lower() in MULTI_TENANT:
            return app
        return app if hmac.compare_digest(app.partner_id, tenant.lower()) else None

    async def authenticate_client(
        self, client_id: str, secret: str, tenant: str
    ) -> AppRegistration:
        """The calling app, checked against its tenant and, when a secret is given, against
        that secret. `UnknownClient` or `InvalidClientSecret` otherwise."""
        app = await self.find_app(client_id, tenant)
        current, *previous = app.secret_hashes(self._clock.now()) if app else (_DUMMY_HASH,)
        matches = self._hasher.verify(current, secret)
        matches = self._hasher.verify(previous[0] if previous else _DUMMY_HASH, secret) or matches
        matches = matches and app is not None
        if app is None:
            raise UnknownClient(
                700016, f"Application '{client_id}' was not found in tenant '{tenant}'."
            )
        if secret and not matches:
            raise InvalidClientSecret(7000215, "Invalid client secret provided.")
        return app

    async def signed_in_user(self, sign_in: SignIn) -> PartnerUser:
        """The user behind a code or refresh token, as the registry knows them now."""
        async with self._uow() as work:
            user = await work.partners.get_user_by_id(sign_in.user_id)
        if user is None or user.partner_id != sign_in.partner_id:
            raise UserRejected(50034, "The user account no longer exists.")
        return user
