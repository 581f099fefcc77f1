"""Applying a seed: partners with their apps and users, partnerships, then customers.

All in one transaction: a seed that fails anywhere leaves nothing behind. Customers go
through `CustomerService.create`, so a seeded customer obeys exactly the API's rules
(and a customer that breaks one fails the seed with that rule's code). What already exists
is skipped — partners by tenant id, partnerships by pair, customers by domain — so the
same seed can run at every start.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from tenantry.control.seed_format import Seed, SeedCustomer, SeedPartner, malformed
from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.customers import CustomerService
from tenantry.domain.errors import FieldProblem, ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import (
    AppRegistration,
    Customer,
    NewCustomer,
    Partner,
    Partnership,
    PartnerType,
    PartnerUser,
)
from tenantry.domain.ports import SecretHasher
from tenantry.domain.rules import domain_key
from tenantry.runtime import Runtime
from tenantry.security.passwords import hash_password
from tenantry.storage.shared_transaction import JoinedWork, SharedTransaction

# The create API's member paths, as the seed format spells them.
_SEED_PATHS = (
    ("billingProfile.defaultAddress.", "address."),
    ("billingProfile.", ""),
    ("companyProfile.", ""),
)


@dataclass
class SeedReport:
    """What a seed created and what it found already there."""

    partners_created: list[str] = field(default_factory=list)
    partners_existing: list[str] = field(default_factory=list)
    partnerships_created: int = 0
    partnerships_existing: int = 0
    customers_created: list[Customer] = field(default_factory=list)
    customers_existing: list[str] = field(default_factory=list)

    def wire(self) -> dict[str, Any]:
        return {
            "partners": {"created": self.partners_created, "existing": self.partners_existing},
            "partnerships": {
                "created": self.partnerships_created,
                "existing": self.partnerships_existing,
            },
            "customers": {
                "created": [
                    {"id": c.id, "domain": c.domain, "partner": c.partner_id}
                    for c in self.customers_created
                ],
                "existing": self.customers_existing,
            },
        }


class _Keep:
    """Create's renderer for seeds: keeps the new customer, raises any refusal as it is."""

    def __init__(self) -> None:
        self.customer: Customer | None = None

    def created(self, new: NewCustomer) -> StoredResponse:
        self.customer = new.customer
        return StoredResponse(201, (), b"")

    def failed(self, error: ServiceError) -> StoredResponse:
        raise error


def _located(error: ServiceError, where: str) -> ServiceError:
    """The rule's own error, its `data` entries prefixed with the seed customer's place."""

    def seed_path(path: str) -> str:
        for api, seed in _SEED_PATHS:
            if path.startswith(api):
                return f"{where}.{seed}{path[len(api) :]}"
        return f"{where}.{path}"

    problems = tuple(
        FieldProblem(p.spec, seed_path(p.path), p.reason, p.params) for p in error.problems
    ) or (FieldProblem(error.spec, where, error.spec.message, error.params),)
    return ServiceError(error.spec, error.params, problems)


async def _add_partner(
    work: JoinedWork, hasher: SecretHasher, i: int, seeded: SeedPartner, now: datetime
) -> None:
    partner = seeded.partner
    await work.partners.add(partner, now)
    for j, app in enumerate(seeded.apps):
        owner = await work.partners.get_app(app.client_id)
        if owner is not None:
            raise malformed(
                f"partners[{i}].apps[{j}].clientId {app.client_id} is already registered "
                f"(partner {owner.partner_id})"
            )
        secret_hash = hasher.hash(app.client_secret)
        registration = AppRegistration(
            app.client_id, partner.tenant_id, app.display_name, secret_hash, app.redirect_uris
        )
        await work.partners.add_app(registration, now)
    for j, user in enumerate(seeded.users):
        if await work.partners.get_user(user.user_principal_name) is not None:
            raise malformed(
                f"partners[{i}].users[{j}].userPrincipalName {user.user_principal_name} "
                "is already taken"
            )
        person = PartnerUser(
            id=str(uuid.uuid4()),
            partner_id=partner.tenant_id,
            user_principal_name=user.user_principal_name,
            display_name=user.display_name,
            password_hash=hash_password(user.password),
            roles=user.roles,
            mfa=user.mfa,
        )
        await work.partners.add_user(person, now)


