"""`tenantry partners …`: register partners, their apps and users, and partnerships.

The operator's way to set up a production deployment (the sandbox can also be seeded from a
file). Secrets are generated here and printed once; only their hashes are stored.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

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


async def _partner(runtime: Runtime, tenant_id: str) -> Partner:
    async with runtime.uow() as work:
        partner = await work.partners.get(tenant_id.lower()) if is_guid(tenant_id) else None
    if partner is None:
        raise AdminError(f"there is no partner with tenant id {tenant_id!r}")
    return partner


async def create_partner(
    runtime: Runtime, name: str, partner_type: PartnerType, country: str, tenant_id: str | None
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
        await work.partners.add(partner, datetime.now(UTC))
        await work.commit()
    return partner


async def list_partners(runtime: Runtime) -> list[Partner]:
    async with runtime.uow() as work:
        return await work.partners.all()


async def add_app(runtime: Runtime, tenant_id: str, display_name: str) -> Issued:
    """A new app registration with a generated client secret (about 256 bits)."""
    partner = await _partner(runtime, tenant_id)
    client_id, secret = str(uuid.uuid4()), secrets.token_urlsafe(32)
    app = AppRegistration(client_id, partner.tenant_id, display_name, runtime.hasher.hash(secret))
    async with runtime.uow() as work:
        await work.partners.add_app(app, datetime.now(UTC))
        await work.commit()
    return Issued(client_id, secret)


async def add_user(
    runtime: Runtime,
    tenant_id: str,
    upn: str,
    roles: tuple[str, ...],
    password: str | None,
) -> Issued:
    """A partner user; without a password one is generated and returned once."""
    partner = await _partner(runtime, tenant_id)
    if "@" not in upn or len(upn) > 128 or not upn.isprintable():
        raise AdminError(f"{upn!r} is not a user principal name (name@domain)")
    generated = None
    if password is None:
        password = generated = secrets.token_urlsafe(18)
    elif len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = PartnerUser(
        str(uuid.uuid4()), partner.tenant_id, upn, upn.split("@")[0], hash_password(password), roles
    )
    async with runtime.uow() as work:
        if await work.partners.get_user(upn) is not None:
            raise AdminError(f"the user {upn} already exists")
        await work.partners.add_user(user, datetime.now(UTC))
        await work.commit()
    return Issued(user.id, generated)


async def link_reseller(
    runtime: Runtime, provider_id: str, reseller_id: str, *, active: bool
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
        await work.partners.add_partnership(partnership, datetime.now(UTC))
        await work.commit()
    return partnership
