"""Customers' confirmed agreements. Never commits: the unit of work does."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.commerce import Agreement, AgreementType, Contact
from tenantry.storage import tables as t

_INSERT = insert(t.agreements)


class SqlAgreementRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, agreement: Agreement) -> None:
        contact = agreement.contact
        await self._conn.execute(
            _INSERT,
            {
                "id": agreement.id,
                "customer_id": agreement.customer_id,
                "template_id": agreement.template_id,
                "agreement_type": agreement.agreement_type.value,
                "date_agreed": agreement.date_agreed,
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "email": contact.email,
                "phone_number": contact.phone_number,
                "confirmed_by": agreement.confirmed_by,
                "created_at": agreement.created_at,
            },
        )

    async def of_customer(self, customer_id: str) -> list[Agreement]:
        a = t.agreements.c
        query = (
            select(t.agreements).where(a.customer_id == customer_id).order_by(a.created_at, a.id)
        )
        return [
            Agreement(
                id=r.id,
                customer_id=r.customer_id,
                template_id=r.template_id,
                agreement_type=AgreementType(r.agreement_type),
                date_agreed=r.date_agreed,
                contact=Contact(r.first_name, r.last_name, r.email, r.phone_number),
                confirmed_by=r.confirmed_by,
                created_at=r.created_at,
            )
            for r in (await self._conn.execute(query)).all()
        ]
