"""Operation groups of the asyncio client for what comes after a customer's create:
`agreements`, `offers`, `orders` and `subscriptions`."""

from __future__ import annotations

import builtins

from tenantry_client import _commerce_operations as ops
from tenantry_client._agreements import MICROSOFT_CUSTOMER_AGREEMENT, Agreement, AgreementMetadata
from tenantry_client._async_pipeline import Pipeline
from tenantry_client._offers import Offer
from tenantry_client._orders import Order, OrderLineItem
from tenantry_client._paging import AsyncPager, NextLink, Page
from tenantry_client._subscriptions import ACTIVE, SUSPENDED, Subscription


class AsyncAgreementOperations:
    """`client.agreements`: the agreement templates, and a customer's confirmed
    acceptance of the Microsoft Customer Agreement (needed before an order)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    async def metadata(
        self,
        agreement_type: str = MICROSOFT_CUSTOMER_AGREEMENT,
        *,
        correlation_id: str | None = None,
    ) -> list[AgreementMetadata]:
        """The templates of an agreement type (`*`: every type); a confirmation names one
        by its `template_id`."""
        operation = ops.agreement_metadata(agreement_type)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def list(
        self,
        customer_id: str,
        *,
        agreement_type: str | None = None,
        correlation_id: str | None = None,
    ) -> builtins.list[Agreement]:
        """The customer's confirmed agreements (of one type, if given)."""
        operation = ops.customer_agreements(customer_id, agreement_type)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def confirm(
        self, customer_id: str, agreement: Agreement, *, correlation_id: str | None = None
    ) -> Agreement:
        """Confirm that the customer accepted the agreement (App+User tokens only).

        ConflictError if the same contact's acceptance is already confirmed.
        """
        operation = ops.confirm_agreement(customer_id, agreement)
        return await self._pipeline.send(operation, correlation_id=correlation_id)


class AsyncOfferOperations:
    """`client.offers`: the offers a market may order."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    def list(
        self, country: str, *, size: int | None = None, correlation_id: str | None = None
    ) -> AsyncPager[Offer]:
        """Every offer of the market `country` (ISO 3166-1 alpha-2), `size` per page."""
        first = ops.list_offers(country, size)

        async def fetch(link: NextLink | None) -> Page[Offer]:
            operation = first if link is None else ops.next_offers(link)
            return await self._pipeline.send(operation, correlation_id=correlation_id)

        return AsyncPager(fetch, NextLink)

    async def get(self, offer_id: str, country: str, *, correlation_id: str | None = None) -> Offer:
        """One offer of the market (NotFoundError if the market has no such offer)."""
        operation = ops.get_offer(offer_id, country)
        return await self._pipeline.send(operation, correlation_id=correlation_id)


class AsyncOrderOperations:
    """`client.orders`: place a customer's orders and read them."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    async def create(
        self,
        customer_id: str,
        order: Order,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Order:
        """Place an order; each line item makes one subscription (its `subscription_id`).

        Every retry sends the same `MS-RequestId`, so one order is placed however many
        attempts it takes; pass your own `request_id` to make it repeatable across runs.
        The customer's acceptance of the Microsoft Customer Agreement must be confirmed.
        """
        operation = ops.create_order(customer_id, order)
        return await self._pipeline.send(
            operation, request_id=request_id, correlation_id=correlation_id
        )

    async def place(
        self,
        customer_id: str,
        offer_id: str,
        quantity: int,
        *,
        friendly_name: str | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Order:
        """An order of one line: `quantity` of `offer_id` (see `create`)."""
        line = OrderLineItem(offer_id=offer_id, quantity=quantity, friendly_name=friendly_name)
        return await self.create(
            customer_id,
            Order(line_items=[line]),
            request_id=request_id,
            correlation_id=correlation_id,
        )

    async def list(
        self, customer_id: str, *, correlation_id: str | None = None
    ) -> builtins.list[Order]:
        """The customer's orders."""
        operation = ops.customer_orders(customer_id)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def get(
        self, customer_id: str, order_id: str, *, correlation_id: str | None = None
    ) -> Order:
        """One order (NotFoundError if the customer has no such order)."""
        operation = ops.get_order(customer_id, order_id)
        return await self._pipeline.send(operation, correlation_id=correlation_id)


class AsyncSubscriptionOperations:
    """`client.subscriptions`: a customer's subscriptions; rename, change the quantity,
    suspend and reactivate them."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    async def list(
        self, customer_id: str, *, correlation_id: str | None = None
    ) -> builtins.list[Subscription]:
        """The customer's subscriptions."""
        operation = ops.customer_subscriptions(customer_id)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def get(
        self, customer_id: str, subscription_id: str, *, correlation_id: str | None = None
    ) -> Subscription:
        """One subscription (NotFoundError if the customer has no such subscription)."""
        operation = ops.get_subscription(customer_id, subscription_id)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def update(
        self,
        customer_id: str,
        subscription_id: str,
        *,
        friendly_name: str | None = None,
        quantity: int | None = None,
        status: str | None = None,
        correlation_id: str | None = None,
    ) -> Subscription:
        """Change the members given (at least one); returns the subscription as changed."""
        operation = ops.update_subscription(
            customer_id,
            subscription_id,
            friendly_name=friendly_name,
            quantity=quantity,
            status=status,
        )
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def rename(
        self,
        customer_id: str,
        subscription_id: str,
        friendly_name: str,
        *,
        correlation_id: str | None = None,
    ) -> Subscription:
        """Set the subscription's friendly name."""
        return await self.update(
            customer_id,
            subscription_id,
            friendly_name=friendly_name,
            correlation_id=correlation_id,
        )

    async def set_quantity(
        self,
        customer_id: str,
        subscription_id: str,
        quantity: int,
        *,
        correlation_id: str | None = None,
    ) -> Subscription:
        """Set the number of licenses (within the offer's minimum and maximum)."""
        return await self.update(
            customer_id, subscription_id, quantity=quantity, correlation_id=correlation_id
        )

    async def suspend(
        self, customer_id: str, subscription_id: str, *, correlation_id: str | None = None
    ) -> Subscription:
        """Suspend the subscription (status `suspended`)."""
        return await self.update(
            customer_id, subscription_id, status=SUSPENDED, correlation_id=correlation_id
        )

    async def reactivate(
        self, customer_id: str, subscription_id: str, *, correlation_id: str | None = None
    ) -> Subscription:
        """Reactivate a suspended subscription (status `active`)."""
        return await self.update(
            customer_id, subscription_id, status=ACTIVE, correlation_id=correlation_id
        )
