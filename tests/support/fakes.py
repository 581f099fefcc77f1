"""In-memory stand-ins for the ports the services use: no HTTP, no database.

`MemoryDatabase` keeps committed tables; every unit of work reads and writes a copy of
them, and `commit()` applies what it changed to the database, so leaving without a commit
rolls back just as a real transaction does. `MemorySandboxStore` gives the sandbox's
whole-state transaction the same semantics.

The repositories behave as the SQL ones in `tenantry.storage` do, constraints included: a
taken domain key raises `DomainAlreadyTaken`, a live idempotency record `IdempotencyKeyTaken`
(also when a concurrent transaction committed it: see `MemoryDatabase.meanwhile`), a
customer needs its partner (the foreign key), listing pages newest first after a keyset
cursor, and a billing update with a stale etag changes nothing.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from tenantry.auth.ports import StoredSigningKey
from tenantry.domain.audit import AuditEvent, AuditQuery
from tenantry.domain.commerce import Agreement, Order
from tenantry.domain.errors import ServiceError
from tenantry.domain.idempotency import IdempotencyKey, NothingKept, StoredResponse
from tenantry.domain.listing import PageQuery, SearchField
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
    RelationshipToPartner,
    ResellerRelationship,
    Subscription,
)
from tenantry.domain.ports import (
    DomainAlreadyTaken,
    IdempotencyKeyTaken,
    StorageBusy,
    UserNameTaken,
)
from tenantry.sandbox.ports import SnapshotRefused, SnapshotRows, StateConflict

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now_value = now

    def now(self) -> datetime:
        return self.now_value

    def advance(self, delta: timedelta) -> None:
        self.now_value += delta


class PlainHasher:
    """A readable stand-in for the secret and password hashes, counting its checks."""

    def __init__(self) -> None:
        self.verified = 0

    def hash(self, secret: str) -> str:
        return f"hashed:{secret}"

    def verify(self, hashed: str, secret: str) -> bool:
        self.verified += 1
        return hashed == f"hashed:{secret}"


class PlainSealer:
    """Seals a TOTP secret to a user id, readably."""

    def seal(self, secret: str, user_id: str) -> bytes:
        return f"{user_id}:{secret}".encode()


class RecordedSignIns:
    """Records whose sign-ins were ended (`GrantService.end_sign_ins`)."""

    def __init__(self) -> None:
        self.ended: list[str] = []

    async def end_sign_ins(self, user_id: str) -> None:
        self.ended.append(user_id)


class PlainRenderer:
    """Renders a create's outcome readably: `created <customer id> <admin password>`, or the
    error's code alone (`CreateRenderer`)."""

    def created(self, new: NewCustomer) -> StoredResponse:
        return StoredResponse(201, (), f"created {new.customer.id} {new.admin_password}".encode())

    def failed(self, error: ServiceError) -> StoredResponse:
        return StoredResponse(error.spec.status, (), str(error.spec.code).encode())


@dataclass(frozen=True)
class KeptAnswer:
    """One idempotency record: the stored answer, and when it stops being replayed."""

    response: StoredResponse
    expires_at: datetime


# Tables a sandbox reset leaves alone, as `storage.snapshot.clear_all` does.
_KEPT_BY_RESET = frozenset({"signing_keys", "audit"})


@dataclass
class Tables:
    """The rows, one dict a table keyed by its primary key (or unique key). Rows are frozen
    dataclasses, replaced on update and never changed in place."""

    partners: dict[str, Partner] = field(default_factory=dict)
    apps: dict[str, AppRegistration] = field(default_factory=dict)
    users: dict[str, PartnerUser] = field(default_factory=dict)  # partner users, by user id
    partnerships: dict[tuple[str, str], Partnership] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    domain_keys: dict[str, str] = field(default_factory=dict)  # the unique key -> customer id
    customer_users: dict[str, AdminUser] = field(default_factory=dict)
    relationships: dict[str, ResellerRelationship] = field(default_factory=dict)
    gdap: dict[str, GdapRelationship] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], KeptAnswer] = field(default_factory=dict)
    signing_keys: dict[str, StoredSigningKey] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)

    def copy(self) -> Tables:
        return Tables(
            **{f.name: copy.copy(getattr(self, f.name)) for f in dataclasses.fields(self)}
        )

    def clear_state(self) -> None:
        """Everything but the signing keys and the audit trail, as a sandbox reset."""
        for f in dataclasses.fields(self):
            if f.name not in _KEPT_BY_RESET:
                getattr(self, f.name).clear()


