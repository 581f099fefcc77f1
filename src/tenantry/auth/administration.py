"""The operator's use cases: partners, their apps and users, and partnerships.

The way to set up a production deployment (`tenantry partners …`; the sandbox can also be
seeded from a file). Secrets are generated here and returned once; only their hashes are
stored. Every change is audited in its own transaction. A refusal is an
`AdministrationError` whose message the command line shows as it is.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlsplit

from tenantry.auth import second_factor
from tenantry.auth.enrolment import ClientIdTaken, Enrolment, UserNameTaken
from tenantry.auth.errors import AdministrationError
from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.clock import Clock
from tenantry.domain.ids import is_guid
from tenantry.domain.models import Partner, Partnership, PartnershipState, PartnerType
from tenantry.domain.ports import UnitOfWorkFactory
from tenantry.domain.rules.locales import is_known_country

MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class Issued:
    """An identifier and the secret that goes with it, shown to the operator once."""

    identifier: str
    secret: str | None
    totp_uri: str | None = None  # otpauth:// for the user's authenticator app, shown once


class SignIns(Protocol):
    """Ends a user's sign-ins (`GrantService`, `PortalSessions`)."""

    async def end_sign_ins(self, user_id: str) -> None: ...


class EverySignIn:
    """Ends a user's sign-ins everywhere: refresh tokens and portal sessions alike."""

    def __init__(self, *kinds: SignIns) -> None:
        self._kinds = kinds

    async def end_sign_ins(self, user_id: str) -> None:
        for kind in self._kinds:
            await kind.end_sign_ins(user_id)


def _generated_secret() -> str:
    return secrets.token_urlsafe(32)  # about 256 bits


def _generated_password() -> str:
    return secrets.token_urlsafe(18)


def _check_redirect_uri(uri: str) -> None:
    parts = urlsplit(uri)
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not (parts.scheme == "https" or loopback) or not parts.netloc or parts.fragment:
        raise AdministrationError(
            f"{uri!r} is not a redirect URI: use https:// (or http:// on loopback), "
            "without a #fragment"
        )


