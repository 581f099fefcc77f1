"""A small world for the customer wing's unit tests: partners in an in-memory database, a
clock that stands still, and customers created the way the API creates them."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import pytest

from tenantry.domain.audit import APP, USER, Actor, AuditEvent
from tenantry.domain.customers import CreatePolicy, CustomerService
from tenantry.domain.errors import ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import (
    Customer,
    Partner,
    Partnership,
    PartnershipState,
    PartnerType,
    SubscriptionChoice,
)
from tenantry.domain.sandbox import SandboxLimits, Visibility
from tests.domain.rules.rules_helpers import seed_draft
from tests.support.fakes import FakeClock, MemoryDatabase, PlainHasher, PlainRenderer

DIRECT = Partner("11111111-1111-4111-8111-111111111111", "Contoso", PartnerType.DIRECT_BILL, "US")
PROVIDER = Partner(
    "33333333-3333-4333-8333-333333333333", "Northwind", PartnerType.INDIRECT_PROVIDER, "US"
)
RESELLER = Partner(
    "22222222-2222-4222-8222-222222222222", "Fabrikam", PartnerType.INDIRECT_RESELLER, "US"
)
STRANGER = Partner(
    "44444444-4444-4444-8444-444444444444", "Tailspin", PartnerType.DIRECT_BILL, "US"
)

APP_ACTOR = Actor(APP, "test-app", "r1", "c1")
USER_ACTOR = Actor(USER, "agent@northwind.example", "r2", "c2")


class World:
    """Four partners (a direct-bill one, an indirect provider with an active partnership
    with its reseller, and a stranger) and the create service over one database."""

    def __init__(self, *, provisioning_delay: timedelta = timedelta(0), cap: int = 0) -> None:
        self.db = MemoryDatabase()
        self.clock = FakeClock()
        self.limits = SandboxLimits(
            customer_cap=cap, provisioning_delay_seconds=provisioning_delay.total_seconds()
        )
        self.visibility = Visibility(self.clock, self.limits)
        self.customers = CustomerService(
            self.db.uow,
            self.clock,
            PlainHasher(),
            CreatePolicy(sandbox=True, retention=timedelta(hours=24)),
            self.limits,
        )
        for partner in (DIRECT, PROVIDER, RESELLER, STRANGER):
            self.db.tables.partners[partner.tenant_id] = partner
        self.db.tables.partnerships[(PROVIDER.tenant_id, RESELLER.tenant_id)] = Partnership(
            PROVIDER.tenant_id, RESELLER.tenant_id, PartnershipState.ACTIVE
        )
        self._requests = 0

    async def try_create(
        self,
        partner: Partner = DIRECT,
        domain: str | None = None,
        *,
        for_reseller: Partner | None = None,
        subscriptions: tuple[SubscriptionChoice, ...] = (),
        **changes: Any,
    ) -> StoredResponse:
        """Create a customer as the API would (App-only unless it is for a reseller)."""
        self._requests += 1
        n = self._requests
        key = IdempotencyKey.of(
            b"k" * 32, partner.tenant_id, "POST", "/v1/customers", f"request-{n}", str(n).encode()
        )
        if for_reseller is not None:
            changes["associated_partner_id"] = for_reseller.tenant_id
        draft = dataclasses.replace(
            seed_draft(domain=domain or f"customer{n}.onmicrosoft.com"), **changes
        )
        return await self.customers.create(
            partner,
            key,
            draft,
            PlainRenderer(),
            app_only=for_reseller is None,
            actor=APP_ACTOR if for_reseller is None else USER_ACTOR,
            subscriptions=subscriptions,
        )

    async def create(
        self,
        partner: Partner = DIRECT,
        domain: str | None = None,
        *,
        for_reseller: Partner | None = None,
        subscriptions: tuple[SubscriptionChoice, ...] = (),
        **changes: Any,
    ) -> Customer:
        """Create a customer that must be accepted; the customer as stored."""
        answer = await self.try_create(
            partner, domain, for_reseller=for_reseller, subscriptions=subscriptions, **changes
        )
        assert answer.status == 201, answer.body
        return self.db.tables.customers[created_id(answer)]

    def audit(self, action: str) -> list[AuditEvent]:
        """The committed audit events of one action, oldest first."""
        return [e for e in self.db.tables.audit if e.action == action]


def created_id(answer: StoredResponse) -> str:
    """The customer id of a `PlainRenderer` answer."""
    _, customer_id, _ = answer.body.decode().split(" ")
    return customer_id


async def refusal(call: Awaitable[object]) -> ServiceError:
    """The `ServiceError` a call fails with (the test fails if it does not)."""
    with pytest.raises(ServiceError) as caught:
        await call
    return caught.value
