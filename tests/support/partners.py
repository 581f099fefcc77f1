"""Registering extra partners in a live server, for isolation and market tests."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

import httpx

from tenantry.domain.models import AppRegistration, Partner, PartnerType
from tests.support.server import LiveServer


def add_partner(
    server: LiveServer,
    country: str,
    partner_type: PartnerType = PartnerType.DIRECT_BILL,
) -> tuple[Partner, str]:
    """Register a partner with one app; return it and an access token for it."""
    partner = Partner(
        tenant_id=str(uuid.uuid4()),
        name=f"Partner {country}",
        partner_type=partner_type,
        country=country,
    )
    client_id = str(uuid.uuid4())
    secret = secrets.token_urlsafe(24)

    async def register() -> None:
        runtime = server.runtime
        async with runtime.uow() as work:
            now = datetime.now(UTC)
            await work.partners.add(partner, now)
            await work.partners.add_app(
                AppRegistration(
                    client_id, partner.tenant_id, "test app", runtime.hasher.hash(secret)
                ),
                now,
            )
            await work.commit()

    server.call(register())
    response = httpx.post(
        f"{server.base_url}/{partner.tenant_id}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    response.raise_for_status()
    return partner, str(response.json()["access_token"])


def add_signed_in_partner(
    server: LiveServer,
    country: str,
    partner_type: PartnerType,
    roles: tuple[str, ...] = ("Admin agent",),
) -> tuple[Partner, str]:
    """A partner with an app and a user; returns it and an App+User token (password grant)."""
    from tenantry.domain.models import PartnerUser
    from tenantry.security.passwords import hash_password

    partner = Partner(str(uuid.uuid4()), f"Partner {country}", partner_type, country)
    client_id, upn, password = (
        str(uuid.uuid4()),
        f"agent@{uuid.uuid4().hex[:8]}.example",
        "pw-" + secrets.token_urlsafe(12),
    )

    async def register() -> None:
        runtime = server.runtime
        async with runtime.uow() as work:
            now = datetime.now(UTC)
            await work.partners.add(partner, now)
            await work.partners.add_app(
                AppRegistration(
                    client_id, partner.tenant_id, "test app", runtime.hasher.hash("x" * 20)
                ),
                now,
            )
            user = PartnerUser(
                str(uuid.uuid4()),
                partner.tenant_id,
                upn,
                "Agent",
                hash_password(password),
                roles,
            )
            await work.partners.add_user(user, now)
            await work.commit()

    server.call(register())
    response = httpx.post(
        f"{server.base_url}/{partner.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "password",
            "client_id": client_id,
            "username": upn,
            "password": password,
        },
    )
    response.raise_for_status()
    return partner, str(response.json()["access_token"])


def add_partnership(
    server: LiveServer, provider: Partner, reseller: Partner, *, active: bool = True
) -> None:
    from tenantry.domain.models import Partnership, PartnershipState

    async def register() -> None:
        async with server.runtime.uow() as work:
            state = PartnershipState.ACTIVE if active else PartnershipState.INACTIVE
            await work.partners.add_partnership(
                Partnership(provider.tenant_id, reseller.tenant_id, state), datetime.now(UTC)
            )
            await work.commit()

    server.call(register())
