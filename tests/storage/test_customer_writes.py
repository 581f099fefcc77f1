"""A create's writes on a real database, each backend its own way (SQLite a statement at a
time, PostgreSQL one statement for all): a row the database refuses leaves nothing behind,
and the refusal means the same on both."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.domain.customers import CreatePolicy, CustomerService
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import Partner
from tenantry.domain.ports import StorageBusy
from tenantry.security.sealing import Sealer
from tenantry.storage import tables as t
from tenantry.storage.unit_of_work import SqlUnitOfWorkFactory
from tests.domain.rules.rules_helpers import seed_draft
from tests.domain.world import APP_ACTOR, DIRECT, STRANGER
from tests.support.fakes import FakeClock, PlainHasher, PlainRenderer

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest) -> AsyncEngine:
    """The storage fixtures' engine of the backend: `engine` (SQLite) or `pg`."""
    engine: AsyncEngine = request.getfixturevalue("pg" if backend == "postgresql" else "engine")
    return engine


@pytest.fixture
async def service(store: AsyncEngine) -> AsyncIterator[CustomerService]:
    """Creates by DIRECT, the one partner the database holds."""
    async with store.begin() as conn:
        await conn.execute(
            insert(t.partners),
            {
                "tenant_id": DIRECT.tenant_id,
                "name": DIRECT.name,
                "partner_type": DIRECT.partner_type.value,
                "country": DIRECT.country,
                "created_at": FakeClock().now(),
            },
        )
    uow = SqlUnitOfWorkFactory(store, Sealer(os.urandom(32)))
    policy = CreatePolicy(sandbox=False, retention=timedelta(hours=1))
    yield CustomerService(uow, FakeClock(), PlainHasher(), policy)
    await uow.close()


async def _create(service: CustomerService, n: int, partner: Partner = DIRECT) -> StoredResponse:
    key = IdempotencyKey.of(b"k" * 32, partner.tenant_id, "POST", "/v1/customers", f"r{n}", b"")
    return await service.create(
        partner,
        key,
        seed_draft(domain=f"writes{n}.onmicrosoft.com"),
        PlainRenderer(),
        app_only=True,
        actor=APP_ACTOR,
    )


async def _count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_create_writes_the_claim_the_customer_s_rows_and_the_event(
    store: AsyncEngine, service: CustomerService
) -> None:
    answer = await _create(service, 1)
    assert answer.status == 201
    tables = (t.idempotency_records, t.customers, t.users, t.relationships, t.audit_events)
    assert [await _count(store, table) for table in tables] == [1, 1, 1, 1, 1]


async def test_a_partner_gone_meanwhile_is_a_retry_and_leaves_nothing(
    store: AsyncEngine, service: CustomerService
) -> None:
    """The customer's partner is a foreign key: a partner removed while the request ran (a
    concurrent reset, say) refuses the rows. Not the caller's fault: "busy, retry"."""
    with pytest.raises(StorageBusy, match=r"(?i)foreign key"):
        await _create(service, 2, partner=STRANGER)
    tables = (t.idempotency_records, t.customers, t.users, t.audit_events)
    assert [await _count(store, table) for table in tables] == [0, 0, 0, 0]
