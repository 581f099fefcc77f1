"""The customer use cases: create (idempotent), read, and domain availability.

Create is race-free by construction: the idempotency record is inserted first, in the same
transaction as the customer, so the database's unique constraints decide which of two
concurrent requests wins. The loser waits on the winner's lock, then replays its answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tenantry.domain.audit import Action, Actor, AuditEvent, audit_event
from tenantry.domain.clock import Clock
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.gdap import DEFAULT_DURATION_DAYS, default_gdap_roles
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.idempotent_answers import IdempotentAnswers
from tenantry.domain.ids import is_guid, new_guids
from tenantry.domain.models import (
    AdminUser,
    BillingProfile,
    Customer,
    CustomerDraft,
    GdapRelationship,
    NewCustomer,
    Partner,
    PartnerType,
    RelationshipToPartner,
    ResellerRelationship,
    SubscriptionChoice,
    ValidCustomer,
)
from tenantry.domain.order_building import order_of_choices
from tenantry.domain.passwords import generate_admin_password
from tenantry.domain.ports import (
    DomainAlreadyTaken,
    IdempotencyKeyTaken,
    SecretHasher,
    TwinStillRunning,
    UnitOfWork,
    UnitOfWorkFactory,
)
from tenantry.domain.rules import domain_key, validate_new_customer
from tenantry.domain.rules.domains import check_domain, is_dns_name
from tenantry.domain.sandbox import SandboxLimits

ADMIN_USER_NAME = "admin"


class CreateRenderer(Protocol):
    """Turns an outcome into the exact response that is stored and replayed."""

    def created(self, new: NewCustomer) -> StoredResponse: ...

    def failed(self, error: ServiceError) -> StoredResponse: ...


@dataclass(frozen=True)
class CreatePolicy:
    sandbox: bool
    retention: timedelta
    strict_idempotency: bool = False


class _SandboxFull(Exception):
    def __init__(self, cap: int) -> None:
        super().__init__(cap)
        self.cap = cap


def new_etag() -> int:
    """A signed 64-bit integer, as Partner Center's billing-profile etags are."""
    return secrets.randbits(64) - 2**63


