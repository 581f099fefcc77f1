"""The `users` group of the asyncio client: a customer's user accounts."""

from __future__ import annotations

from tenantry_client import _commerce_operations as ops
from tenantry_client._async_pipeline import Pipeline
from tenantry_client._paging import AsyncPager, NextLink, Page
from tenantry_client._users import CustomerUser


class AsyncUserOperations:
    """`client.users`: list, read, create, update and delete a customer's users (the
    changes take App+User tokens only)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    def list(
        self, customer_id: str, *, size: int | None = None, correlation_id: str | None = None
    ) -> AsyncPager[CustomerUser]:
        """Every user of the customer's tenant, `size` per page; the admin made with the
        customer is one of them."""
        first = ops.list_users(customer_id, size)

        async def fetch(link: NextLink | None) -> Page[CustomerUser]:
            operation = first if link is None else ops.next_users(link)
            return await self._pipeline.send(operation, correlation_id=correlation_id)

        return AsyncPager(fetch, ops.resume_users(customer_id))

    async def get(
        self, customer_id: str, user_id: str, *, correlation_id: str | None = None
    ) -> CustomerUser:
        """One user (NotFoundError if the customer has no such user)."""
        operation = ops.get_user(customer_id, user_id)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def create(
        self, customer_id: str, user: CustomerUser, *, correlation_id: str | None = None
    ) -> CustomerUser:
        """Create a user: `user_principal_name` in the customer's domain, `display_name`,
        `usage_location` and `password_profile` are required. The answer has no password.

        ConflictError if the name is taken.
        """
        operation = ops.create_user(customer_id, user)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def update(
        self,
        customer_id: str,
        user_id: str,
        user: CustomerUser,
        *,
        correlation_id: str | None = None,
    ) -> CustomerUser:
        """Change the members set on `user` (names, usage location, password)."""
        operation = ops.update_user(customer_id, user_id, user)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def delete(
        self, customer_id: str, user_id: str, *, correlation_id: str | None = None
    ) -> None:
        """Delete the user."""
        operation = ops.delete_user(customer_id, user_id)
        await self._pipeline.send(operation, correlation_id=correlation_id)
