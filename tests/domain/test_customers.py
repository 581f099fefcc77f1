"""The create/read use cases against in-memory ports: no HTTP, no SQL, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import TracebackType

import pytest

from tenantry.domain.audit import APP, Actor, AuditEvent, AuditQuery
from tenantry.domain.customers import CreatePolicy, CustomerService
from tenantry.domain.errors import ServiceError
from tenantry.domain.gdap import default_gdap_roles
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import (
    AppRegistration,
    Customer,
    CustomerDraft,
    NewCustomer,
    Partner,
    PartnerType,
)
from tenantry.domain.ports import DomainAlreadyTaken, IdempotencyKeyTaken
from tenantry.security.hashing import GeneratedSecretHasher
from tests.domain.rules.rules_helpers import seed_draft

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
PARTNER = Partner("11111111-1111-4111-8111-111111111111", "Contoso", PartnerType.DIRECT_BILL, "US")
RESELLER = Partner(
    "22222222-2222-4222-8222-222222222222", "Fabrikam", PartnerType.INDIRECT_RESELLER, "US"
)


class Store:
    """What the fake transactions write to, once committed."""

    def __init__(self) -> None:
        self.customers: dict[str, NewCustomer] = {}
        self.records: dict[IdempotencyKey, tuple[StoredResponse, datetime]] = {}
        self.race_twin: StoredResponse | None = None  # a twin that commits just before us
        self.audit: list[AuditEvent] = []


class FakeCustomers:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: dict[str, NewCustomer] = {}

    async def get(self, customer_id: str) -> Customer | None:
        new = self.store.customers.get(customer_id)
        return None if new is None else new.customer

    async def domain_key_exists(self, domain_key: str) -> bool:
        return any(n.customer.domain.lower() == domain_key for n in self.store.customers.values())

    async def add(self, new: NewCustomer, domain_key: str) -> None:
        if await self.domain_key_exists(domain_key):
            raise DomainAlreadyTaken(domain_key)
        self.pending[new.customer.id] = new


class FakeIdempotency:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: dict[IdempotencyKey, tuple[StoredResponse, datetime]] = {}

    async def get(self, key: IdempotencyKey, now: datetime) -> StoredResponse | None:
        hit = self.store.records.get(key)
        return hit[0] if hit and hit[1] > now else None

    async def insert(
        self, key: IdempotencyKey, response: StoredResponse, now: datetime, expires_at: datetime
    ) -> None:
        if self.store.race_twin is not None:  # the twin commits while we wait on its lock
            self.store.records[key] = (self.store.race_twin, expires_at)
            self.store.race_twin = None
        if await self.get(key, now) is not None:
            raise IdempotencyKeyTaken(key.scope_hash)
        self.pending[key] = (response, expires_at)

    async def purge(self, now: datetime) -> int:
        return 0


class FakePartners:
    async def get(self, tenant_id: str) -> Partner | None:
        return None

    async def get_app(self, client_id: str) -> AppRegistration | None:
        return None

    async def add(self, partner: Partner, created_at: datetime) -> None:
        return None

    async def add_app(self, app: AppRegistration, created_at: datetime) -> None:
        return None


ACTOR = Actor(APP, "test-app", "r1", "c1")


class FakeAudit:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def record(self, event: AuditEvent) -> None:
        self.store.audit.append(event)

    async def page(self, query: AuditQuery) -> list[AuditEvent]:
        return list(self.store.audit)


class FakeWork:
    """One transaction over the store: writes become visible on commit only."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.customers = FakeCustomers(store)
        self.idempotency = FakeIdempotency(store)
        self.partners = FakePartners()
        self.audit = FakeAudit(store)

    async def __aenter__(self) -> FakeWork:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self.store.customers.update(self.customers.pending)
        self.store.records.update(self.idempotency.pending)


class Clock:
    def __init__(self) -> None:
        self.now_value = NOW

    def now(self) -> datetime:
        return self.now_value


class Renderer:
    def created(self, new: NewCustomer) -> StoredResponse:
        return StoredResponse(201, (), f"created {new.customer.id} {new.admin_password}".encode())

    def failed(self, error: ServiceError) -> StoredResponse:
        return StoredResponse(error.spec.status, (), str(error.spec.code).encode())


def draft(domain: str = "contoso1.onmicrosoft.com", **changes: object) -> CustomerDraft:
    return seed_draft(**{"domain": domain, "culture": "EN-US", **changes})


