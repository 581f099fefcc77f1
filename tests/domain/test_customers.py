"""The create/read use cases against in-memory ports: no HTTP, no SQL, deterministic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.domain.audit import APP, Actor
from tenantry.domain.customers import CreatePolicy, CustomerService
from tenantry.domain.errors import ServiceError
from tenantry.domain.gdap import default_gdap_roles
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import (
    CustomerDraft,
    Partner,
    Partnership,
    PartnershipState,
    PartnerType,
)
from tenantry.security.hashing import GeneratedSecretHasher
from tests.domain.rules.rules_helpers import seed_draft
from tests.support.fakes import NOW, FakeClock, MemoryDatabase, PlainRenderer

PARTNER = Partner("11111111-1111-4111-8111-111111111111", "Contoso", PartnerType.DIRECT_BILL, "US")
RESELLER = Partner(
    "22222222-2222-4222-8222-222222222222", "Fabrikam", PartnerType.INDIRECT_RESELLER, "US"
)
ACTOR = Actor(APP, "test-app", "r1", "c1")
Renderer = PlainRenderer  # `created <customer id> <admin password>`, or the error's code


def draft(domain: str = "contoso1.onmicrosoft.com", **changes: object) -> CustomerDraft:
    return seed_draft(**{"domain": domain, "culture": "EN-US", **changes})


def key(request_id: str = "r1", body: bytes = b"{}") -> IdempotencyKey:
    return IdempotencyKey.of(
        b"k" * 32, PARTNER.tenant_id, "POST", "/v1/customers", request_id, body
    )


def password_in(answer: StoredResponse) -> str:
    """The one-time admin password a created answer carries."""
    _, _, password = answer.body.decode().split(" ")
    return password


@pytest.fixture
def db() -> MemoryDatabase:
    db = MemoryDatabase()
    for partner in (PARTNER, RESELLER):
        db.tables.partners[partner.tenant_id] = partner
    return db


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(db: MemoryDatabase, clock: FakeClock) -> CustomerService:
    policy = CreatePolicy(sandbox=True, retention=timedelta(hours=24))
    return CustomerService(db.uow, clock, GeneratedSecretHasher(), policy)


async def test_create_writes_tenant_admin_relationship_and_default_gdap(
    service: CustomerService, db: MemoryDatabase
) -> None:
    answer = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)

    assert answer.status == 201
    password = password_in(answer)
    tables = db.tables
    (customer,) = tables.customers.values()
    (admin,) = tables.customer_users.values()
    (relationship,) = tables.relationships.values()
    (gdap,) = tables.gdap.values()
    assert answer.body.decode().split(" ")[1] == customer.id
    assert customer.billing.culture == "en-US"
    assert customer.relationship_to_partner == "reseller"
    assert customer.allow_delegated_access is False
    assert admin.customer_id == relationship.customer_id == gdap.customer_id == customer.id
    assert admin.user_principal_name == "admin@contoso1.onmicrosoft.com"
    assert admin.must_change_password
    assert password not in admin.password_hash
    assert GeneratedSecretHasher().verify(admin.password_hash, password)
    assert relationship.partner_id == PARTNER.tenant_id
    assert gdap.roles == default_gdap_roles(PartnerType.DIRECT_BILL)
    assert gdap.ends_at - gdap.created_at == timedelta(days=730)
    assert -(2**63) <= customer.billing.etag < 2**63


async def test_gdap_flag_false_creates_no_gdap(
    service: CustomerService, db: MemoryDatabase
) -> None:
    await service.create(
        PARTNER, key(), draft(enable_gdap_by_default=False), Renderer(), app_only=True, actor=ACTOR
    )
    (customer,) = db.tables.customers.values()
    assert db.tables.gdap == {}
    assert customer.enable_gdap_by_default is False


def test_reseller_roles_lack_the_application_roles() -> None:
    roles = default_gdap_roles(PartnerType.INDIRECT_RESELLER)
    assert "Application Administrator" not in roles
    assert "Global Reader" in roles


async def test_same_key_replays_the_stored_answer(
    service: CustomerService, db: MemoryDatabase
) -> None:
    first = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    second = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    assert second.body == first.body
    assert second.replayed
    assert len(db.tables.customers) == 1


async def test_replay_ends_with_the_retention(
    service: CustomerService, db: MemoryDatabase, clock: FakeClock
) -> None:
    await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    clock.now_value = NOW + timedelta(hours=25)
    late = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    assert late.body == b"880001"  # not a replay: the request runs again and meets its domain


async def test_validation_failures_are_recorded(
    service: CustomerService, db: MemoryDatabase
) -> None:
    bad = draft(culture="xx-YY")
    first = await service.create(PARTNER, key(), bad, Renderer(), app_only=True, actor=ACTOR)
    second = await service.create(PARTNER, key(), bad, Renderer(), app_only=True, actor=ACTOR)
    assert first.body == b"880003"
    assert second.replayed
    assert db.tables.customers == {}


async def test_a_twin_that_committed_first_is_replayed(
    service: CustomerService, db: MemoryDatabase
) -> None:
    twin = StoredResponse(201, (), b"the twin's answer").answering(key())

    async def twin_commits() -> None:  # while this request waits on the twin's lock
        async with db.uow() as work:
            await work.idempotency.insert(key(), twin, NOW, NOW + timedelta(hours=24))
            await work.commit()

    db.meanwhile(twin_commits)
    answer = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    assert answer.body == twin.body
    assert answer.replayed
    assert db.tables.customers == {}


async def test_indirect_create_needs_a_signed_in_user(
    service: CustomerService, db: MemoryDatabase
) -> None:
    indirect = draft(associated_partner_id=RESELLER.tenant_id)
    answer = await service.create(PARTNER, key(), indirect, Renderer(), app_only=True, actor=ACTOR)
    again = await service.create(PARTNER, key(), indirect, Renderer(), app_only=True, actor=ACTOR)
    assert answer.body == b"900329"
    assert again.replayed  # refusals are answered the same way on a retry
    assert db.tables.customers == {}


async def test_reads_are_limited_to_the_partners_customers(
    service: CustomerService, db: MemoryDatabase
) -> None:
    await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    (customer_id,) = db.tables.customers
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
    service: CustomerService, db: MemoryDatabase
) -> None:
    first = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    again = await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)

    assert first.status == again.status == 201
    (event,) = db.tables.audit
    (customer,) = db.tables.customers.values()
    assert (event.action, event.actor_type, event.actor_id) == ("customer.created", APP, "test-app")
    assert (event.target_id, event.partner_id) == (customer.id, PARTNER.tenant_id)
    assert (event.request_id, event.correlation_id) == ("r1", "c1")
    assert password_in(first) not in repr(event.details)


async def test_a_domain_is_taken_whatever_its_case_and_whoever_took_it(
    service: CustomerService, db: MemoryDatabase
) -> None:
    await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)
    other = Partner(
        "55555555-5555-4555-8555-555555555555", "Litware", PartnerType.DIRECT_BILL, "US"
    )
    db.tables.partners[other.tenant_id] = other

    taken = await service.create(
        other, key("r2"), draft("CONTOSO1.onmicrosoft.com"), Renderer(), app_only=True, actor=ACTOR
    )

    assert (taken.status, taken.body) == (409, b"880001")
    assert len(db.tables.customers) == 1
    assert await service.domain_exists("Contoso1.OnMicrosoft.com")
    assert not await service.domain_exists("contoso2.onmicrosoft.com")
    with pytest.raises(ServiceError) as caught:
        await service.domain_exists("not a domain")
    assert caught.value.spec.code == 800002


async def test_strict_mode_refuses_a_request_id_reused_for_another_body(
    db: MemoryDatabase, clock: FakeClock
) -> None:
    policy = CreatePolicy(sandbox=True, retention=timedelta(hours=24), strict_idempotency=True)
    service = CustomerService(db.uow, clock, GeneratedSecretHasher(), policy)
    await service.create(PARTNER, key(), draft(), Renderer(), app_only=True, actor=ACTOR)

    other_body = key(body=b'{"other": true}')
    reused = await service.create(
        PARTNER,
        other_body,
        draft("contoso2.onmicrosoft.com"),
        Renderer(),
        app_only=True,
        actor=ACTOR,
    )

    assert (reused.status, reused.body) == (409, b"880012")
    assert len(db.tables.customers) == 1


async def test_a_signed_in_provider_creates_for_its_active_reseller_only(
    service: CustomerService, db: MemoryDatabase
) -> None:
    provider = Partner(
        "33333333-3333-4333-8333-333333333333", "Northwind", PartnerType.INDIRECT_PROVIDER, "US"
    )
    db.tables.partners[provider.tenant_id] = provider
    db.tables.partnerships[(provider.tenant_id, RESELLER.tenant_id)] = Partnership(
        provider.tenant_id, RESELLER.tenant_id, PartnershipState.ACTIVE
    )

    async def create(partner: Partner, reseller_id: str, request_id: str) -> StoredResponse:
        indirect = draft(f"{request_id}x.onmicrosoft.com", associated_partner_id=reseller_id)
        return await service.create(
            partner, key(request_id), indirect, Renderer(), app_only=False, actor=ACTOR
        )

    unknown = await create(provider, "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4", "r1")
    not_a_provider = await create(PARTNER, RESELLER.tenant_id, "r2")
    created = await create(provider, RESELLER.tenant_id.upper(), "r3")

    assert (unknown.status, unknown.body) == (404, b"800015")
    assert (not_a_provider.status, not_a_provider.body) == (400, b"800016")
    assert created.status == 201
    (customer,) = db.tables.customers.values()
    assert (customer.partner_id, customer.associated_partner_id) == (
        provider.tenant_id,
        RESELLER.tenant_id,
    )
    (gdap,) = db.tables.gdap.values()
    assert gdap.roles == default_gdap_roles(PartnerType.INDIRECT_PROVIDER)

    db.tables.partnerships[(provider.tenant_id, RESELLER.tenant_id)] = Partnership(
        provider.tenant_id, RESELLER.tenant_id, PartnershipState.INACTIVE
    )
    ended = await create(provider, RESELLER.tenant_id, "r4")
    assert ended.body == b"800016"
