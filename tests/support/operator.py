"""The operator's partner use cases on a live server's runtime, as `tenantry partners`
runs them (the operator is the actor), for tests that need users or apps of their own."""

from __future__ import annotations

from tenantry.auth.administration import Issued
from tenantry.domain.audit import OPERATOR, Actor
from tenantry.domain.models import Partner, PartnerType
from tenantry.runtime import Runtime

ACTOR = Actor(OPERATOR, "tests")


async def create_partner(
    runtime: Runtime, name: str, partner_type: PartnerType, country: str, tenant_id: str | None
) -> Partner:
    return await runtime.administration.create_partner(
        name, partner_type, country, tenant_id, actor=ACTOR
    )


async def add_app(
    runtime: Runtime, tenant_id: str, display_name: str, redirect_uris: tuple[str, ...] = ()
) -> Issued:
    return await runtime.administration.add_app(tenant_id, display_name, redirect_uris, actor=ACTOR)


async def add_user(
    runtime: Runtime,
    tenant_id: str,
    upn: str,
    roles: tuple[str, ...],
    password: str | None,
    mfa: str | None = None,
) -> Issued:
    return await runtime.administration.add_user(tenant_id, upn, roles, password, mfa, actor=ACTOR)


async def reset_user(
    runtime: Runtime, upn: str, password: str | None, mfa: str | None = None
) -> Issued:
    return await runtime.administration.reset_user(upn, password, mfa, actor=ACTOR)
