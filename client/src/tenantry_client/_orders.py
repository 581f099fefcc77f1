"""An order and its line items (Partner Center's `Order` and `OrderLineItem`).

To place one, give each line an `offer_id` and a `quantity`; the answer names the
subscription each line created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tenantry_client._wire import JsonObject, Members, compact, timestamp

_READ_ONLY = ("links", "attributes")


@dataclass(kw_only=True)
class OrderLineItem:
    """One line of an order: an offer, how many, and the subscription it made."""

    offer_id: str | None = None
    quantity: int | None = None
    friendly_name: str | None = None
    partner_id_on_record: str | None = None
    line_item_number: int | None = None
    subscription_id: str | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        return compact(
            [
                ("lineItemNumber", self.line_item_number),
                ("offerId", self.offer_id),
                ("subscriptionId", self.subscription_id),
                ("friendlyName", self.friendly_name),
                ("quantity", self.quantity),
                ("partnerIdOnRecord", self.partner_id_on_record),
            ],
            self.extra,
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> OrderLineItem:
        """Read an OrderLineItem object."""
        m = Members(obj)
        item = cls(
            line_item_number=m.number("lineItemNumber"),
            offer_id=m.text("offerId"),
            subscription_id=m.text("subscriptionId"),
            friendly_name=m.text("friendlyName"),
            quantity=m.number("quantity"),
            partner_id_on_record=m.text("partnerIdOnRecord"),
        )
        m.skip(*_READ_ONLY)
        item.extra = m.unread()
        return item


@dataclass(kw_only=True)
class Order:
    """An order of a customer. Lines without a `line_item_number` are numbered in order."""

    line_items: list[OrderLineItem] = field(default_factory=list)
    id: str | None = None
    reference_customer_id: str | None = None
    billing_cycle: str | None = None
    currency_code: str | None = None
    creation_date: datetime | None = None
    status: str | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members; lines are numbered from 0."""
        lines = []
        for number, item in enumerate(self.line_items):
            wire = item.to_wire()
            wire.setdefault("lineItemNumber", number)
            lines.append(wire)
        created = self.creation_date
        return compact(
            [
                ("id", self.id),
                ("referenceCustomerId", self.reference_customer_id),
                ("billingCycle", self.billing_cycle),
                ("currencyCode", self.currency_code),
                ("lineItems", lines),
                ("creationDate", None if created is None else created.isoformat()),
                ("status", self.status),
            ],
            self.extra,
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Order:
        """Read an Order object."""
        m = Members(obj)
        order = cls(
            id=m.text("id"),
            reference_customer_id=m.text("referenceCustomerId"),
            billing_cycle=m.text("billingCycle"),
            currency_code=m.text("currencyCode"),
            line_items=[
                OrderLineItem.from_wire(i) for i in m.array("lineItems") if isinstance(i, Mapping)
            ],
            creation_date=timestamp(m.text("creationDate")),
            status=m.text("status"),
        )
        m.skip(*_READ_ONLY)
        order.extra = m.unread()
        return order
