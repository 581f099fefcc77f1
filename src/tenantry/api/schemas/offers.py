"""The Offer resource on the wire, in the caller's language where the catalog has it."""

from __future__ import annotations

from typing import Any

from tenantry.domain.offers import Offer
from tenantry.http.wire import link


def offer_wire(offer: Offer, country: str, locale: str) -> dict[str, Any]:
    name = offer.name_in(locale)
    return {
        "id": offer.id,
        "name": name,
        "description": name,
        "minimumQuantity": offer.min_quantity,
        "maximumQuantity": offer.max_quantity,
        "rank": 0,
        "uri": f"/offers/{offer.id}?country={country}",
        "locale": locale,
        "country": country,
        "category": {
            "id": offer.category,
            "name": offer.category,
            "rank": 0,
            "locale": locale,
            "country": country,
        },
        "prerequisiteOffers": [],
        "isAddOn": False,
        "hasAddOns": False,
        "isAvailableForPurchase": True,
        "billing": "license" if offer.licensed else "usage",
        "supportedBillingCycles": ["monthly"],
        "isAutoRenewable": offer.licensed,
        "isTrial": False,
        "product": {"id": offer.id, "name": name, "unit": "Licenses" if offer.licensed else "none"},
        "unitType": "Licenses" if offer.licensed else "none",
        "links": {"self": link(f"/offers/{offer.id}?country={country}")},
        "attributes": {"objectType": "Offer"},
    }
