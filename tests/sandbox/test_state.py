"""Reset, export, import and seed of the sandbox's state, over an in-memory store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_TENANT_ID
from tenantry.auth.enrolment import Enrolment
from tenantry.domain.audit import SANDBOX, Action, Actor
from tenantry.domain.customers import CreatePolicy
from tenantry.domain.errors import ServiceError
from tenantry.domain.models import Partner, PartnershipState, PartnerType
from tenantry.domain.sandbox import SandboxLimits
from tenantry.sandbox.seeds import (
    Seed,
    SeedApp,
    SeedCustomer,
    SeedPartner,
    SeedPartnership,
    SeedUser,
)
from tenantry.sandbox.state import SandboxState
from tenantry.security.hashing import GeneratedSecretHasher
from tests.domain.rules.rules_helpers import seed_draft
from tests.support.fakes import (
    NOW,
    CountedReloads,
    FakeClock,
    MemoryDatabase,
    MemorySandboxStore,
    PlainHasher,
    PlainSealer,
)

ACTOR = Actor(SANDBOX, "control plane", "r1", "c1")
PROVIDER = Partner(
    "11111111-1111-4111-8111-111111111111", "Contoso", PartnerType.INDIRECT_PROVIDER, "US"
)
RESELLER = Partner(
    "22222222-2222-4222-8222-222222222222", "Fabrikam", PartnerType.INDIRECT_RESELLER, "US"
)
APP_ID = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"


class Sandbox:
    def __init__(self) -> None:
        self.db = MemoryDatabase()
        self.store = MemorySandboxStore(self.db)
        self.keys = CountedReloads()
        hasher = PlainHasher()
        self.service = SandboxState(
            self.store,
            Enrolment(hasher, PlainSealer(), hash_password=hasher.hash),
            self.keys,
            FakeClock(),
            GeneratedSecretHasher(),
            CreatePolicy(sandbox=True, retention=timedelta(hours=24)),
            SandboxLimits(),
            b"k" * 32,
        )


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


def seed(*customers: SeedCustomer, app_id: str = APP_ID) -> Seed:
    return Seed(
        partners=(
            SeedPartner(
                PROVIDER,
                (SeedApp(app_id, "app-secret", "Provisioning"),),
                (SeedUser("agent@contoso.example", "user-password", "Agent", ("Admin agent",)),),
            ),
            SeedPartner(RESELLER, (), ()),
        ),
        partnerships=(
            SeedPartnership(PROVIDER.tenant_id, RESELLER.tenant_id, PartnershipState.ACTIVE),
        ),
        customers=customers,
    )


def customer(domain: str = "wingtiptoys1.onmicrosoft.com") -> SeedCustomer:
    return SeedCustomer(PROVIDER.tenant_id, seed_draft(domain=domain))


async def test_reset_recreates_the_development_partner_and_keeps_the_history(
    sandbox: Sandbox,
) -> None:
    await sandbox.service.seed(seed(customer()), ACTOR)
    await sandbox.service.reset(ACTOR)

    tables = sandbox.db.tables
    assert list(tables.partners) == [DEV_TENANT_ID]
    assert list(tables.apps) == [DEV_CLIENT_ID]
    assert tables.customers == {}
    assert [e.action for e in tables.audit][-1] == Action.SANDBOX_RESET
    assert tables.audit[-1].details == {"empty": False}
    assert Action.SANDBOX_SEEDED in {e.action for e in tables.audit}  # history outlives it


async def test_an_empty_reset_leaves_no_partner(sandbox: Sandbox) -> None:
    await sandbox.service.reset(ACTOR, empty=True)
    assert sandbox.db.tables.partners == {}
    assert sandbox.db.tables.audit[-1].details == {"empty": True}


async def test_export_is_the_stores_document_at_the_clocks_time(sandbox: Sandbox) -> None:
    await sandbox.service.reset(ACTOR)
    document = await sandbox.service.export()
    assert document["exportedAt"] == NOW.isoformat()
    assert document["tables"] == {"partners": [DEV_TENANT_ID]}


async def test_import_replaces_the_state_and_reloads_the_keys(sandbox: Sandbox) -> None:
    await sandbox.service.reset(ACTOR)
    rows = {"partners": [{"tenant_id": "x"}], "customers": []}
    await sandbox.service.import_state({"format": "fake", "tables": rows}, ACTOR)

    assert sandbox.store.last is not None
    assert sandbox.store.last.loaded == rows
    assert sandbox.db.tables.partners == {}  # the fake load clears, as the real one does
    event = sandbox.db.tables.audit[-1]
    assert (event.action, event.details) == (
        Action.SANDBOX_IMPORTED,
        {"rows": {"partners": 1, "customers": 0}},
    )
    assert (event.request_id, event.correlation_id) == ("r1", "c1")
    assert sandbox.keys.reloads == 1


async def test_a_refused_snapshot_is_a_malformed_request_and_changes_nothing(
    sandbox: Sandbox,
) -> None:
    await sandbox.service.reset(ACTOR)
    commits = sandbox.db.commits
    with pytest.raises(ServiceError) as refused:
        await sandbox.service.import_state({"format": "other"}, ACTOR)
    assert refused.value.spec.code == 800002
    assert refused.value.params == {"reason": '"format" must be "fake"'}
    assert sandbox.db.commits == commits
    assert sandbox.keys.reloads == 0


async def test_seed_creates_then_finds_everything(sandbox: Sandbox) -> None:
    first = await sandbox.service.seed(seed(customer()), ACTOR)

    assert first.partners_created == [PROVIDER.tenant_id, RESELLER.tenant_id]
    assert first.partnerships_created == 1
    (created,) = first.customers_created
    assert created.domain == "wingtiptoys1.onmicrosoft.com"
    tables = sandbox.db.tables
    assert tables.apps[APP_ID].secret_hash == "hashed:app-secret"
    (user,) = tables.users.values()
    assert (user.user_principal_name, user.display_name, user.password_hash) == (
        "agent@contoso.example",
        "Agent",
        "hashed:user-password",
    )
    assert [e.action for e in tables.audit] == [Action.CUSTOMER_CREATED, Action.SANDBOX_SEEDED]
    assert tables.audit[-1].details == {
        "partnersCreated": [PROVIDER.tenant_id, RESELLER.tenant_id],
        "partnershipsCreated": 1,
        "customersCreated": 1,
    }

    again = await sandbox.service.seed(seed(customer("WingtipToys1.onmicrosoft.com")), ACTOR)
    assert again.partners_existing == [PROVIDER.tenant_id, RESELLER.tenant_id]
    assert again.partnerships_existing == 1
    assert again.customers_existing == ["WingtipToys1.onmicrosoft.com"]
    assert len(tables.customers) == 1


async def test_a_seed_that_fails_anywhere_leaves_nothing(sandbox: Sandbox) -> None:
    bad = customer("not a domain")
    with pytest.raises(ServiceError) as refused:
        await sandbox.service.seed(seed(customer(), bad), ACTOR)
    assert all(p.path.startswith("customers[1].") for p in refused.value.problems)
    assert sandbox.db.tables.partners == {}
    assert sandbox.db.tables.customers == {}
    assert sandbox.db.commits == 0


async def test_a_client_id_of_another_partner_is_refused(sandbox: Sandbox) -> None:
    await sandbox.service.reset(ACTOR)
    with pytest.raises(ServiceError) as refused:
        await sandbox.service.seed(seed(app_id=DEV_CLIENT_ID), ACTOR)
    assert refused.value.params == {
        "reason": f"partners[0].apps[0].clientId {DEV_CLIENT_ID} is already registered "
        f"(partner {DEV_TENANT_ID})"
    }


async def test_a_partnership_needs_partners_of_the_right_kinds(sandbox: Sandbox) -> None:
    wrong = Seed(
        partners=(SeedPartner(PROVIDER, (), ()),),
        partnerships=(
            SeedPartnership(PROVIDER.tenant_id, PROVIDER.tenant_id, PartnershipState.ACTIVE),
        ),
        customers=(),
    )
    with pytest.raises(ServiceError) as refused:
        await sandbox.service.seed(wrong, ACTOR)
    assert refused.value.params == {
        "reason": f"partnerships[0].reseller: partner {PROVIDER.tenant_id} is not an "
        "indirect_reseller"
    }


async def test_a_concurrent_change_asks_for_the_seed_again(sandbox: Sandbox) -> None:
    sandbox.store.conflict_on_commit = True
    with pytest.raises(ServiceError) as refused:
        await sandbox.service.seed(seed(), ACTOR)
    assert refused.value.spec.code == 800002
    assert "apply it again" in str(refused.value.params["reason"])
