"""The Subscription resource on the wire, and the PATCH body."""

from __future__ import annotations

from typing import Any

from tenantry.api.schemas.numbers import read_int
from tenantry.api.schemas.timestamps import utc_text
from tenantry.domain.errors import ServiceError
from tenantry.domain.models import Subscription
from tenantry.domain.offers import find_offer
from tenantry.domain.subscriptions import SubscriptionPatch
from tenantry.http.wire import Reader, link


def subscription_wire(s: Subscription, country: str) -> dict[str, Any]:
    offer = find_offer(s.offer_id)
    licensed = offer is None or offer.licensed
    body: dict[str, Any] = {
        "id": s.id,
        "entitlementId": s.id,
        "offerId": s.offer_id,
        "offerName": offer.name if offer else s.offer_id,
        "friendlyName": s.friendly_name,
        "quantity": s.quantity,
        "unitType": "Licenses" if licensed else "none",
        "hasPurchasableAddons": False,
        "creationDate": utc_text(s.created_at),
        "effectiveStartDate": utc_text(s.created_at),
        "status": s.status,
        "autoRenewEnabled": licensed,
        "isTrial": False,
        "billingType": "license" if licensed else "usage",
        "billingCycle": "monthly",
        "contractType": "subscription",
        "termDuration": "P1M",
        "links": {
            "offer": link(f"/offers/{s.offer_id}?country={country}"),
            "self": link(f"/customers/{s.customer_id}/subscriptions/{s.id}"),
        },
        "attributes": {"objectType": "Subscription"},
    }
    if s.order_id is not None:
        body["orderId"] = s.order_id
    if s.partner_id_on_record is not None:
        body["partnerId"] = s.partner_id_on_record
    return body


def patch_from_wire(body: dict[str, Any]) -> SubscriptionPatch:
    """Bind a key-folded Subscription; members it does not change are ignored."""
    r = Reader()
    patch = SubscriptionPatch(
        friendly_name=r.string(body, "friendlyname", "friendlyName"),
        quantity=read_int(r, body, "quantity", "quantity"),
        status=r.string(body, "status", "status"),
        id=r.string(body, "id", "id"),
        offer_id=r.string(body, "offerid", "offerId"),
        order_id=r.string(body, "orderid", "orderId"),
    )
    if r.problems:
        raise ServiceError.from_problems(r.problems)
    return patch
