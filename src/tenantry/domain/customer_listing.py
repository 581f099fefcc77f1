"""Listing and searching a partner's customers: one keyset page at a time, newest first,
without the customers still being provisioned."""

from __future__ import annotations

from tenantry.domain.clock import Clock
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.listing import (
    Cursor,
    CustomerFilter,
    CustomerPage,
    PageQuery,
    check_filter_value,
)
from tenantry.domain.models import Partner
from tenantry.domain.ports import UnitOfWorkFactory
from tenantry.domain.sandbox import SandboxLimits


class CustomerListing:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, limits: SandboxLimits | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._limits = limits or SandboxLimits()

    async def page(
        self,
        partner: Partner,
        size: int,
        customer_filter: CustomerFilter | None = None,
        after: Cursor | None = None,
        *,
        app_only: bool,
    ) -> CustomerPage:
        if customer_filter is not None:
            if customer_filter.field.needs_user and app_only:
                raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
            check_filter_value(customer_filter)
        cutoff = self._limits.provisioned_before(self._clock.now())
        query = PageQuery(partner.tenant_id, size + 1, customer_filter, after, cutoff)
        async with self._uow() as work:
            rows = await work.customers.page(query)
        items, more = rows[:size], len(rows) > size
        last = items[-1] if items and more else None
        return CustomerPage(items, Cursor(last.created_at, last.id) if last else None)

    async def total(self, partner: Partner, customer_filter: CustomerFilter | None = None) -> int:
        """How many customers the pages of `page` hold in all, for a "1 to 20 of 57" line."""
        cutoff = self._limits.provisioned_before(self._clock.now())
        query = PageQuery(partner.tenant_id, 0, customer_filter, None, cutoff)
        async with self._uow() as work:
            return await work.customers.count(query)