class CustomerService:
    """Create and read customers on behalf of a calling partner."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        hasher: SecretHasher,
        policy: CreatePolicy,
        limits: SandboxLimits | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._policy = policy
        self._limits = limits or SandboxLimits()
        self._answers = IdempotentAnswers(
            uow, clock, retention=policy.retention, strict=policy.strict_idempotency
        )

    async def create(
        self,
        partner: Partner,
        key: IdempotencyKey,
        draft: CustomerDraft,
        render: CreateRenderer,
        *,
        app_only: bool,
        actor: Actor,
        subscriptions: tuple[SubscriptionChoice, ...] = (),
    ) -> StoredResponse:
        """Create a customer once per idempotency key; replay the first answer after that.
        The audit trail records the creation, never a replay. `subscriptions` (offers of
        the catalog, already checked) are written in the same transaction.

        The key is not looked up first: claiming it is the write's first statement, and a
        key already kept makes the claim fail and the kept answer be replayed (whatever
        this request would have answered). A retry thus costs a validation more, and a
        new request, which is the common case, a unit of work less."""
        refusal = await self._indirect_refusal(partner, draft, app_only=app_only)
        if refusal is not None:
            return await self._record(key, render.failed(refusal), render)
        try:
            valid = validate_new_customer(draft, partner, sandbox=self._policy.sandbox)
        except ServiceError as error:
            return await self._record(key, render.failed(error), render)

        new = self._build(partner, valid, subscriptions)
        response = render.created(new).answering(key)
        now = self._clock.now()
        try:
            async with self._uow() as uow, uow.writes_then_commit():
                await self._answers.keep(uow, key, response, now)
                # A read amid the writes, which it need not see (they may not be sent yet).
                cap = self._limits.customer_cap if self._policy.sandbox else 0
                if cap and await uow.customers.count_owned(partner.tenant_id) >= cap:
                    raise _SandboxFull(cap)
                await uow.customers.add(new, domain_key(valid.domain))
                await uow.audit.record(_created_event(actor, new, now))
        except IdempotencyKeyTaken:
            return await self._answers.replay(key, render.failed)
        except TwinStillRunning as exc:
            raise ServiceError(Errors.REQUEST_IN_PROGRESS) from exc
        except DomainAlreadyTaken:
            taken = ServiceError(Errors.DOMAIN_TAKEN, {"domain": valid.domain})
            return await self._record(key, render.failed(taken), render)
        except _SandboxFull as full:
            limit = ServiceError(Errors.SANDBOX_LIMIT_REACHED, {"limit": full.cap})
            return await self._record(key, render.failed(limit), render)
        return response

    async def refuse(
        self, key: IdempotencyKey, error: ServiceError, render: CreateRenderer
    ) -> StoredResponse:
        """Answer a request that failed before it could be read (malformed body), keeping
        that answer for its retries like any other."""
        if (stored := await self._answers.kept(key, render.failed)) is not None:
            return stored
        return await self._record(key, render.failed(error), render)

    async def _indirect_refusal(
        self, partner: Partner, draft: CustomerDraft, *, app_only: bool
    ) -> ServiceError | None:
        """Creating for an indirect reseller needs a signed-in user of an indirect provider
        that has an active partnership with that reseller."""
        reseller_id = draft.associated_partner_id
        if reseller_id is None:
            return None
        if app_only:
            return ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        reseller = partnership = None
        if is_guid(reseller_id):
            async with self._uow() as uow:
                reseller = await uow.partners.get(reseller_id.lower())
                if reseller is not None:
                    partnership = await uow.partners.get_partnership(
                        partner.tenant_id, reseller.tenant_id
                    )
        if reseller is None:
            return ServiceError(Errors.PARTNER_NOT_FOUND, {"partner_id": reseller_id[:100]})
        allowed = (
            partner.partner_type is PartnerType.INDIRECT_PROVIDER
            and reseller.partner_type is PartnerType.INDIRECT_RESELLER
            and partnership is not None
            and partnership.active
        )
        if not allowed:
            return ServiceError(Errors.NOT_AN_ACTIVE_RESELLER, {"partner_id": reseller.tenant_id})
        return None

    async def get(self, partner: Partner, customer_id: str) -> Customer:
        """One of the partner's customers, or the documented not-found / forbidden errors."""
        cutoff = self._limits.provisioned_before(self._clock.now())
        async with self._uow() as uow:
            return await visible_customer(uow, partner, customer_id, cutoff)

    async def domain_exists(self, domain: str) -> bool:
        """Whether any partner's customer already uses this domain (case-insensitive).

        A name that is not a domain name at all is a bad request (400), as Partner Center
        answers it; a well-formed domain that no customer can have is simply free.
        """
        if not is_dns_name(domain):
            reason = f"'{domain[:300]}' is not a valid domain name"
            raise ServiceError(Errors.MALFORMED_REQUEST, {"reason": reason})
        if check_domain(domain, sandbox=self._policy.sandbox):
            return False  # no customer can have a domain that breaks the domain rule
        async with self._uow() as uow:
            return await uow.customers.domain_key_exists(domain_key(domain))

    async def _record(
        self, key: IdempotencyKey, response: StoredResponse, render: CreateRenderer
    ) -> StoredResponse:
        return await self._answers.record(key, response, render.failed)

    def _build(
        self, partner: Partner, valid: ValidCustomer, choices: tuple[SubscriptionChoice, ...] = ()
    ) -> NewCustomer:
        now = self._clock.now()
        customer_id, commerce_id, billing_id, admin_id, gdap_id, relationship_id = new_guids(6)
        password = generate_admin_password()
        customer = Customer(
            id=customer_id,
            commerce_id=commerce_id,
            partner_id=partner.tenant_id,
            domain=valid.domain,
            company_name=valid.company_name,
            organization_registration_number=valid.organization_registration_number,
            billing=BillingProfile(
                id=billing_id,
                email=valid.email,
                culture=valid.culture,
                language=valid.language,
                company_name=valid.company_name,
                address=valid.address,
                etag=new_etag(),
                first_name=valid.billing_first_name,
                last_name=valid.billing_last_name,
            ),
            relationship_to_partner=RelationshipToPartner.RESELLER,
            allow_delegated_access=False,
            enable_gdap_by_default=valid.enable_gdap_by_default,
            associated_partner_id=(
                None if valid.associated_partner_id is None else valid.associated_partner_id.lower()
            ),
            created_at=now,
        )
        admin = AdminUser(
            id=admin_id,
            customer_id=customer_id,
            user_name=ADMIN_USER_NAME,
            user_principal_name=f"{ADMIN_USER_NAME}@{valid.domain}",
            password_hash=self._hasher.hash(password),
            must_change_password=True,
            created_at=now,
        )
        gdap = None
        if valid.enable_gdap_by_default:
            gdap = GdapRelationship(
                id=gdap_id,
                customer_id=customer_id,
                partner_id=partner.tenant_id,
                display_name=f"Default_{customer_id[:8]}",
                roles=default_gdap_roles(partner.partner_type),
                duration_days=DEFAULT_DURATION_DAYS,
                status="active",
                created_at=now,
                ends_at=now + timedelta(days=DEFAULT_DURATION_DAYS),
            )
        relationship = ResellerRelationship(
            id=relationship_id,
            customer_id=customer_id,
            partner_id=partner.tenant_id,
            created_at=now,
        )
        order, subscriptions = order_of_choices(customer_id, choices, now)
        return NewCustomer(customer, admin, relationship, gdap, password, subscriptions, order)


def _created_event(actor: Actor, new: NewCustomer, now: datetime) -> AuditEvent:
    customer = new.customer
    return audit_event(
        actor,
        Action.CUSTOMER_CREATED,
        now,
        target_type="customer",
        target_id=customer.id,
        partner_id=customer.partner_id,
        details={
            "domain": customer.domain,
            "adminUser": new.admin.user_principal_name,
            "gdap": new.gdap is not None,
            "associatedPartnerId": customer.associated_partner_id,
        },
    )


async def visible_customer(
    uow: UnitOfWork,
    partner: Partner,
    customer_id: str,
    provisioned_before: datetime | None = None,
) -> Customer:
    """The customer if the partner resells it: else 900118, 60003 or 20002. A customer
    created after `provisioned_before` is still being provisioned and reads as not found."""
    if not is_guid(customer_id):
        raise ServiceError(Errors.INVALID_CUSTOMER_ID, {"customer_id": customer_id[:100]})
    customer = await uow.customers.get(customer_id.lower())
    provisioning = (
        provisioned_before is not None
        and customer is not None
        and (customer.created_at > provisioned_before)
    )
    if customer is None or provisioning:
        raise ServiceError(Errors.CUSTOMER_NOT_FOUND, {"customer_id": customer_id})
    related = partner.tenant_id in (customer.partner_id, customer.associated_partner_id)
    if not related or customer.relationship_to_partner is not RelationshipToPartner.RESELLER:
        raise ServiceError(
            Errors.NO_RELATIONSHIP,
            {"partner_id": partner.tenant_id, "customer_id": customer_id},
        )
    return customer
