"""`tenantry partners …`: register partners, their apps and users, and partnerships.

The operator's way to set up a production deployment (the sandbox can also be seeded from a
file). Secrets are generated here and printed once; only their hashes are stored.
"""

from __future__ import annotations

import getpass
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from tenantry.auth import second_factor
from tenantry.domain.audit import OPERATOR, Action, Actor, audit_event
from tenantry.domain.listing import is_guid
from tenantry.domain.models import (
    AppRegistration,
    Partner,
    Partnership,
    PartnershipState,
    PartnerType,
    PartnerUser,
)
from tenantry.domain.rules.locales import is_known_country
from tenantry.runtime import ConfigurationError, Runtime
from tenantry.security.passwords import hash_password

MIN_PASSWORD_LENGTH = 12


class AdminError(ConfigurationError):
    """A partner command that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Issued:
    """An identifier and the secret that goes with it, shown to the operator once."""

    identifier: str
    secret: str | None
    totp_uri: str | None = None  # otpauth:// for the user's authenticator app, shown once


def operator_actor() -> Actor:
    """The person at the command line, by their operating-system user name."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a bare container)
        name = f"uid {os.getuid()}"
    return Actor(OPERATOR, name)


async def _partner(runtime: Runtime, tenant_id: str) -> Partner:
    async with runtime.uow() as work:
        partner = await work.partners.get(tenant_id.lower()) if is_guid(tenant_id) else None
    if partner is None:
        raise AdminError(f"there is no partner with tenant id {tenant_id!r}")
    return partner


