"""Customers' subscriptions. Never commits: the unit of work does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.models import Subscription
from tenantry.storage import tables as t

_INSERT = insert(t.subscriptions)


def subscription_rows(subscriptions: tuple[Subscription, ...]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "customer_id": s.customer_id,
            "offer_id": s.offer_id,
            "friendly_name": s.friendly_name,
            "quantity": s.quantity,
            "created_at": s.created_at,
            "status": s.status,
            "order_id": s.order_id,
            "partner_id_on_record": s.partner_id_on_record,
        }
        for s in subscriptions
    ]


async def insert_subscriptions(
    conn: AsyncConnection, subscriptions: tuple[Subscription, ...]
) -> None:
    if subscriptions:
        await conn.execute(_INSERT, subscription_rows(subscriptions))


def _subscription(r: Any) -> Subscription:
    return Subscription(
        id=r.id,
        customer_id=r.customer_id,
        offer_id=r.offer_id,
        friendly_name=r.friendly_name,
        quantity=r.quantity,
        created_at=r.created_at,
        status=r.status,
        order_id=r.order_id,
        partner_id_on_record=r.partner_id_on_record,
    )


class SqlSubscriptionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, subscriptions: tuple[Subscription, ...]) -> None:
        await insert_subscriptions(self._conn, subscriptions)

    async def of_customer(self, customer_id: str) -> list[Subscription]:
        s = t.subscriptions.c
        query = (
            select(t.subscriptions)
            .where(s.customer_id == customer_id)
            .order_by(s.created_at, s.offer_id, s.id)
        )
        return [_subscription(r) for r in (await self._conn.execute(query)).all()]

    async def get(self, customer_id: str, subscription_id: str) -> Subscription | None:
        s = t.subscriptions.c
        query = select(t.subscriptions).where(s.id == subscription_id, s.customer_id == customer_id)
        row = (await self._conn.execute(query)).first()
        return None if row is None else _subscription(row)

    async def rename(self, customer_id: str, subscription_id: str, name: str) -> bool:
        s = t.subscriptions.c
        result = await self._conn.execute(
            update(t.subscriptions)
            .where(s.id == subscription_id, s.customer_id == customer_id)
            .values(friendly_name=name)
        )
        return bool(result.rowcount)

    async def update(self, subscription: Subscription) -> bool:
        s = t.subscriptions.c
        result = await self._conn.execute(
            update(t.subscriptions)
            .where(s.id == subscription.id, s.customer_id == subscription.customer_id)
            .values(
                friendly_name=subscription.friendly_name,
                quantity=subscription.quantity,
                status=subscription.status,
            )
        )
        return bool(result.rowcount)