_ABSENT = object()


def _merge(committed: Tables, base: Tables, mine: Tables) -> Tables:
    """`committed` with the changes a transaction made to its copy of `base`: rows it
    added, replaced or deleted, and the audit events it appended. Rows other transactions
    committed meanwhile stay."""
    merged = committed.copy()
    for f in dataclasses.fields(Tables):
        if f.name == "audit":
            merged.audit.extend(mine.audit[len(base.audit) :])
            continue
        before, after, target = (getattr(t, f.name) for t in (base, mine, merged))
        for key in before.keys() - after.keys():
            target.pop(key, None)
        for key, row in after.items():
            if before.get(key, _ABSENT) is not row:
                target[key] = row
    return merged


class FakePartners:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def get(self, tenant_id: str) -> Partner | None:
        return self._t.partners.get(tenant_id)

    async def get_app(self, client_id: str) -> AppRegistration | None:
        return self._t.apps.get(client_id)

    async def add(self, partner: Partner, created_at: datetime) -> None:
        self._t.partners[partner.tenant_id] = partner

    async def add_app(self, app: AppRegistration, created_at: datetime) -> None:
        self._t.apps[app.client_id] = app

    async def replace_secret(
        self, client_id: str, secret_hash: str, previous_expires_at: datetime
    ) -> None:
        app = self._t.apps[client_id]
        self._t.apps[client_id] = dataclasses.replace(
            app,
            secret_hash=secret_hash,
            previous_secret_hash=app.secret_hash,
            previous_secret_expires_at=previous_expires_at,
        )

    async def get_user(self, user_principal_name: str) -> PartnerUser | None:
        wanted = user_principal_name.lower()
        return next(
            (u for u in self._t.users.values() if u.user_principal_name.lower() == wanted), None
        )

    async def get_user_by_id(self, user_id: str) -> PartnerUser | None:
        return self._t.users.get(user_id)

    async def add_user(self, user: PartnerUser, created_at: datetime) -> None:
        self._t.users[user.id] = user

    async def replace_credentials(
        self, user_id: str, password_hash: str, mfa: str, totp_secret_sealed: bytes | None
    ) -> None:
        self._t.users[user_id] = dataclasses.replace(
            self._t.users[user_id],
            password_hash=password_hash,
            mfa=mfa,
            totp_secret_sealed=totp_secret_sealed,
        )

    async def add_partnership(self, partnership: Partnership, created_at: datetime) -> None:
        self._t.partnerships[(partnership.provider_id, partnership.reseller_id)] = partnership

    async def all(self) -> list[Partner]:
        return sorted(self._t.partners.values(), key=lambda p: p.name)

    async def partnerships_of(
        self, partner_id: str, *, as_provider: bool
    ) -> list[tuple[Partner, Partnership]]:
        found = []
        for (provider, reseller), ship in self._t.partnerships.items():
            mine, other = (provider, reseller) if as_provider else (reseller, provider)
            if mine == partner_id:
                found.append((self._t.partners[other], ship))
        return sorted(found, key=lambda pair: (pair[0].name, pair[0].tenant_id))

    async def get_partnership(self, provider_id: str, reseller_id: str) -> Partnership | None:
        return self._t.partnerships.get((provider_id, reseller_id))


def _nothing_else(table: str) -> Mapping[Any, Any]:
    return {}


