"""A customer's subscriptions: read them, and rename one (its friendly name)."""

from __future__ import annotations

from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.clock import Clock
from tenantry.domain.customers import visible_customer
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.ids import is_guid
from tenantry.domain.models import Partner, Subscription
from tenantry.domain.ports import UnitOfWorkFactory
from tenantry.domain.roles import authorize_customer_change
from tenantry.domain.sandbox import Visibility, cutoff_of

NAME_MAX = 255
NAME_PATH = "friendlyName"


class SubscriptionService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, visibility: Visibility | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._visibility = visibility

    async def of_customer(self, partner: Partner, customer_id: str) -> list[Subscription]:
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            return await work.subscriptions.of_customer(customer.id)

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
        if not 1 <= len(name) <= NAME_MAX:
            problem = FieldProblem(
                Errors.LENGTH_OUT_OF_RANGE,
                NAME_PATH,
                "must be {min}-{max} characters long",
                {"field": NAME_PATH, "min": 1, "max": NAME_MAX},
            )
            raise ServiceError.from_problems([problem])
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            found = is_guid(subscription_id) and await work.subscriptions.rename(
                customer.id, subscription_id.lower(), name
            )
            if not found:
                raise ServiceError(Errors.ROUTE_NOT_FOUND, {"path": subscription_id[:64]})
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
