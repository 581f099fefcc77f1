"""Ending a customer relationship, and deleting sandbox customers."""

from __future__ import annotations

import dataclasses

from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.clock import Clock, SystemClock
from tenantry.domain.customers import visible_customer
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.models import Customer, Partner, RelationshipToPartner
from tenantry.domain.ports import UnitOfWorkFactory
from tenantry.domain.sandbox import Visibility, cutoff_of


class LifecycleService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        sandbox: bool,
        visibility: Visibility | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._uow = uow
        self._clock: Clock = clock or SystemClock()
        self._sandbox = sandbox
        self._visibility = visibility

    async def remove_reseller_relationship(
        self, partner: Partner, customer_id: str, *, app_only: bool, actor: Actor
    ) -> Customer:
        """App+User only. Afterwards the customer leaves the partner's list and reads
        answer 20002; its default GDAP relationship is terminated with it."""
        if app_only:
            raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            if not await work.customers.end_relationship(customer.id, partner.tenant_id):
                raise ServiceError(
                    Errors.NO_RELATIONSHIP,
                    {"partner_id": partner.tenant_id, "customer_id": customer_id},
                )
            ended = audit_event(
                actor,
                Action.RELATIONSHIP_REMOVED,
                self._clock.now(),
                target_type="customer",
                target_id=customer.id,
                partner_id=partner.tenant_id,
                details={"domain": customer.domain},
            )
            await work.audit.record(ended)
            await work.commit()
        return dataclasses.replace(customer, relationship_to_partner=RelationshipToPartner.NONE)

    async def delete(self, partner: Partner, customer_id: str, *, actor: Actor) -> None:
        """Sandbox only: the customer and all it owns go, and its domain is free again."""
        if not self._sandbox:
            raise ServiceError(Errors.DELETE_NOT_ALLOWED)
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            if customer.partner_id != partner.tenant_id:
                raise ServiceError(
                    Errors.NO_RELATIONSHIP,
                    {"partner_id": partner.tenant_id, "customer_id": customer_id},
                )
            await work.customers.delete(customer.id)
            deleted = audit_event(
                actor,
                Action.CUSTOMER_DELETED,
                self._clock.now(),
                target_type="customer",
                target_id=customer.id,
                partner_id=partner.tenant_id,
                details={"domain": customer.domain},
            )
            await work.audit.record(deleted)
            await work.commit()