class PartnerAdministration:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        enrolment: Enrolment,
        sign_ins: SignIns,
        *,
        sandbox: bool,
        new_secret: Callable[[], str] = _generated_secret,
        new_password: Callable[[], str] = _generated_password,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._enrolment = enrolment
        self._sign_ins = sign_ins
        self._sandbox = sandbox
        self._new_secret = new_secret
        self._new_password = new_password

    async def create_partner(
        self,
        name: str,
        partner_type: PartnerType,
        country: str,
        tenant_id: str | None,
        *,
        actor: Actor,
    ) -> Partner:
        country = country.upper()
        if not is_known_country(country):
            raise AdministrationError(f"{country!r} is not a country code Partner Center knows")
        if tenant_id is not None and not is_guid(tenant_id):
            raise AdministrationError(f"{tenant_id!r} is not a GUID")
        if not name.strip():
            raise AdministrationError("the partner needs a name")
        tenant_id = (tenant_id or str(uuid.uuid4())).lower()
        partner = Partner(tenant_id, name.strip(), partner_type, country)
        async with self._uow() as work:
            if await work.partners.get(partner.tenant_id) is not None:
                raise AdministrationError(
                    f"a partner with tenant id {partner.tenant_id} already exists"
                )
            now = self._clock.now()
            await work.partners.add(partner, now)
            created = audit_event(
                actor,
                Action.PARTNER_CREATED,
                now,
                target_type="partner",
                target_id=partner.tenant_id,
                partner_id=partner.tenant_id,
                details={"name": partner.name, "type": partner_type.value, "country": country},
            )
            await work.audit.record(created)
            await work.commit()
        return partner

    async def list_partners(self) -> list[Partner]:
        async with self._uow() as work:
            return await work.partners.all()

    async def add_app(
        self,
        tenant_id: str,
        display_name: str,
        redirect_uris: tuple[str, ...] = (),
        *,
        actor: Actor,
    ) -> Issued:
        """A new app registration with a generated client secret."""
        partner = await self._partner(tenant_id)
        for uri in redirect_uris:
            _check_redirect_uri(uri)
        secret = self._new_secret()
        app = self._enrolment.app(partner.tenant_id, display_name, secret, redirect_uris)
        async with self._uow() as work:
            now = self._clock.now()
            try:
                await self._enrolment.add_app(work, app, now)
            except ClientIdTaken as exc:  # a new GUID: only if the generator repeats itself
                raise AdministrationError(f"the client id {exc.client_id} is taken") from None
            added = audit_event(
                actor,
                Action.APP_ADDED,
                now,
                target_type="app",
                target_id=app.client_id,
                partner_id=partner.tenant_id,
                details={"displayName": display_name, "redirectUris": list(redirect_uris)},
            )
            await work.audit.record(added)
            await work.commit()
        return Issued(app.client_id, secret)

    async def rotate_secret(self, client_id: str, overlap: timedelta, *, actor: Actor) -> Issued:
        """A new client secret for an app; the old one keeps working for `overlap` (zero: it
        stops at once), so every client can switch before it ends."""
        if not is_guid(client_id):
            raise AdministrationError(f"{client_id!r} is not a client id (a GUID)")
        if overlap < timedelta(0):
            raise AdministrationError("the overlap cannot be negative")
        secret = self._new_secret()
        async with self._uow() as work:
            app = await work.partners.get_app(client_id.lower())
            if app is None:
                raise AdministrationError(f"there is no app with client id {client_id}")
            now = self._clock.now()
            await work.partners.replace_secret(
                client_id.lower(), self._enrolment.secret_hash(secret), now + overlap
            )
            rotated = audit_event(
                actor,
                Action.APP_SECRET_ROTATED,
                now,
                target_type="app",
                target_id=app.client_id,
                partner_id=app.partner_id,
                details={"previousSecretValidUntil": (now + overlap).isoformat()},
            )
            await work.audit.record(rotated)
            await work.commit()
        return Issued(client_id.lower(), secret)

    async def add_user(
        self,
        tenant_id: str,
        upn: str,
        roles: tuple[str, ...],
        password: str | None,
        mfa: str | None = None,
        *,
        actor: Actor,
    ) -> Issued:
        """A partner user; without a password one is generated and returned once. The second
        factor defaults to TOTP in production and to the sandbox's own in sandbox mode."""
        partner = await self._partner(tenant_id)
        mfa = self._second_factor(
            mfa or (second_factor.SANDBOX if self._sandbox else second_factor.TOTP)
        )
        if "@" not in upn or len(upn) > 128 or not upn.isprintable():
            raise AdministrationError(f"{upn!r} is not a user principal name (name@domain)")
        password, generated = self._password(password)
        new = self._enrolment.user(partner.tenant_id, upn, roles, password=password, mfa=mfa)
        async with self._uow() as work:
            now = self._clock.now()
            try:
                await self._enrolment.add_user(work, new.user, now)
            except UserNameTaken:
                raise AdministrationError(f"the user {upn} already exists") from None
            added = audit_event(
                actor,
                Action.USER_ADDED,
                now,
                target_type="user",
                target_id=new.user.id,
                partner_id=partner.tenant_id,
                details={"userPrincipalName": upn, "roles": list(roles), "mfa": mfa},
            )
            await work.audit.record(added)
            await work.commit()
        return Issued(new.user.id, generated, new.totp_uri)

    async def reset_user(
        self, upn: str, password: str | None, mfa: str | None = None, *, actor: Actor
    ) -> Issued:
        """A new password (generated and returned once when none is given) and a new second
        factor for a partner user who lost theirs: a TOTP user gets a new secret, so the old
        authenticator entry stops working; `mfa` changes the method. Every refresh token of
        the user stops working, so each of their sign-ins has to start again."""
        async with self._uow() as work:
            user = await work.partners.get_user(upn)
        if user is None:
            raise AdministrationError(f"there is no partner user {upn!r} here")
        mfa = self._second_factor(mfa or user.mfa)
        password, generated = self._password(password)
        given = self._enrolment.credentials(user.id, upn, password, mfa)
        # Sign-ins end first: should the change then fail, the user only signs in again.
        await self._sign_ins.end_sign_ins(user.id)
        async with self._uow() as work:
            await work.partners.replace_credentials(
                user.id, given.password_hash, mfa, given.totp_secret_sealed
            )
            reset = audit_event(
                actor,
                Action.USER_CREDENTIALS_RESET,
                self._clock.now(),
                target_type="user",
                target_id=user.id,
                partner_id=user.partner_id,
                details={"userPrincipalName": user.user_principal_name, "mfa": mfa},
            )
            await work.audit.record(reset)
            await work.commit()
        return Issued(user.id, generated, given.totp_uri)

    async def link_reseller(
        self, provider_id: str, reseller_id: str, *, active: bool, actor: Actor
    ) -> Partnership:
        provider = await self._partner(provider_id)
        reseller = await self._partner(reseller_id)
        if provider.partner_type is not PartnerType.INDIRECT_PROVIDER:
            raise AdministrationError(f"{provider.name} is not an indirect provider")
        if reseller.partner_type is not PartnerType.INDIRECT_RESELLER:
            raise AdministrationError(f"{reseller.name} is not an indirect reseller")
        state = PartnershipState.ACTIVE if active else PartnershipState.INACTIVE
        partnership = Partnership(provider.tenant_id, reseller.tenant_id, state)
        async with self._uow() as work:
            if await work.partners.get_partnership(provider.tenant_id, reseller.tenant_id):
                raise AdministrationError("these partners already have a partnership")
            now = self._clock.now()
            await work.partners.add_partnership(partnership, now)
            linked = audit_event(
                actor,
                Action.PARTNERSHIP_LINKED,
                now,
                target_type="partnership",
                target_id=f"{provider.tenant_id}:{reseller.tenant_id}",
                partner_id=provider.tenant_id,
                details={"resellerId": reseller.tenant_id, "state": state.value},
            )
            await work.audit.record(linked)
            await work.commit()
        return partnership

    async def _partner(self, tenant_id: str) -> Partner:
        async with self._uow() as work:
            partner = await work.partners.get(tenant_id.lower()) if is_guid(tenant_id) else None
        if partner is None:
            raise AdministrationError(f"there is no partner with tenant id {tenant_id!r}")
        return partner

    def _second_factor(self, mfa: str) -> str:
        if mfa not in second_factor.METHODS:
            raise AdministrationError(f"--mfa must be one of {', '.join(second_factor.METHODS)}")
        if mfa == second_factor.SANDBOX and not self._sandbox:
            raise AdministrationError("--mfa sandbox exists only in sandbox mode; use totp")
        return mfa

    def _password(self, password: str | None) -> tuple[str, str | None]:
        """The password to set and, when it was generated, the same to show once."""
        if password is None:
            generated = self._new_password()
            return generated, generated
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AdministrationError(
                f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
            )
        return password, None
