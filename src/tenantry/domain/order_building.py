"""Turning line items into an order and its subscriptions: one subscription per line.

Shared by the API's orders and the portal's create wizard, so that a subscription is made
the same way wherever it is bought.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from tenantry.domain.commerce import LineItemDraft, Order, OrderLineItem
from tenantry.domain.models import Subscription, SubscriptionChoice
from tenantry.domain.offers import find_offer


def new_order_id() -> str:
    """An opaque id, shaped like Partner Center's (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def build_order(
    customer_id: str, lines: tuple[LineItemDraft, ...], now: datetime
) -> tuple[Order, tuple[Subscription, ...]]:
    """The order and its subscriptions, for lines already checked against the catalog."""
    order_id = new_order_id()
    items: list[OrderLineItem] = []
    subscriptions: list[Subscription] = []
    for line in lines:
        offer = find_offer(line.offer_id)
        name = line.friendly_name or (offer.name if offer else line.offer_id)
        subscription = Subscription(
            id=str(uuid.uuid4()),
            customer_id=customer_id,
            offer_id=line.offer_id,
            friendly_name=name,
            quantity=line.quantity,
            created_at=now,
            order_id=order_id,
            partner_id_on_record=line.partner_id_on_record,
        )
        subscriptions.append(subscription)
        items.append(
            OrderLineItem(
                line_item_number=line.line_item_number,
                offer_id=line.offer_id,
                subscription_id=subscription.id,
                friendly_name=name,
                quantity=line.quantity,
                partner_id_on_record=line.partner_id_on_record,
            )
        )
    return Order(order_id, customer_id, tuple(items), now), tuple(subscriptions)


def order_of_choices(
    customer_id: str, choices: tuple[SubscriptionChoice, ...], now: datetime
) -> tuple[Order | None, tuple[Subscription, ...]]:
    """The order a new customer's chosen offers make (none without choices)."""
    if not choices:
        return None, ()
    lines = tuple(
        LineItemDraft(number, choice.offer_id, choice.quantity)
        for number, choice in enumerate(choices)
    )
    return build_order(customer_id, lines, now)
