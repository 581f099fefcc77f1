"""Applying a seed: partners with their apps and users, partnerships, then customers.

All inside the caller's whole-state transaction: a seed that fails anywhere leaves nothing
behind. Customers go through `CustomerService.create`, so a seeded customer obeys exactly
the API's rules (and a customer that breaks one fails the seed with that rule's code).
What already exists is skipped — partners by tenant id, partnerships by pair, customers by
domain — so the same seed can run at every start.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from tenantry.auth.enrolment import ClientIdTaken, Enrolment, UserNameTaken
from tenantry.domain.agreements import METADATA
from tenantry.domain.audit import Actor
from tenantry.domain.commerce import Agreement, AgreementType
from tenantry.domain.customers import CustomerService
from tenantry.domain.errors import FieldProblem, ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import Customer, NewCustomer, Partnership, PartnerType
from tenantry.domain.ports import UnitOfWork
from tenantry.domain.rules import domain_key
from tenantry.sandbox.seeds import Seed, SeedCustomer, SeedPartner, SeedReport, malformed

MCA_METADATA = next(
    m for m in METADATA if m.agreement_type is AgreementType.MICROSOFT_CUSTOMER_AGREEMENT
)

# The create API's member paths, as the seed format spells them.
_SEED_PATHS = (
    ("billingProfile.defaultAddress.", "address."),
    ("billingProfile.", ""),
    ("companyProfile.", ""),
)


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


class SeedRun:
    """One seed being applied in `work`: the report fills as it goes."""

    def __init__(
        self,
        work: UnitOfWork,
        enrolment: Enrolment,
        customers: CustomerService,
        idempotency_secret: bytes,
        now: datetime,
    ) -> None:
        self._work = work
        self._enrolment = enrolment
        self._customers = customers
        self._idempotency_secret = idempotency_secret
        self._now = now
        self.report = SeedReport()

    async def apply(self, seed: Seed, actor: Actor) -> SeedReport:
        for i, seeded in enumerate(seed.partners):
            tenant_id = seeded.partner.tenant_id
            if await self._work.partners.get(tenant_id) is not None:
                self.report.partners_existing.append(tenant_id)
                continue
            await self._add_partner(i, seeded)
            self.report.partners_created.append(tenant_id)
        for i, p in enumerate(seed.partnerships):
            await self._add_partnership(i, Partnership(p.provider_id, p.reseller_id, p.state))
        for i, customer in enumerate(seed.customers):
            await self._add_customer(i, customer, actor)
        return self.report

    async def _add_partner(self, i: int, seeded: SeedPartner) -> None:
        partner, work, now = seeded.partner, self._work, self._now
        await work.partners.add(partner, now)
        for j, app in enumerate(seeded.apps):
            registration = self._enrolment.app(
                partner.tenant_id,
                app.display_name,
                app.client_secret,
                app.redirect_uris,
                client_id=app.client_id,
            )
            try:
                await self._enrolment.add_app(work, registration, now)
            except ClientIdTaken as taken:
                raise malformed(
                    f"partners[{i}].apps[{j}].clientId {app.client_id} is already registered "
                    f"(partner {taken.owner})"
                ) from None
        for j, user in enumerate(seeded.users):
            person = self._enrolment.user(
                partner.tenant_id,
                user.user_principal_name,
                user.roles,
                password=user.password,
                mfa=user.mfa,
                display_name=user.display_name,
            )
            try:
                await self._enrolment.add_user(work, person.user, now)
            except UserNameTaken:
                raise malformed(
                    f"partners[{i}].users[{j}].userPrincipalName {user.user_principal_name} "
                    "is already taken"
                ) from None

    async def _add_partnership(self, i: int, wanted: Partnership) -> None:
        where = f"partnerships[{i}]"
        for role, tenant_id, kind in (
            ("provider", wanted.provider_id, PartnerType.INDIRECT_PROVIDER),
            ("reseller", wanted.reseller_id, PartnerType.INDIRECT_RESELLER),
        ):
            partner = await self._work.partners.get(tenant_id)
            if partner is None:
                raise malformed(f"{where}.{role}: there is no partner {tenant_id}")
            if partner.partner_type is not kind:
                raise malformed(f"{where}.{role}: partner {tenant_id} is not an {kind.value}")
        partners = self._work.partners
        if await partners.get_partnership(wanted.provider_id, wanted.reseller_id) is not None:
            self.report.partnerships_existing += 1
            return
        await partners.add_partnership(wanted, self._now)
        self.report.partnerships_created += 1

    async def _add_customer(self, i: int, seeded: SeedCustomer, actor: Actor) -> None:
        where = f"customers[{i}]"
        partner = await self._work.partners.get(seeded.partner_id)
        if partner is None:
            raise malformed(f"{where}.partner: there is no partner {seeded.partner_id}")
        domain = seeded.draft.domain
        if domain is not None and await self._work.customers.domain_key_exists(domain_key(domain)):
            self.report.customers_existing.append(domain.strip())
            return
        key = IdempotencyKey.of(
            self._idempotency_secret,
            partner.tenant_id,
            "POST",
            "/v1/customers",
            f"tenantry-seed-{uuid.uuid4()}",
            b"",
        )
        keep = _Keep()
        try:
            # As the partner's signed-in user: creating for a reseller needs App+User.
            await self._customers.create(
                partner,
                key,
                seeded.draft,
                keep,
                app_only=False,
                actor=actor,
                subscriptions=seeded.subscriptions,
            )
        except ServiceError as error:
            raise _located(error, where) from error
        assert keep.customer is not None
        if (accepted := seeded.agreement) is not None:
            await self._work.agreements.add(
                Agreement(
                    id=str(uuid.uuid4()),
                    customer_id=keep.customer.id,
                    template_id=MCA_METADATA.template_id,
                    agreement_type=MCA_METADATA.agreement_type,
                    date_agreed=accepted.date_agreed or self._now,
                    contact=accepted.contact,
                    confirmed_by=actor.id,
                    created_at=self._now,
                )
            )
        self.report.customers_created.append(keep.customer)
