"""A customer's users (its admin and the users partners add). Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.models import AdminUser
from tenantry.domain.ports import StorageBusy, UserNameTaken
from tenantry.storage import tables as t

_INSERT = insert(t.users)


def customer_user(r: Any) -> AdminUser:
    return AdminUser(
        id=r.id,
        customer_id=r.customer_id,
        user_name=r.user_name,
        user_principal_name=r.user_principal_name,
        password_hash=r.password_hash,
        must_change_password=r.must_change_password,
        created_at=r.created_at,
        display_name=r.display_name,
        first_name=r.first_name,
        last_name=r.last_name,
        usage_location=r.usage_location,
    )


def user_row(user: AdminUser) -> dict[str, Any]:
    """The `users` row of a user: the admin made with its customer, or one added later."""
    return {
        "id": user.id,
        "customer_id": user.customer_id,
        "user_name": user.user_name,
        "user_principal_name": user.user_principal_name,
        "user_principal_name_key": user.user_principal_name.lower(),
        "password_hash": user.password_hash,
        "must_change_password": user.must_change_password,
        "created_at": user.created_at,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "usage_location": user.usage_location,
    }


class SqlCustomerUserRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def of_customer(self, customer_id: str) -> list[AdminUser]:
        u = t.users.c
        query = select(t.users).where(u.customer_id == customer_id).order_by(u.created_at, u.id)
        return [customer_user(r) for r in (await self._conn.execute(query)).all()]

    async def add(self, user: AdminUser) -> None:
        try:
            # A savepoint: the refused insert must not spoil the caller's transaction.
            async with self._conn.begin_nested():
                await self._conn.execute(_INSERT, user_row(user))
        except IntegrityError as exc:
            if "user_principal_name_key" in str(exc.orig):
                raise UserNameTaken(user.user_principal_name) from exc
            raise StorageBusy(str(exc.orig)) from exc

    async def update(self, user: AdminUser) -> bool:
        u = t.users.c
        result = await self._conn.execute(
            update(t.users)
            .where(u.id == user.id, u.customer_id == user.customer_id)
            .values(
                display_name=user.display_name,
                first_name=user.first_name,
                last_name=user.last_name,
                usage_location=user.usage_location,
                password_hash=user.password_hash,
                must_change_password=user.must_change_password,
            )
        )
        return bool(result.rowcount)

    async def delete(self, customer_id: str, user_id: str) -> bool:
        u = t.users.c
        result = await self._conn.execute(
            delete(t.users).where(u.id == user_id, u.customer_id == customer_id)
        )
        return bool(result.rowcount)
