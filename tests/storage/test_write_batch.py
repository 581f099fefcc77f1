"""On PostgreSQL a unit of work's closing writes (an idempotency claim and rows of several
tables) go to the server as one statement, and mean what they meant one by one: the rows
go in only with the claim, a refused claim or a broken constraint writes nothing, and a
block that fails sends nothing."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.ports import IdempotencyKeyTaken
from tenantry.security.sealing import Sealer
from tenantry.storage import tables as t
from tenantry.storage.unit_of_work import SqlUnitOfWork
from tenantry.storage.write_batch import WriteBatch

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SEALER = Sealer(os.urandom(32))
ANSWER = StoredResponse(201, (("Location", "/v1/customers/x"),), b'{"id": "x"}', "body")


class _Refused(Exception):
    pass


def _partner(tenant_id: str) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "name": "Contoso",
        "partner_type": "direct",
        "country": "US",
        "created_at": NOW,
    }


def _app(partner_id: str, name: str = "app") -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "partner_id": partner_id,
        "display_name": name,
        "secret_hash": "hash",
        "created_at": NOW,
        "redirect_uris": ["http://localhost/ü"],
    }


async def _count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


def _batch(work: SqlUnitOfWork) -> WriteBatch:
    batch = work._batch
    assert batch is not None
    return batch


def _rows(work: SqlUnitOfWork, partner_id: str, apps: int = 2) -> None:
    """A parent and its children, in one batch: the children's foreign key holds."""
    rows = [(t.partners, [_partner(partner_id)]), (t.apps, [_app(partner_id) for _ in range(apps)])]
    _batch(work).insert(rows, lambda exc: None)


async def _claim_and_rows(engine: AsyncEngine, key: IdempotencyKey, partner_id: str) -> None:
    async with SqlUnitOfWork(engine, SEALER) as work, work.writes_then_commit():
        await work.idempotency.insert(key, ANSWER, NOW, NOW + timedelta(hours=1))
        _rows(work, partner_id)


def _key() -> IdempotencyKey:
    return IdempotencyKey.of(
        b"secret", "partner", "POST", "/v1/customers", str(uuid.uuid4()), b"{}"
    )


async def test_the_claim_and_the_rows_of_several_tables_are_one_statement(
    pg: AsyncEngine,
) -> None:
    key = _key()
    async with SqlUnitOfWork(pg, SEALER) as work:
        assert work._conn is not None
        raw = await work._conn.get_raw_connection()
        protocol = raw.driver_connection._protocol  # type: ignore[union-attr]
        before = protocol.queries_count
        async with work.writes_then_commit():
            await work.idempotency.insert(key, ANSWER, NOW, NOW + timedelta(hours=1))
            _rows(work, str(uuid.uuid4()))
            assert protocol.queries_count == before  # nothing is sent before the block ends
        # One statement, without BEGIN and COMMIT: a single statement is atomic.
        assert protocol.queries_count == before + 1
    assert (await _count(pg, t.partners), await _count(pg, t.apps)) == (1, 2)
    async with SqlUnitOfWork(pg, SEALER) as work:
        kept = await work.idempotency.get(key, NOW)
    assert kept is not None
    assert (kept.status, kept.body, kept.headers) == (201, ANSWER.body, ANSWER.headers)


async def test_a_refused_claim_writes_none_of_the_rows(pg: AsyncEngine) -> None:
    key = _key()
    await _claim_and_rows(pg, key, str(uuid.uuid4()))
    with pytest.raises(IdempotencyKeyTaken):
        await _claim_and_rows(pg, key, str(uuid.uuid4()))
    assert (await _count(pg, t.partners), await _count(pg, t.apps)) == (1, 2)


async def test_an_expired_claim_is_taken_over_with_the_rows(pg: AsyncEngine) -> None:
    key = _key()
    async with SqlUnitOfWork(pg, SEALER) as work, work.writes_then_commit():
        await work.idempotency.insert(key, ANSWER, NOW - timedelta(hours=2), NOW)
    await _claim_and_rows(pg, key, str(uuid.uuid4()))
    assert (await _count(pg, t.idempotency_records), await _count(pg, t.apps)) == (1, 2)


async def test_a_broken_constraint_is_the_writers_error_and_writes_nothing(
    pg: AsyncEngine,
) -> None:
    taken = str(uuid.uuid4())
    await _claim_and_rows(pg, _key(), taken)
    seen: list[DBAPIError] = []

    def translate(exc: DBAPIError) -> Exception | None:
        seen.append(exc)
        return _Refused() if isinstance(exc, IntegrityError) else None

    async def again() -> None:
        async with SqlUnitOfWork(pg, SEALER) as work, work.writes_then_commit():
            await work.idempotency.insert(_key(), ANSWER, NOW, NOW + timedelta(hours=1))
            _batch(work).insert([(t.partners, [_partner(taken)])], translate)

    with pytest.raises(_Refused):
        await again()
    assert "partners_pkey" in str(seen[0].orig)
    assert (await _count(pg, t.idempotency_records), await _count(pg, t.partners)) == (1, 1)


async def test_a_child_without_its_parent_breaks_the_foreign_key(pg: AsyncEngine) -> None:
    async def orphan() -> None:
        async with SqlUnitOfWork(pg, SEALER) as work, work.writes_then_commit():
            _batch(work).insert([(t.apps, [_app(str(uuid.uuid4()))])], lambda exc: None)

    with pytest.raises(IntegrityError, match="foreign key"):
        await orphan()
    assert await _count(pg, t.apps) == 0


async def test_a_block_that_fails_sends_nothing_and_the_next_one_starts_empty(
    pg: AsyncEngine,
) -> None:
    work = SqlUnitOfWork(pg, SEALER)

    async def failing() -> None:
        async with work, work.writes_then_commit():
            await work.idempotency.insert(_key(), ANSWER, NOW, NOW + timedelta(hours=1))
            _rows(work, str(uuid.uuid4()))
            raise _Refused

    with pytest.raises(_Refused):
        await failing()
    assert (await _count(pg, t.idempotency_records), await _count(pg, t.partners)) == (0, 0)
    assert _batch(work).collecting is False
    await _claim_and_rows(pg, _key(), str(uuid.uuid4()))
    assert await _count(pg, t.partners) == 1


async def test_after_a_write_of_its_own_the_batch_joins_the_transaction(
    pg: AsyncEngine,
) -> None:
    """The batch then runs inside BEGIN ... COMMIT, and a batch that fails undoes the
    write before it too."""
    earlier = str(uuid.uuid4())

    async def twice() -> None:
        async with SqlUnitOfWork(pg, SEALER) as work, work.writes_then_commit():
            assert work._conn is not None
            await work._conn.execute(insert(t.partners).values(_partner(earlier)))
            rows = [(t.partners, [_partner(earlier)])]  # the same key again
            _batch(work).insert(rows, lambda exc: None)

    with pytest.raises(IntegrityError):
        await twice()
    assert await _count(pg, t.partners) == 0


def test_a_batch_has_one_claim_and_it_comes_first(backend: str) -> None:
    """The claim guards the rows after it: one given later, or twice, is a mistake in the
    caller, refused at once rather than sent as a statement guarding only part (nothing
    reaches the database)."""
    batch = WriteBatch()
    batch.insert([(t.partners, [_partner(str(uuid.uuid4()))])], lambda exc: None)
    with pytest.raises(RuntimeError, match="comes first"):
        batch.claim(
            "k",
            t.idempotency_records,
            {},
            lambda values: None,
            refused=_Refused,
            translate=lambda exc: None,
        )
