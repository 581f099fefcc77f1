"""What the domain needs from the outside world, stated as protocols.

`storage/` implements the repositories and the unit of work; `security/` the hasher;
tests may supply their own. The domain imports neither FastAPI nor SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from types import TracebackType
from typing import Protocol

from tenantry.domain.audit import AuditEvent, AuditQuery
from tenantry.domain.commerce import Agreement, Order
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.listing import PageQuery
from tenantry.domain.models import (
    AdminUser,
    AppRegistration,
    BillingProfile,
    Customer,
    GdapRelationship,
    NewCustomer,
    Partner,
    Partnership,
    PartnerUser,
    Subscription,
)


class DomainAlreadyTaken(Exception):
    """Storage refused a customer because its domain key is already in use."""


class IdempotencyKeyTaken(Exception):
    """Storage refused an idempotency record because one with the same key exists."""


class StorageBusy(Exception):
    """Storage could not take a lock within the bounded wait."""


class TwinStillRunning(StorageBusy):
    """Claiming an idempotency key waited past the bound: a twin request holds it."""


class Signer(Protocol):
    """Signs a payload into a token and gives the payload back only from an intact token."""

    def wrap(self, payload: bytes) -> str: ...

    def unwrap(self, token: str) -> bytes | None: ...


class SecretHasher(Protocol):
    def hash(self, secret: str) -> str: ...

    def verify(self, hashed: str, secret: str) -> bool: ...


class CustomerRepository(Protocol):
    async def get(self, customer_id: str) -> Customer | None: ...

    async def domain_key_exists(self, domain_key: str) -> bool: ...

    async def add(self, new: NewCustomer, domain_key: str) -> None:
        """Insert every record of a new customer (its subscriptions too); raise
        `DomainAlreadyTaken`."""
        ...

    async def count_owned(self, partner_id: str) -> int:
        """How many customers the partner created, counted so that concurrent creates of
        the same partner cannot both see room under a limit."""
        ...

    async def page(self, query: PageQuery) -> list[Customer]:
        """Customers the partner resells, newest first, after the query's cursor."""
        ...

    async def count(self, query: PageQuery) -> int:
        """How many customers `page` lists in all (the query's cursor and size aside)."""
        ...

    async def update_billing(
        self, customer_id: str, expected_etag: int, billing: BillingProfile
    ) -> bool:
        """Replace the billing profile if its etag is still `expected_etag`."""
        ...

    async def end_relationship(self, customer_id: str, partner_id: str) -> bool:
        """Remove the reseller relationship (and end its GDAP); False if there was none."""
        ...

    async def delete(self, customer_id: str) -> bool:
        """Remove the customer and everything created with it."""
        ...

    async def users(self, customer_id: str) -> list[AdminUser]: ...

    async def gdap_relationships(self, customer_id: str) -> list[GdapRelationship]: ...


class IdempotencyRepository(Protocol):
    async def get(self, key: IdempotencyKey, now: datetime) -> StoredResponse | None: ...

    async def insert(
        self, key: IdempotencyKey, response: StoredResponse, now: datetime, expires_at: datetime
    ) -> None:
        """Insert a record; raise `IdempotencyKeyTaken` when a live one exists."""
        ...

    async def purge(self, now: datetime) -> int: ...


class PartnerRepository(Protocol):
    async def get(self, tenant_id: str) -> Partner | None: ...

    async def get_app(self, client_id: str) -> AppRegistration | None: ...

    async def add(self, partner: Partner, created_at: datetime) -> None: ...

    async def add_app(self, app: AppRegistration, created_at: datetime) -> None: ...

    async def replace_secret(
        self, client_id: str, secret_hash: str, previous_expires_at: datetime
    ) -> None:
        """The new secret becomes current; the old one stays valid until the given time."""
        ...

    async def get_user(self, user_principal_name: str) -> PartnerUser | None: ...

    async def get_user_by_id(self, user_id: str) -> PartnerUser | None: ...

    async def add_user(self, user: PartnerUser, created_at: datetime) -> None: ...

    async def replace_credentials(
        self, user_id: str, password_hash: str, mfa: str, totp_secret_sealed: bytes | None
    ) -> None:
        """A user's new password hash and second factor."""
        ...

    async def add_partnership(self, partnership: Partnership, created_at: datetime) -> None: ...

    async def all(self) -> list[Partner]: ...

    async def partnerships_of(
        self, partner_id: str, *, as_provider: bool
    ) -> list[tuple[Partner, Partnership]]: ...

    async def get_partnership(self, provider_id: str, reseller_id: str) -> Partnership | None:
        """The partnership of this provider with this reseller, active or not."""
        ...


class AuditLog(Protocol):
    async def record(self, event: AuditEvent) -> None:
        """Add the event to the transaction: it commits, or rolls back, with the change."""
        ...

    async def page(self, query: AuditQuery) -> list[AuditEvent]:
        """Events newest first, after the query's cursor."""
        ...


class SubscriptionRepository(Protocol):
    async def add(self, subscriptions: tuple[Subscription, ...]) -> None: ...

    async def of_customer(self, customer_id: str) -> list[Subscription]: ...

    async def get(self, customer_id: str, subscription_id: str) -> Subscription | None: ...

    async def rename(self, customer_id: str, subscription_id: str, name: str) -> bool:
        """Set a subscription's friendly name; False if the customer has no such one."""
        ...

    async def update(self, subscription: Subscription) -> bool:
        """Store the subscription's friendly name, quantity and status."""
        ...


class UserNameTaken(Exception):
    """Storage refused a customer user because its user principal name is in use."""


class AgreementRepository(Protocol):
    async def add(self, agreement: Agreement) -> None: ...

    async def of_customer(self, customer_id: str) -> list[Agreement]:
        """The customer's confirmations, oldest first."""
        ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None:
        """Insert the order and its line items (the subscriptions are added separately)."""
        ...

    async def of_customer(self, customer_id: str) -> list[Order]:
        """The customer's orders, oldest first."""
        ...


class CustomerUserRepository(Protocol):
    async def of_customer(self, customer_id: str) -> list[AdminUser]: ...

    async def add(self, user: AdminUser) -> None:
        """Insert a user; raise `UserNameTaken` when its name is in use."""
        ...

    async def update(self, user: AdminUser) -> bool:
        """Store the user's names, usage location and password."""
        ...

    async def delete(self, customer_id: str, user_id: str) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without `commit()` rolls back."""

    @property
    def customers(self) -> CustomerRepository: ...

    @property
    def idempotency(self) -> IdempotencyRepository: ...

    @property
    def partners(self) -> PartnerRepository: ...

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def agreements(self) -> AgreementRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def users(self) -> CustomerUserRepository: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def writes_then_commit(self) -> AbstractAsyncContextManager[None]:
        """The unit of work's last writes, made in the block, then its commit. The writes
        may be sent together as the block ends, so their errors (a taken domain, a claim
        refused) may be raised there rather than by the calls that made them."""
        ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