Others = Callable[[str], Mapping[Any, Any]]
"""The rows of a table that other transactions committed since this one began: what a
unique constraint sees besides the transaction's own rows."""

_RESELLER = RelationshipToPartner.RESELLER


class FakeCustomers:
    """`storage.customer_repository.SqlCustomerRepository` over the tables."""

    def __init__(self, tables: Tables, others: Others = _nothing_else) -> None:
        self._t = tables
        self._others = others

    async def get(self, customer_id: str) -> Customer | None:
        return self._t.customers.get(customer_id)

    async def domain_key_exists(self, key: str) -> bool:
        return key in self._t.domain_keys

    async def add(self, new: NewCustomer, key: str) -> None:
        c = new.customer
        if key in self._t.domain_keys or key in self._others("domain_keys"):
            raise DomainAlreadyTaken(c.domain)  # the unique index on domain_key
        if c.partner_id not in self._t.partners:  # any other integrity error: worth a retry
            raise StorageBusy("FOREIGN KEY constraint failed")
        self._t.customers[c.id] = c
        self._t.domain_keys[key] = c.id
        self._t.customer_users[new.admin.id] = new.admin
        self._t.relationships[new.relationship.id] = new.relationship
        if new.gdap is not None:
            self._t.gdap[new.gdap.id] = new.gdap
        for subscription in new.subscriptions:
            self._t.subscriptions[subscription.id] = subscription
        if new.order is not None:
            self._t.orders[new.order.id] = new.order

    async def count_owned(self, partner_id: str) -> int:
        return sum(
            1
            for c in self._t.customers.values()
            if c.partner_id == partner_id and c.relationship_to_partner is _RESELLER
        )

    async def page(self, query: PageQuery) -> list[Customer]:
        """The partner's own customers and those created for it as a reseller, newest
        first (by creation time, then id), after the cursor, without the ones still being
        provisioned."""
        domain_key_of = {customer_id: key for key, customer_id in self._t.domain_keys.items()}
        found = [
            c
            for c in self._t.customers.values()
            if query.partner_id in (c.partner_id, c.associated_partner_id)
            and c.relationship_to_partner is _RESELLER
            and _matches(c, domain_key_of.get(c.id, ""), query)
        ]
        found.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return found[: query.size]

    async def count(self, query: PageQuery) -> int:
        whole = dataclasses.replace(query, size=len(self._t.customers), after=None)
        return len(await self.page(whole))

    async def update_billing(
        self, customer_id: str, expected_etag: int, billing: BillingProfile
    ) -> bool:
        customer = self._t.customers.get(customer_id)
        if (
            customer is None
            or customer.billing.etag != expected_etag
            or customer.relationship_to_partner is not _RESELLER
        ):
            return False
        self._t.customers[customer_id] = dataclasses.replace(
            customer,
            company_name=billing.company_name,
            billing=dataclasses.replace(billing, id=customer.billing.id),  # id is kept
        )
        return True

    async def end_relationship(self, customer_id: str, partner_id: str) -> bool:
        customer = self._t.customers.get(customer_id)
        if (
            customer is None
            or customer.partner_id != partner_id
            or customer.relationship_to_partner is not _RESELLER
        ):
            return False
        self._t.customers[customer_id] = dataclasses.replace(
            customer, relationship_to_partner=RelationshipToPartner.NONE
        )
        for rid, relationship in list(self._t.relationships.items()):
            if (relationship.customer_id, relationship.partner_id) == (customer_id, partner_id):
                del self._t.relationships[rid]
        for gid, gdap in list(self._t.gdap.items()):
            if (gdap.customer_id, gdap.partner_id) == (customer_id, partner_id):
                self._t.gdap[gid] = dataclasses.replace(gdap, status="terminated")
        return True

    async def delete(self, customer_id: str) -> bool:
        for table in (
            self._t.customer_users,
            self._t.relationships,
            self._t.gdap,
            self._t.subscriptions,
            self._t.agreements,
            self._t.orders,
        ):
            for row_id in [k for k, row in table.items() if row.customer_id == customer_id]:
                del table[row_id]
        for key in [k for k, owner in self._t.domain_keys.items() if owner == customer_id]:
            del self._t.domain_keys[key]
        return self._t.customers.pop(customer_id, None) is not None

    async def users(self, customer_id: str) -> list[AdminUser]:
        found = [u for u in self._t.customer_users.values() if u.customer_id == customer_id]
        return sorted(found, key=lambda u: u.created_at)

    async def gdap_relationships(self, customer_id: str) -> list[GdapRelationship]:
        found = [g for g in self._t.gdap.values() if g.customer_id == customer_id]
        return sorted(found, key=lambda g: g.created_at)


