"""The Order resource on the wire, the create body, and the stored (replayed) answers."""

from __future__ import annotations

from typing import Any

import orjson

from tenantry.api.schemas.numbers import read_int
from tenantry.api.schemas.timestamps import utc_text
from tenantry.domain.commerce import LineItemDraft, Order, OrderLineItem
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.idempotency import StoredResponse
from tenantry.http.errors import JSON_TYPE, envelope_bytes
from tenantry.http.wire import Reader, link


def _line_wire(order: Order, item: OrderLineItem) -> dict[str, Any]:
    subscription = f"/customers/{order.customer_id}/subscriptions/{item.subscription_id}"
    body: dict[str, Any] = {
        "lineItemNumber": item.line_item_number,
        "offerId": item.offer_id,
        "subscriptionId": item.subscription_id,
        "friendlyName": item.friendly_name,
        "quantity": item.quantity,
        "links": {"subscription": link(subscription)},
        "attributes": {"objectType": "OrderLineItem"},
    }
    if item.partner_id_on_record is not None:
        body["partnerIdOnRecord"] = item.partner_id_on_record
    return body


def order_wire(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "referenceCustomerId": order.customer_id,
        "billingCycle": order.billing_cycle,
        "currencyCode": order.currency_code,
        "lineItems": [_line_wire(order, item) for item in order.line_items],
        "creationDate": utc_text(order.created_at),
        "status": order.status,
        "links": {"self": link(f"/customers/{order.customer_id}/orders/{order.id}")},
        "attributes": {"objectType": "Order"},
    }


def lines_from_wire(body: dict[str, Any]) -> tuple[LineItemDraft, ...]:
    """Bind a key-folded Order body's line items; read-only members are ignored. A line
    without a lineItemNumber takes its position in the list."""
    r = Reader()
    raw = body.get("lineitems")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        reason = "lineItems must be a list of line item objects"
        raise ServiceError(Errors.MALFORMED_REQUEST, {"reason": reason}, ())
    lines: list[LineItemDraft] = []
    for index, item in enumerate(raw):
        base = f"lineItems[{index}]"
        number = read_int(r, item, "lineitemnumber", f"{base}.lineItemNumber")
        offer_id = r.string(item, "offerid", f"{base}.offerId")
        quantity = read_int(r, item, "quantity", f"{base}.quantity")
        name = r.string(item, "friendlyname", f"{base}.friendlyName")
        mpn = r.string(item, "partneridonrecord", f"{base}.partnerIdOnRecord")
        for field, value in (("offerId", offer_id), ("quantity", quantity)):
            if value is None or value == "":
                r.problems.append(FieldProblem.required(f"{base}.{field}"))
        lines.append(
            LineItemDraft(
                line_item_number=index if number is None else number,
                offer_id=(offer_id or "").strip(),
                quantity=quantity or 0,
                friendly_name=None if name is None else name.strip() or None,
                partner_id_on_record=None if mpn is None else mpn.strip() or None,
            )
        )
    if r.problems:
        raise ServiceError.from_problems(r.problems)
    return tuple(lines)


class OrderRenderer:
    """Renders an order's outcome into the exact bytes that are stored and replayed."""

    def __init__(self, locale: str) -> None:
        self._locale = locale

    def created(self, order: Order) -> StoredResponse:
        headers = (
            ("Content-Type", JSON_TYPE),
            ("Location", f"/v1/customers/{order.customer_id}/orders/{order.id}"),
        )
        return StoredResponse(201, headers, orjson.dumps(order_wire(order)))

    def failed(self, error: ServiceError) -> StoredResponse:
        return StoredResponse(
            error.spec.status, (("Content-Type", JSON_TYPE),), envelope_bytes(error, self._locale)
        )