def key(request_id: str = "r1", body: bytes = b"{}") -> IdempotencyKey:
    return IdempotencyKey.of(
        b"k" * 32, PARTNER.tenant_id, "POST", "/v1/customers", request_id, body
    )


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(store: Store, clock: Clock) -> CustomerService:
    policy = CreatePolicy(sandbox=True, retention=timedelta(hours=24))
    return CustomerService(lambda: FakeWork(store), clock, GeneratedSecretHasher(), policy)


async def test_create_writes_tenant_admin_relationship_and_default_gdap(
    service: CustomerService, store: Store
) -> None:
    answer = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)

    assert answer.status == 201
    (new,) = store.customers.values()
    assert new.customer.billing.culture == "en-US"
    assert new.customer.relationship_to_partner == "reseller"
    assert new.customer.allow_delegated_access is False
    assert new.admin.user_principal_name == "admin@contoso1.onmicrosoft.com"
    assert new.admin.must_change_password
    assert new.admin_password not in new.admin.password_hash
    assert GeneratedSecretHasher().verify(new.admin.password_hash, new.admin_password)
    assert new.relationship.partner_id == PARTNER.tenant_id
    assert new.gdap is not None
    assert new.gdap.roles == default_gdap_roles(PartnerType.DIRECT_BILL)
    assert new.gdap.ends_at - new.gdap.created_at == timedelta(days=730)
    assert -(2**63) <= new.customer.billing.etag < 2**63


async def test_gdap_flag_false_creates_no_gdap(service: CustomerService, store: Store) -> None:
    await service.create(
        PARTNER, key(), draft(enable_gdap_by_default=False), Renderer(), app_only=True, actor=ACTOR
    )
    (new,) = store.customers.values()
    assert new.gdap is None
    assert new.customer.enable_gdap_by_default is False


def test_reseller_roles_lack_the_application_roles() -> None:
    roles = default_gdap_roles(PartnerType.INDIRECT_RESELLER)
    assert "Application Administrator" not in roles
    assert "Global Reader" in roles


async def test_same_key_replays_the_stored_answer(service: CustomerService, store: Store) -> None:
    first = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    second = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    assert second.body == first.body
    assert second.replayed
    assert len(store.customers) == 1


async def test_replay_ends_with_the_retention(
    service: CustomerService, store: Store, clock: Clock
) -> None:
    await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    clock.now_value = NOW + timedelta(hours=25)
    late = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    assert late.body == b"880001"  # not a replay: the request runs again and meets its domain


async def test_validation_failures_are_recorded(service: CustomerService, store: Store) -> None:
    bad = draft(culture="xx-YY")
    first = await service.create(PARTNER, key(), bad, Renderer(), app_only=True, actor=ACTOR)
    second = await service.create(PARTNER, key(), bad, Renderer(), app_only=True, actor=ACTOR)
    assert first.body == b"880003"
    assert second.replayed
    assert store.customers == {}


async def test_a_twin_that_committed_first_is_replayed(
    service: CustomerService, store: Store
) -> None:
    twin = StoredResponse(201, (), b"the twin's answer").answering(key())
    store.race_twin = twin
    answer = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    assert answer.body == twin.body
    assert answer.replayed
    assert store.customers == {}


async def test_indirect_create_needs_a_signed_in_user(
    service: CustomerService, store: Store
) -> None:
    indirect = draft(associated_partner_id=RESELLER.tenant_id)
    answer = await service.create(PARTNER, key(), indirect, Renderer(), app_only=True, actor=ACTOR)
    again = await service.create(PARTNER, key(), indirect, Renderer(), app_only=True, actor=ACTOR)
    assert answer.body == b"900329"
    assert again.replayed  # refusals are answered the same way on a retry
    assert store.customers == {}


async def test_reads_are_limited_to_the_partners_customers(
    service: CustomerService, store: Store
) -> None:
    await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    (customer_id,) = store.customers
    assert (await service.get(PARTNER, customer_id.upper())).id == customer_id
    for who, customer, code in (
        (RESELLER, customer_id, 20002),
        (PARTNER, "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4", 60003),
        (PARTNER, "not-a-guid", 900118),
    ):
        with pytest.raises(ServiceError) as caught:
            await service.get(who, customer)
        assert caught.value.spec.code == code


async def test_a_create_is_audited_once_and_its_replay_not_at_all(
    service: CustomerService, store: Store
) -> None:
    first = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    again = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)

    assert first.status == again.status == 201
    (event,) = store.audit
    (new,) = store.customers.values()
    assert (event.action, event.actor_type, event.actor_id) == ("customer.created", APP, "test-app")
    assert (event.target_id, event.partner_id) == (new.customer.id, PARTNER.tenant_id)
    assert (event.request_id, event.correlation_id) == ("r1", "c1")
    assert new.admin_password not in repr(event.details)
