"""Customers' orders and their line items. Never commits: the unit of work does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.commerce import Order, OrderLineItem
from tenantry.storage import tables as t

_INSERT_ORDER = insert(t.orders)
_INSERT_LINE = insert(t.order_line_items)


def order_rows(order: Order) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The order's row and its line items' rows."""
    head = {
        "id": order.id,
        "customer_id": order.customer_id,
        "billing_cycle": order.billing_cycle,
        "currency_code": order.currency_code,
        "status": order.status,
        "created_at": order.created_at,
    }
    lines = [
        {
            "order_id": order.id,
            "line_item_number": item.line_item_number,
            "offer_id": item.offer_id,
            "subscription_id": item.subscription_id,
            "friendly_name": item.friendly_name,
            "quantity": item.quantity,
            "partner_id_on_record": item.partner_id_on_record,
        }
        for item in order.line_items
    ]
    return head, lines


async def insert_order(conn: AsyncConnection, order: Order) -> None:
    head, lines = order_rows(order)
    await conn.execute(_INSERT_ORDER, head)
    await conn.execute(_INSERT_LINE, lines)


class SqlOrderRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, order: Order) -> None:
        await insert_order(self._conn, order)

    async def of_customer(self, customer_id: str) -> list[Order]:
        o, li = t.orders.c, t.order_line_items.c
        orders = (
            await self._conn.execute(
                select(t.orders).where(o.customer_id == customer_id).order_by(o.created_at, o.id)
            )
        ).all()
        lines = (
            await self._conn.execute(
                select(t.order_line_items)
                .join(t.orders, o.id == li.order_id)
                .where(o.customer_id == customer_id)
                .order_by(li.order_id, li.line_item_number)
            )
        ).all()
        items: dict[str, list[OrderLineItem]] = {}
        for r in lines:
            items.setdefault(r.order_id, []).append(
                OrderLineItem(
                    line_item_number=r.line_item_number,
                    offer_id=r.offer_id,
                    subscription_id=r.subscription_id,
                    friendly_name=r.friendly_name,
                    quantity=r.quantity,
                    partner_id_on_record=r.partner_id_on_record,
                )
            )
        return [
            Order(
                id=r.id,
                customer_id=r.customer_id,
                line_items=tuple(items.get(r.id, ())),
                created_at=r.created_at,
                billing_cycle=r.billing_cycle,
                currency_code=r.currency_code,
                status=r.status,
            )
            for r in orders
        ]
