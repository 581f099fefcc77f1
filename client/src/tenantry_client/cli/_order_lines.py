"""Order lines as people write them: `OFFER_ID[:QUANTITY]` (`customers import --order`),
and `OFFER_ID[:QUANTITY];…` (an import file's `orders` cell).

The quantity is what follows the last colon, when that is a number; without one it is 1.
An offer id that has colons of its own (`DZH318Z0BQ3Q:0007:DZH318Z0BQ3P`) is ordered with
an explicit quantity, so that its last segment is never read as one.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantry_client._orders import Order, OrderLineItem

LINE_SEPARATOR = ";"
LINE_FORMAT = "OFFER_ID[:QUANTITY]"


@dataclass(frozen=True)
class OrderLine:
    """One offer and how many of it."""

    offer_id: str
    quantity: int

    def __str__(self) -> str:
        return f"{self.offer_id}:{self.quantity}"


def parse_line(text: str) -> OrderLine:
    """`OFFER_ID[:QUANTITY]`; ValueError saying what is wrong."""
    offer_id, colon, tail = text.strip().rpartition(":")
    if colon and tail.strip().lstrip("+-").isdigit():
        quantity = int(tail)
    else:
        offer_id, quantity = text.strip(), 1
    offer_id = offer_id.strip()
    if not offer_id:
        raise ValueError(f"{text!r} names no offer: write {LINE_FORMAT}")
    if quantity < 1:
        raise ValueError(f"{text!r}: the quantity must be at least 1")
    return OrderLine(offer_id, quantity)


def parse_lines(text: str) -> tuple[OrderLine, ...]:
    """`OFFER_ID[:QUANTITY];…` (empty: no lines); ValueError saying what is wrong."""
    parts = [part for part in text.split(LINE_SEPARATOR) if part.strip()]
    return tuple(parse_line(part) for part in parts)


def order_of(lines: tuple[OrderLine, ...]) -> Order:
    """The order of these lines, numbered in their order."""
    return Order(
        line_items=[OrderLineItem(offer_id=line.offer_id, quantity=line.quantity) for line in lines]
    )
