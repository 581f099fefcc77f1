"""Registering extra partners in a live server, for isolation and market tests."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from tenantry.domain.models import AppRegistration, Partner, PartnerType, PartnerUser
from tenantry.security.passwords import hash_password
from tests.support.server import LiveServer


@dataclass(frozen=True)
class Registered:
    """A partner registered with one app and one user, and a token of each kind."""

    partner: Partner
    app_token: str
    user_token: str  # "" in production mode, which has no password grant

    @property
    def tenant_id(self) -> str:
        return self.partner.tenant_id


def register_partner(
    server: LiveServer,
    country: str,
    partner_type: PartnerType = PartnerType.DIRECT_BILL,
    *,
    name: str | None = None,
    roles: tuple[str, ...] = ("Admin agent",),
) -> Registered:
    """Register a partner with an app and a user straight in the server's database, then
    get an App-only token (client credentials) and, in sandbox mode, an App+User token
    (password grant)."""
    partner = Partner(str(uuid.uuid4()), name or f"Partner {country}", partner_type, country)
    client_id, secret = str(uuid.uuid4()), secrets.token_urlsafe(24)
    upn, password = f"agent@{uuid.uuid4().hex[:8]}.example", "pw-" + secrets.token_urlsafe(12)

    async def register() -> None:
        runtime = server.runtime
        async with runtime.uow() as work:
            now = datetime.now(UTC)
            await work.partners.add(partner, now)
            app = AppRegistration(
                client_id, partner.tenant_id, "test app", runtime.hasher.hash(secret)
            )
            await work.partners.add_app(app, now)
            user = PartnerUser(
                str(uuid.uuid4()), partner.tenant_id, upn, "Agent", hash_password(password), roles
            )
            await work.partners.add_user(user, now)
            await work.commit()

    server.call(register())
    url = f"{server.base_url}/{partner.tenant_id}/oauth2/v2.0/token"
    app_token = httpx.post(
        url,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    app_token.raise_for_status()
    user_token = ""
    if server.settings.sandbox:
        answer = httpx.post(
            url,
            data={
                "grant_type": "password",
                "client_id": client_id,
                "username": upn,
                "password": password,
            },
        )
        answer.raise_for_status()
        user_token = str(answer.json()["access_token"])
    return Registered(partner, str(app_token.json()["access_token"]), user_token)


def add_partner(
    server: LiveServer, country: str, partner_type: PartnerType = PartnerType.DIRECT_BILL
) -> tuple[Partner, str]:
    """A registered partner and an App-only token for it."""
    registered = register_partner(server, country, partner_type)
    return registered.partner, registered.app_token


def add_signed_in_partner(
    server: LiveServer,
    country: str,
    partner_type: PartnerType,
    roles: tuple[str, ...] = ("Admin agent",),
) -> tuple[Partner, str]:
    """A registered partner and an App+User token of its user with these roles."""
    registered = register_partner(server, country, partner_type, roles=roles)
    return registered.partner, registered.user_token


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