async def create_partner(
    runtime: Runtime,
    name: str,
    partner_type: PartnerType,
    country: str,
    tenant_id: str | None,
    *,
    actor: Actor | None = None,
) -> Partner:
    country = country.upper()
    if not is_known_country(country):
        raise AdminError(f"{country!r} is not a country code Partner Center knows")
    if tenant_id is not None and not is_guid(tenant_id):
        raise AdminError(f"{tenant_id!r} is not a GUID")
    if not name.strip():
        raise AdminError("the partner needs a name")
    partner = Partner((tenant_id or str(uuid.uuid4())).lower(), name.strip(), partner_type, country)
    async with runtime.uow() as work:
        if await work.partners.get(partner.tenant_id) is not None:
            raise AdminError(f"a partner with tenant id {partner.tenant_id} already exists")
        now = datetime.now(UTC)
        await work.partners.add(partner, now)
        created = audit_event(
            actor or operator_actor(),
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


async def list_partners(runtime: Runtime) -> list[Partner]:
    async with runtime.uow() as work:
        return await work.partners.all()


async def add_app(
    runtime: Runtime,
    tenant_id: str,
    display_name: str,
    redirect_uris: tuple[str, ...] = (),
    *,
    actor: Actor | None = None,
) -> Issued:
    """A new app registration with a generated client secret (about 256 bits)."""
    partner = await _partner(runtime, tenant_id)
    for uri in redirect_uris:
        parts = urlsplit(uri)
        loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
        if not (parts.scheme == "https" or loopback) or not parts.netloc or parts.fragment:
            raise AdminError(
                f"{uri!r} is not a redirect URI: use https:// (or http:// on loopback), "
                "without a #fragment"
            )
    client_id, secret = str(uuid.uuid4()), secrets.token_urlsafe(32)
    app = AppRegistration(
        client_id, partner.tenant_id, display_name, runtime.hasher.hash(secret), redirect_uris
    )
    async with runtime.uow() as work:
        now = datetime.now(UTC)
        await work.partners.add_app(app, now)
        added = audit_event(
            actor or operator_actor(),
            Action.APP_ADDED,
            now,
            target_type="app",
            target_id=client_id,
            partner_id=partner.tenant_id,
            details={"displayName": display_name, "redirectUris": list(redirect_uris)},
        )
        await work.audit.record(added)
        await work.commit()
    return Issued(client_id, secret)


async def rotate_secret(
    runtime: Runtime, client_id: str, overlap: timedelta, *, actor: Actor | None = None
) -> Issued:
    """A new client secret for an app; the old one keeps working for `overlap` (zero: it
    stops at once), so every client can switch before it ends."""
    if not is_guid(client_id):
        raise AdminError(f"{client_id!r} is not a client id (a GUID)")
    if overlap < timedelta(0):
        raise AdminError("the overlap cannot be negative")
    secret = secrets.token_urlsafe(32)
    async with runtime.uow() as work:
        app = await work.partners.get_app(client_id.lower())
        if app is None:
            raise AdminError(f"there is no app with client id {client_id}")
        now = datetime.now(UTC)
        await work.partners.replace_secret(
            client_id.lower(), runtime.hasher.hash(secret), now + overlap
        )
        rotated = audit_event(
            actor or operator_actor(),
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
    runtime: Runtime,
    tenant_id: str,
    upn: str,
    roles: tuple[str, ...],
    password: str | None,
    mfa: str | None = None,
    *,
    actor: Actor | None = None,
) -> Issued:
    """A partner user; without a password one is generated and returned once. The second
    factor defaults to TOTP in production and to the sandbox's own in sandbox mode."""
    partner = await _partner(runtime, tenant_id)
    sandbox = runtime.settings.sandbox
    mfa = mfa or (second_factor.SANDBOX if sandbox else second_factor.TOTP)
    if mfa not in second_factor.METHODS:
        raise AdminError(f"--mfa must be one of {', '.join(second_factor.METHODS)}")
    if mfa == second_factor.SANDBOX and not sandbox:
        raise AdminError("--mfa sandbox exists only in sandbox mode; use totp")
    if "@" not in upn or len(upn) > 128 or not upn.isprintable():
        raise AdminError(f"{upn!r} is not a user principal name (name@domain)")
    generated = None
    if password is None:
        password = generated = secrets.token_urlsafe(18)
    elif len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user_id = str(uuid.uuid4())
    totp_secret = second_factor.new_secret() if mfa == second_factor.TOTP else None
    user = PartnerUser(
        user_id,
        partner.tenant_id,
        upn,
        upn.split("@")[0],
        hash_password(password),
        roles,
        mfa=mfa,
        totp_secret_sealed=None
        if totp_secret is None
        else runtime.second_factor.seal(totp_secret, user_id),
    )
    async with runtime.uow() as work:
        if await work.partners.get_user(upn) is not None:
            raise AdminError(f"the user {upn} already exists")
        now = datetime.now(UTC)
        await work.partners.add_user(user, now)
        added = audit_event(
            actor or operator_actor(),
            Action.USER_ADDED,
            now,
            target_type="user",
            target_id=user.id,
            partner_id=partner.tenant_id,
            details={"userPrincipalName": upn, "roles": list(roles), "mfa": mfa},
        )
        await work.audit.record(added)
        await work.commit()
    uri = None if totp_secret is None else second_factor.provisioning_uri(totp_secret, upn)
    return Issued(user.id, generated, uri)


async def reset_user(
    runtime: Runtime,
    upn: str,
    password: str | None,
    mfa: str | None = None,
    *,
    actor: Actor | None = None,
) -> Issued:
    """A new password (generated and returned once when none is given) and a new second
    factor for a partner user who lost theirs: a TOTP user gets a new secret, so the old
    authenticator entry stops working; `mfa` changes the method. Every refresh token of the
    user stops working, so each of their sign-ins has to start again."""
    async with runtime.uow() as work:
        user = await work.partners.get_user(upn)
    if user is None:
        raise AdminError(f"there is no partner user {upn!r} here")
    mfa = mfa or user.mfa
    if mfa not in second_factor.METHODS:
        raise AdminError(f"--mfa must be one of {', '.join(second_factor.METHODS)}")
    if mfa == second_factor.SANDBOX and not runtime.settings.sandbox:
        raise AdminError("--mfa sandbox exists only in sandbox mode; use totp")
    generated = None
    if password is None:
        password = generated = secrets.token_urlsafe(18)
    elif len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    totp_secret = second_factor.new_secret() if mfa == second_factor.TOTP else None
    sealed = None if totp_secret is None else runtime.second_factor.seal(totp_secret, user.id)
    # Sign-ins end first: should the change then fail, the user only signs in again.
    await runtime.grants.end_sign_ins(user.id)
    async with runtime.uow() as work:
        await work.partners.replace_credentials(user.id, hash_password(password), mfa, sealed)
        reset = audit_event(
            actor or operator_actor(),
            Action.USER_CREDENTIALS_RESET,
            datetime.now(UTC),
            target_type="user",
            target_id=user.id,
            partner_id=user.partner_id,
            details={"userPrincipalName": user.user_principal_name, "mfa": mfa},
        )
        await work.audit.record(reset)
        await work.commit()
    uri = None if totp_secret is None else second_factor.provisioning_uri(totp_secret, upn)
    return Issued(user.id, generated, uri)


async def link_reseller(
    runtime: Runtime,
    provider_id: str,
    reseller_id: str,
    *,
    active: bool,
    actor: Actor | None = None,
) -> Partnership:
    provider = await _partner(runtime, provider_id)
    reseller = await _partner(runtime, reseller_id)
    if provider.partner_type is not PartnerType.INDIRECT_PROVIDER:
        raise AdminError(f"{provider.name} is not an indirect provider")
    if reseller.partner_type is not PartnerType.INDIRECT_RESELLER:
        raise AdminError(f"{reseller.name} is not an indirect reseller")
    state = PartnershipState.ACTIVE if active else PartnershipState.INACTIVE
    partnership = Partnership(provider.tenant_id, reseller.tenant_id, state)
    async with runtime.uow() as work:
        if await work.partners.get_partnership(provider.tenant_id, reseller.tenant_id):
            raise AdminError("these partners already have a partnership")
        now = datetime.now(UTC)
        await work.partners.add_partnership(partnership, now)
        linked = audit_event(
            actor or operator_actor(),
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
