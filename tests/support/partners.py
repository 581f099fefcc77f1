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
