"""A customer's subscription (Partner Center's `Subscription`): what an order line made.

`status` is `active` or `suspended` (a string, so values the service adds later are kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tenantry_client._wire import JsonObject, Members, compact, timestamp

ACTIVE = "active"
SUSPENDED = "suspended"
_READ_ONLY = ("links", "attributes")


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A subscription; change it with `subscriptions.update` (or `rename`, `set_quantity`,
    `suspend`, `reactivate`)."""

    id: str | None
    offer_id: str | None = None
    offer_name: str | None = None
    friendly_name: str | None = None
    quantity: int | None = None
    unit_type: str | None = None
    status: str | None = None
    order_id: str | None = None
    billing_cycle: str | None = None
    billing_type: str | None = None
    term_duration: str | None = None
    auto_renew_enabled: bool | None = None
    is_trial: bool | None = None
    creation_date: datetime | None = None
    effective_start_date: datetime | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""

        def text(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return compact(
            [
                ("id", self.id),
                ("offerId", self.offer_id),
                ("offerName", self.offer_name),
                ("friendlyName", self.friendly_name),
                ("quantity", self.quantity),
                ("unitType", self.unit_type),
                ("status", self.status),
                ("orderId", self.order_id),
                ("billingCycle", self.billing_cycle),
                ("billingType", self.billing_type),
                ("termDuration", self.term_duration),
                ("autoRenewEnabled", self.auto_renew_enabled),
                ("isTrial", self.is_trial),
                ("creationDate", text(self.creation_date)),
                ("effectiveStartDate", text(self.effective_start_date)),
            ],
            self.extra,
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Subscription:
        """Read a Subscription object."""
        m = Members(obj)
        subscription = cls(
            id=m.text("id"),
            offer_id=m.text("offerId"),
            offer_name=m.text("offerName"),
            friendly_name=m.text("friendlyName"),
            quantity=m.number("quantity"),
            unit_type=m.text("unitType"),
            status=m.text("status"),
            order_id=m.text("orderId"),
            billing_cycle=m.text("billingCycle"),
            billing_type=m.text("billingType"),
            term_duration=m.text("termDuration"),
            auto_renew_enabled=m.flag("autoRenewEnabled"),
            is_trial=m.flag("isTrial"),
            creation_date=timestamp(m.text("creationDate")),
            effective_start_date=timestamp(m.text("effectiveStartDate")),
        )
        m.skip(*_READ_ONLY)
        subscription.extra.update(m.unread())
        return subscription
