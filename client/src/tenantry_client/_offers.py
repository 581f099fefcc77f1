"""The offers a market may order (Partner Center's `Offer`, with its category and product).

Read-only: the service's catalog. Billing and unit members stay strings, so values the
service adds later are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tenantry_client._wire import JsonObject, Members, compact

_READ_ONLY = ("links", "attributes")


@dataclass(frozen=True, kw_only=True)
class OfferCategory:
    """The group an offer is listed under."""

    id: str | None
    name: str | None


@dataclass(frozen=True, kw_only=True)
class Offer:
    """An offer of one market, named in the language the client asked for (`locale`)."""

    id: str | None
    name: str | None
    description: str | None = None
    minimum_quantity: int | None = None
    maximum_quantity: int | None = None
    country: str | None = None
    locale: str | None = None
    category: OfferCategory | None = None
    billing: str | None = None
    unit_type: str | None = None
    is_add_on: bool | None = None
    is_trial: bool | None = None
    is_auto_renewable: bool | None = None
    is_available_for_purchase: bool | None = None
    supported_billing_cycles: list[str] = field(default_factory=list)
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        category = self.category
        return compact(
            [
                ("id", self.id),
                ("name", self.name),
                ("description", self.description),
                ("minimumQuantity", self.minimum_quantity),
                ("maximumQuantity", self.maximum_quantity),
                ("country", self.country),
                ("locale", self.locale),
                (
                    "category",
                    None
                    if category is None
                    else compact([("id", category.id), ("name", category.name)]),
                ),
                ("billing", self.billing),
                ("unitType", self.unit_type),
                ("isAddOn", self.is_add_on),
                ("isTrial", self.is_trial),
                ("isAutoRenewable", self.is_auto_renewable),
                ("isAvailableForPurchase", self.is_available_for_purchase),
                ("supportedBillingCycles", self.supported_billing_cycles or None),
            ],
            self.extra,
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Offer:
        """Read an Offer object."""
        m = Members(obj)
        category = m.get("category")
        offer = cls(
            id=m.text("id"),
            name=m.text("name"),
            description=m.text("description"),
            minimum_quantity=m.number("minimumQuantity"),
            maximum_quantity=m.number("maximumQuantity"),
            country=m.text("country"),
            locale=m.text("locale"),
            category=OfferCategory(
                id=Members(category).text("id"), name=Members(category).text("name")
            )
            if isinstance(category, Mapping)
            else None,
            billing=m.text("billing"),
            unit_type=m.text("unitType"),
            is_add_on=m.flag("isAddOn"),
            is_trial=m.flag("isTrial"),
            is_auto_renewable=m.flag("isAutoRenewable"),
            is_available_for_purchase=m.flag("isAvailableForPurchase"),
            supported_billing_cycles=[str(c) for c in m.array("supportedBillingCycles")],
        )
        m.skip(*_READ_ONLY)
        offer.extra.update(m.unread())
        return offer
