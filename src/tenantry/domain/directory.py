"""What a partner may read about a customer's tenant: users, partners, GDAP."""

from __future__ import annotations

from tenantry.domain.customers import visible_customer
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.models import AdminUser, Customer, GdapRelationship, Partner, Partnership
from tenantry.domain.ports import UnitOfWorkFactory
from tenantry.domain.sandbox import Visibility, cutoff_of


class DirectoryService:
    def __init__(self, uow: UnitOfWorkFactory, visibility: Visibility | None = None) -> None:
        self._uow = uow
        self._visibility = visibility

    async def users(self, partner: Partner, customer_id: str) -> tuple[Customer, list[AdminUser]]:
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            return customer, await work.customers.users(customer.id)

    async def user(
        self, partner: Partner, customer_id: str, user_id: str
    ) -> tuple[Customer, AdminUser]:
        """One user, by the id its `links.self` carries."""
        customer, found = await self.users(partner, customer_id)
        for user in found:
            if user.id == user_id.lower():
                return customer, user
        params = {"customer_id": customer.id, "user_id": user_id[:100]}
        raise ServiceError(Errors.USER_NOT_FOUND, params)

    async def gdap_relationship(
        self, partner: Partner, customer_id: str, relationship_id: str
    ) -> tuple[Customer, GdapRelationship]:
        """One GDAP relationship, by the id its `links.self` carries."""
        customer, found = await self.gdap(partner, customer_id)
        for relationship in found:
            if relationship.id.lower() == relationship_id.lower():
                return customer, relationship
        params = {"customer_id": customer.id, "relationship_id": relationship_id[:100]}
        raise ServiceError(Errors.GDAP_RELATIONSHIP_NOT_FOUND, params)

    async def gdap(
        self, partner: Partner, customer_id: str
    ) -> tuple[Customer, list[GdapRelationship]]:
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            relationships = await work.customers.gdap_relationships(customer.id)
        return customer, [r for r in relationships if r.partner_id == partner.tenant_id]

    async def partnerships(
        self, partner: Partner, *, as_provider: bool, app_only: bool
    ) -> list[tuple[Partner, Partnership]]:
        """A provider's resellers, or a reseller's providers (App+User only)."""
        if app_only:
            raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        async with self._uow() as work:
            return await work.partners.partnerships_of(partner.tenant_id, as_provider=as_provider)

    async def indirect_resellers(
        self, partner: Partner, customer_id: str, *, app_only: bool
    ) -> list[Partner]:
        """The indirect resellers the customer is associated with (App+User only)."""
        if app_only:
            raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            if customer.associated_partner_id is None:
                return []
            reseller = await work.partners.get(customer.associated_partner_id)
        return [] if reseller is None else [reseller]