async def _add_partnership(
    work: JoinedWork, i: int, wanted: Partnership, now: datetime, report: SeedReport
) -> None:
    where = f"partnerships[{i}]"
    for role, tenant_id, kind in (
        ("provider", wanted.provider_id, PartnerType.INDIRECT_PROVIDER),
        ("reseller", wanted.reseller_id, PartnerType.INDIRECT_RESELLER),
    ):
        partner = await work.partners.get(tenant_id)
        if partner is None:
            raise malformed(f"{where}.{role}: there is no partner {tenant_id}")
        if partner.partner_type is not kind:
            raise malformed(f"{where}.{role}: partner {tenant_id} is not an {kind.value}")
    if await work.partners.get_partnership(wanted.provider_id, wanted.reseller_id) is not None:
        report.partnerships_existing += 1
        return
    await work.partners.add_partnership(wanted, now)
    report.partnerships_created += 1


async def _add_customer(
    work: JoinedWork,
    service: CustomerService,
    runtime: Runtime,
    i: int,
    seeded: SeedCustomer,
    report: SeedReport,
    actor: Actor,
) -> None:
    where = f"customers[{i}]"
    partner: Partner | None = await work.partners.get(seeded.partner_id)
    if partner is None:
        raise malformed(f"{where}.partner: there is no partner {seeded.partner_id}")
    domain = seeded.draft.domain
    if domain is not None and await work.customers.domain_key_exists(domain_key(domain)):
        report.customers_existing.append(domain.strip())
        return
    key = IdempotencyKey.of(
        runtime.idempotency_secret,
        partner.tenant_id,
        "POST",
        "/v1/customers",
        f"tenantry-seed-{uuid.uuid4()}",
        b"",
    )
    keep = _Keep()
    try:
        # As the partner's signed-in user: creating for a reseller needs App+User.
        await service.create(partner, key, seeded.draft, keep, app_only=False, actor=actor)
    except ServiceError as error:
        raise _located(error, where) from error
    assert keep.customer is not None
    report.customers_created.append(keep.customer)


async def apply_seed(runtime: Runtime, seed: Seed, actor: Actor) -> SeedReport:
    """Write the seed in one transaction; any refusal rolls all of it back. The audit
    trail gets one event for the seed and one per customer it created."""
    report = SeedReport()
    try:
        async with SharedTransaction(runtime.engine) as tx:
            work = tx()
            now = runtime.clock.now()
            for i, seeded in enumerate(seed.partners):
                tenant_id = seeded.partner.tenant_id
                if await work.partners.get(tenant_id) is not None:
                    report.partners_existing.append(tenant_id)
                    continue
                await _add_partner(work, runtime.hasher, i, seeded, now)
                report.partners_created.append(tenant_id)
            for i, p in enumerate(seed.partnerships):
                wanted = Partnership(p.provider_id, p.reseller_id, p.state)
                await _add_partnership(work, i, wanted, now, report)
            service = CustomerService(
                tx, runtime.clock, runtime.hasher, runtime.policy, runtime.limits
            )
            for i, customer in enumerate(seed.customers):
                await _add_customer(work, service, runtime, i, customer, report, actor)
            seed_event = audit_event(
                actor,
                Action.SANDBOX_SEEDED,
                now,
                target_type="sandbox",
                target_id="state",
                details={
                    "partnersCreated": list(report.partners_created),
                    "partnershipsCreated": report.partnerships_created,
                    "customersCreated": len(report.customers_created),
                },
            )
            await work.audit.record(seed_event)
            await tx.commit()
    except IntegrityError as exc:  # a concurrent change took a key this seed wanted
        raise malformed(
            "the seed conflicts with a change made at the same time; apply it again"
        ) from exc
    runtime.forget_partners()
    return report