def _matches(customer: Customer, domain_key: str, query: PageQuery) -> bool:
    """The filter, the provisioning cut-off and the keyset position of `query`."""
    if query.filter is not None and query.filter.prefix:
        field, prefix = query.filter.field, query.filter.prefix
        if field is SearchField.COMPANY_NAME:
            value = customer.company_name.casefold()  # the company_name_key column
        elif field is SearchField.DOMAIN:
            value = domain_key
        elif field is SearchField.INDIRECT_RESELLER:
            value = customer.associated_partner_id or ""
        else:
            value = customer.partner_id
        if not value.startswith(prefix):
            return False
    if query.created_before is not None and customer.created_at > query.created_before:
        return False
    if query.after is not None:
        position = (query.after.created_at, query.after.customer_id)
        if (customer.created_at, customer.id) >= position:
            return False
    return True


class FakeIdempotency:
    """`storage.idempotency_repository.SqlIdempotencyRepository` over the tables: a record
    answers until it expires, and claiming a key someone holds raises `IdempotencyKeyTaken`."""

    def __init__(
        self,
        tables: Tables,
        others: Others = _nothing_else,
        meanwhile: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._t = tables
        self._others = others
        self._meanwhile = meanwhile

    async def get(self, key: IdempotencyKey, now: datetime) -> StoredResponse | None:
        kept = self._t.idempotency.get((key.scope_hash, key.body_hash))
        return kept.response if kept is not None and kept.expires_at > now else None

    async def insert(
        self, key: IdempotencyKey, response: StoredResponse, now: datetime, expires_at: datetime
    ) -> None:
        if self._meanwhile is not None:  # a twin that commits while this one waits on it
            await self._meanwhile()
        row = (key.scope_hash, key.body_hash)
        for records in (self._t.idempotency, self._others("idempotency")):
            kept = records.get(row)
            if kept is not None and kept.expires_at > now:  # the primary key
                raise IdempotencyKeyTaken(key.scope_hash)
        self._t.idempotency[row] = KeptAnswer(response, expires_at)  # an expired one goes

    async def purge(self, now: datetime) -> int:
        expired = [row for row, kept in self._t.idempotency.items() if kept.expires_at <= now]
        for row in expired:
            del self._t.idempotency[row]
        return len(expired)


class FakeSubscriptions:
    """`storage.subscription_repository.SqlSubscriptionRepository` over the tables."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, subscriptions: tuple[Subscription, ...]) -> None:
        for subscription in subscriptions:
            self._t.subscriptions[subscription.id] = subscription

    async def of_customer(self, customer_id: str) -> list[Subscription]:
        found = [s for s in self._t.subscriptions.values() if s.customer_id == customer_id]
        return sorted(found, key=lambda s: (s.created_at, s.offer_id))

    async def get(self, customer_id: str, subscription_id: str) -> Subscription | None:
        found = self._t.subscriptions.get(subscription_id)
        return found if found is not None and found.customer_id == customer_id else None

    async def update(self, subscription: Subscription) -> bool:
        if await self.get(subscription.customer_id, subscription.id) is None:
            return False
        self._t.subscriptions[subscription.id] = subscription
        return True

    async def rename(self, customer_id: str, subscription_id: str, name: str) -> bool:
        subscription = self._t.subscriptions.get(subscription_id)
        if subscription is None or subscription.customer_id != customer_id:
            return False
        self._t.subscriptions[subscription_id] = dataclasses.replace(
            subscription, friendly_name=name
        )
        return True


class FakeAgreements:
    """`storage.agreement_repository.SqlAgreementRepository` over the tables."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, agreement: Agreement) -> None:
        self._t.agreements[agreement.id] = agreement

    async def of_customer(self, customer_id: str) -> list[Agreement]:
        found = [a for a in self._t.agreements.values() if a.customer_id == customer_id]
        return sorted(found, key=lambda a: (a.created_at, a.id))


class FakeOrders:
    """`storage.order_repository.SqlOrderRepository` over the tables."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, order: Order) -> None:
        self._t.orders[order.id] = order

    async def of_customer(self, customer_id: str) -> list[Order]:
        found = [o for o in self._t.orders.values() if o.customer_id == customer_id]
        return sorted(found, key=lambda o: (o.created_at, o.id))


class FakeCustomerUsers:
    """`storage.customer_user_repository.SqlCustomerUserRepository` over the tables."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def of_customer(self, customer_id: str) -> list[AdminUser]:
        found = [u for u in self._t.customer_users.values() if u.customer_id == customer_id]
        return sorted(found, key=lambda u: (u.created_at, u.id))

    async def add(self, user: AdminUser) -> None:
        taken = {u.user_principal_name.lower() for u in self._t.customer_users.values()}
        if user.user_principal_name.lower() in taken:
            raise UserNameTaken(user.user_principal_name)
        self._t.customer_users[user.id] = user

    async def update(self, user: AdminUser) -> bool:
        if user.id not in self._t.customer_users:
            return False
        self._t.customer_users[user.id] = user
        return True

    async def delete(self, customer_id: str, user_id: str) -> bool:
        user = self._t.customer_users.get(user_id)
        if user is None or user.customer_id != customer_id:
            return False
        del self._t.customer_users[user_id]
        return True


class FakeAudit:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def record(self, event: AuditEvent) -> None:
        self._t.audit.append(event)

    async def page(self, query: AuditQuery) -> list[AuditEvent]:
        events = [
            e
            for e in self._t.audit
            if (query.partner_id is None or e.partner_id == query.partner_id)
            and (query.action is None or e.action == query.action)
            and (query.since is None or e.occurred_at >= query.since)
        ]
        events.sort(key=lambda e: (e.occurred_at, e.id), reverse=True)
        if query.after is not None:
            cursor = (query.after.occurred_at, query.after.event_id)
            events = [e for e in events if (e.occurred_at, e.id) < cursor]
        return events[: query.limit]


class FakeSigningKeys:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def all(self) -> list[StoredSigningKey]:
        return list(self._t.signing_keys.values())

    async def add(self, key: StoredSigningKey) -> None:
        self._t.signing_keys[key.kid] = key

    async def remove(self, kid: str) -> None:
        del self._t.signing_keys[kid]


class FakeWork:
    """One transaction over a copy of the tables; `commit()` applies its changes to the
    database. A joined unit of work (given the outer transaction's `tables`) shares them,
    keeps no idempotency records (as `storage.shared_transaction.JoinedWork`) and leaves
    committing to the outer transaction."""

    def __init__(self, db: MemoryDatabase, tables: Tables | None = None) -> None:
        self._db = db
        self._joined = tables is not None
        self._begin(tables)

    def _begin(self, shared: Tables | None) -> None:
        self._base = self._db.tables.copy() if shared is None else None
        tables = shared if shared is not None else self._db.tables.copy()
        self.tables = tables
        self.partners = FakePartners(tables)
        self.customers = FakeCustomers(tables, self._committed_by_others)
        self.idempotency: FakeIdempotency | NothingKept = (
            NothingKept()
            if self._joined
            else FakeIdempotency(tables, self._committed_by_others, self._db.run_meanwhile)
        )
        self.subscriptions = FakeSubscriptions(tables)
        self.agreements = FakeAgreements(tables)
        self.orders = FakeOrders(tables)
        self.users = FakeCustomerUsers(tables)
        self.audit = FakeAudit(tables)
        self.signing_keys = FakeSigningKeys(tables)

    def _committed_by_others(self, table: str) -> Mapping[Any, Any]:
        if self._base is None:
            return {}
        base = getattr(self._base, table)
        return {
            key: row
            for key, row in getattr(self._db.tables, table).items()
            if base.get(key, _ABSENT) is not row
        }

    async def __aenter__(self) -> FakeWork:
        if not self._joined:
            self._begin(None)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    @contextlib.asynccontextmanager
    async def writes_then_commit(self) -> AsyncIterator[None]:
        yield
        await self.commit()

    async def commit(self) -> None:
        if self._joined or self._base is None:
            return
        self._db.tables = _merge(self._db.tables, self._base, self.tables)
        self._db.commits += 1
        self._base = self.tables.copy()  # what is committed now is this one's starting point


class MemoryDatabase:
    def __init__(self) -> None:
        self.tables = Tables()
        self.commits = 0
        self._meanwhile: list[Callable[[], Awaitable[None]]] = []

    def uow(self) -> FakeWork:
        """A unit-of-work factory over this database."""
        return FakeWork(self)

    def meanwhile(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` when the next idempotency key is claimed, before the claim: a
        concurrent request that commits while this one waits on the key's lock. It may
        open units of work of its own."""
        self._meanwhile.append(action)

    async def run_meanwhile(self) -> None:
        while self._meanwhile:
            await self._meanwhile.pop(0)()


class FakeWholeState:
    def __init__(self, db: MemoryDatabase, conflict_on_commit: bool) -> None:
        self._db = db
        self._conflict = conflict_on_commit
        self.tables = db.tables.copy()
        self.loaded: SnapshotRows | None = None

    def joined(self) -> FakeWork:
        return FakeWork(self._db, self.tables)

    async def clear(self) -> None:
        self.tables.clear_state()

    async def load(self, rows: SnapshotRows, now: datetime) -> Mapping[str, int]:
        self.tables.clear_state()
        self.loaded = rows
        return {name: len(batch) for name, batch in rows.items()}

    async def commit(self) -> None:
        if self._conflict:  # as a concurrent change that took the same key would
            raise StateConflict("UNIQUE constraint failed")
        self._db.tables = self.tables.copy()
        self._db.commits += 1


class MemorySandboxStore:
    """The whole-state port over a `MemoryDatabase`. Documents are `{"format": "fake",
    "tables": {...}}`; anything else is refused."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.conflict_on_commit = False
        self.last: FakeWholeState | None = None

    @contextlib.asynccontextmanager
    async def replace(self) -> AsyncIterator[FakeWholeState]:
        state = FakeWholeState(self.db, self.conflict_on_commit)
        self.last = state
        yield state

    async def export(self, now: datetime) -> dict[str, Any]:
        tables = self.db.tables
        return {
            "format": "fake",
            "exportedAt": now.isoformat(),
            "tables": {"partners": [p.tenant_id for p in tables.partners.values()]},
        }

    def read_snapshot(self, document: Any) -> SnapshotRows:
        if not isinstance(document, dict) or document.get("format") != "fake":
            raise SnapshotRefused('"format" must be "fake"')
        rows: SnapshotRows = document.get("tables", {})
        return rows


class CountedReloads:
    """Stands in for the signing-key store when only its reloads matter."""

    def __init__(self) -> None:
        self.reloads = 0

    async def reload(self) -> None:
        self.reloads += 1
