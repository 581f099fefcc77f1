"""A customer's subscriptions: read them, rename one, and update one as Partner Center's
`PATCH` does (friendly name, quantity, suspend and reactivate)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.clock import Clock
from tenantry.domain.customers import visible_customer
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.ids import is_guid
from tenantry.domain.models import Customer, Partner, Subscription
from tenantry.domain.offers import find_offer
from tenantry.domain.ports import UnitOfWork, UnitOfWorkFactory
from tenantry.domain.roles import authorize_customer_change
from tenantry.domain.sandbox import Visibility, cutoff_of

NAME_MAX = 255
NAME_PATH = "friendlyName"
ACTIVE = "active"
SUSPENDED = "suspended"
STATUSES = (ACTIVE, SUSPENDED)


@dataclass(frozen=True)
class SubscriptionPatch:
    """A PATCH body: the whole subscription as the caller read it. Members left out keep
    their value; read-only members that name the subscription must not change."""

    friendly_name: str | None = None
    quantity: int | None = None
    status: str | None = None
    id: str | None = None
    offer_id: str | None = None
    order_id: str | None = None


def _name_problem(name: str) -> FieldProblem | None:
    return None if 1 <= len(name) <= NAME_MAX else FieldProblem.length(NAME_PATH, NAME_MAX)


def _not_found(customer_id: str, subscription_id: str) -> ServiceError:
    params = {"customer_id": customer_id, "subscription_id": subscription_id[:100]}
    return ServiceError(Errors.SUBSCRIPTION_NOT_FOUND, params)


def apply_patch(current: Subscription, patch: SubscriptionPatch) -> Subscription:
    """The subscription after the patch, or every problem of it at once."""
    problems: list[FieldProblem] = []
    named = (("id", patch.id, current.id), ("offerId", patch.offer_id, current.offer_id))
    for path, given, kept in (*named, ("orderId", patch.order_id, current.order_id)):
        if given is not None and given.lower() != (kept or "").lower():
            problems.append(
                FieldProblem(Errors.MEMBER_IMMUTABLE, path, "cannot be changed", {"field": path})
            )
    name = current.friendly_name
    if patch.friendly_name is not None:
        name = patch.friendly_name.strip()
        if (problem := _name_problem(name)) is not None:
            problems.append(problem)
    quantity = current.quantity if patch.quantity is None else patch.quantity
    offer = find_offer(current.offer_id)
    high = current.quantity if offer is None else offer.max_quantity
    if patch.quantity is not None and not 1 <= quantity <= high:
        params = {"offer_id": current.offer_id, "min": 1, "max": high}
        problems.append(
            FieldProblem(Errors.QUANTITY_OUT_OF_RANGE, "quantity", "is out of range", params)
        )
    status = current.status if patch.status is None else patch.status.strip().lower()
    if status not in STATUSES:
        problems.append(
            FieldProblem(
                Errors.SUBSCRIPTION_STATUS_INVALID,
                "status",
                "must be active or suspended",
                {"status": (patch.status or "")[:32]},
            )
        )
    elif status == SUSPENDED and quantity != current.quantity:
        # A suspended subscription keeps its licences until it is reactivated.
        problems.append(
            FieldProblem(
                Errors.MEMBER_IMMUTABLE,
                "quantity",
                "cannot be changed while the subscription is suspended",
                {"field": "quantity"},
            )
        )
    if problems:
        raise ServiceError.from_problems(problems)
    return replace(current, friendly_name=name, quantity=quantity, status=status)


class SubscriptionService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, visibility: Visibility | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._visibility = visibility

    async def _customer(self, work: UnitOfWork, partner: Partner, customer_id: str) -> Customer:
        return await visible_customer(work, partner, customer_id, cutoff_of(self._visibility))

    async def of_customer(self, partner: Partner, customer_id: str) -> list[Subscription]:
        return (await self.listing(partner, customer_id))[1]

    async def listing(
        self, partner: Partner, customer_id: str
    ) -> tuple[Customer, list[Subscription]]:
        """The customer (its country names the offers' links) and its subscriptions."""
        async with self._uow() as work:
            customer = await self._customer(work, partner, customer_id)
            return customer, await work.subscriptions.of_customer(customer.id)

    async def _find(
        self, work: UnitOfWork, customer: Customer, subscription_id: str
    ) -> Subscription:
        found = is_guid(subscription_id) and await work.subscriptions.get(
            customer.id, subscription_id.lower()
        )
        if not found:
            raise _not_found(customer.id, subscription_id)
        return found

    async def get(
        self, partner: Partner, customer_id: str, subscription_id: str
    ) -> tuple[Customer, Subscription]:
        async with self._uow() as work:
            customer = await self._customer(work, partner, customer_id)
            return customer, await self._find(work, customer, subscription_id)

    async def update(
        self,
        partner: Partner,
        roles: tuple[str, ...] | None,
        customer_id: str,
        subscription_id: str,
        patch: SubscriptionPatch,
        *,
        app_only: bool,
        actor: Actor,
    ) -> tuple[Customer, Subscription]:
        """Apply a PATCH: a new friendly name, quantity (within the offer's limits) or
        status (suspend an active subscription, reactivate a suspended one)."""
        authorize_customer_change(app_only, roles)
        async with self._uow() as work:
            customer = await self._customer(work, partner, customer_id)
            current = await self._find(work, customer, subscription_id)
            updated = apply_patch(current, patch)
            if updated == current:
                return customer, current
            await work.subscriptions.update(updated)
            changed = {
                wire: getattr(updated, field)
                for wire, field in (
                    ("friendlyName", "friendly_name"),
                    ("quantity", "quantity"),
                    ("status", "status"),
                )
                if getattr(updated, field) != getattr(current, field)
            }
            event = audit_event(
                actor,
                Action.SUBSCRIPTION_UPDATED,
                self._clock.now(),
                target_type="subscription",
                target_id=updated.id,
                partner_id=partner.tenant_id,
                details={"customerId": customer.id, **changed},
            )
            await work.audit.record(event)
            await work.commit()
        return customer, updated

    async def rename(
        self,
        partner: Partner,
        roles: tuple[str, ...],
        customer_id: str,
        subscription_id: str,
        name: str,
        *,
        actor: Actor,
    ) -> None:
        """Give a subscription a new friendly name (1-255 characters), in the audit trail."""
        authorize_customer_change(False, roles)
        name = name.strip()
        if (problem := _name_problem(name)) is not None:
            raise ServiceError.from_problems([problem])
        async with self._uow() as work:
            customer = await self._customer(work, partner, customer_id)
            found = is_guid(subscription_id) and await work.subscriptions.rename(
                customer.id, subscription_id.lower(), name
            )
            if not found:
                raise _not_found(customer.id, subscription_id)
            renamed = audit_event(
                actor,
                Action.SUBSCRIPTION_RENAMED,
                self._clock.now(),
                target_type="subscription",
                target_id=subscription_id.lower(),
                partner_id=partner.tenant_id,
                details={"customerId": customer.id, "friendlyName": name},
            )
            await work.audit.record(renamed)
            await work.commit()
