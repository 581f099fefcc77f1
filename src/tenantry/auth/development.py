"""The sandbox's well-known development partner, like Azurite's development account.

These values are public on purpose: they exist only in sandbox mode, so that scripts and
CI jobs can authenticate against a fresh sandbox without any set-up.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tenantry.auth.enrolment import Enrolment
from tenantry.domain.models import AppRegistration, Partner, PartnerType, PartnerUser
from tenantry.domain.ports import UnitOfWorkFactory

DEV_TENANT_ID = "7e4a47e7-de00-4000-8000-000000000001"
DEV_CLIENT_ID = "7e4a47e7-de00-4000-8000-0000000000a1"
DEV_CLIENT_SECRET = "tenantry-sandbox-secret-not-for-production"  # noqa: S105 - public by design

DEV_USER_UPN = "admin@tenantrysandbox.onmicrosoft.com"
DEV_USER_PASSWORD = "tenantry-sandbox-user-not-for-production"  # noqa: S105 - public by design
DEV_USER_ID = "7e4a47e7-de00-4000-8000-0000000000b1"
# DEV_USER_PASSWORD's argon2id hash, written out so that a sandbox does not spend a hash on
# every start (a test checks that it verifies and uses the current parameters).
DEV_USER_PASSWORD_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$+ONB1YhJixEulbIPEDUqVA$"  # noqa: S105 - public password
    "ZFTIr+xW3r/FuaD+BDcjwpfn0GK21YYkskXTyrWWx70"
)

DEV_PARTNER = Partner(
    tenant_id=DEV_TENANT_ID,
    name="Tenantry Sandbox Partner",
    partner_type=PartnerType.DIRECT_BILL,
    country="US",
)


def development_records(enrolment: Enrolment) -> tuple[AppRegistration, PartnerUser]:
    """The development partner's app and user, as `ensure_development_partner` writes them."""
    app = enrolment.app(
        DEV_TENANT_ID, "Tenantry sandbox app", DEV_CLIENT_SECRET, client_id=DEV_CLIENT_ID
    )
    user = enrolment.user(
        DEV_TENANT_ID,
        DEV_USER_UPN,
        ("Admin agent",),
        password_hash=DEV_USER_PASSWORD_HASH,
        display_name="Sandbox Admin Agent",
        user_id=DEV_USER_ID,
    ).user
    return app, user


async def ensure_development_partner(uow: UnitOfWorkFactory, enrolment: Enrolment) -> bool:
    """Create the development partner, its app and its user if missing. True when created."""
    app, user = development_records(enrolment)
    async with uow() as work:
        if await work.partners.get(DEV_TENANT_ID) is not None:
            return False
        now = datetime.now(UTC)
        await work.partners.add(DEV_PARTNER, now)
        await enrolment.add_app(work, app, now)
        await enrolment.add_user(work, user, now)
        await work.commit()
    return True
