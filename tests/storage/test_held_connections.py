"""Units of work on an inline SQLite file keep their connections between them and begin
and end transactions on the driver, with the same all-or-nothing outcome as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.security.sealing import Sealer
from tenantry.storage import tables as t
from tenantry.storage.held_connections import driver_of
from tenantry.storage.prepared import Prepared
from tenantry.storage.unit_of_work import SqlUnitOfWorkFactory

SEALER = Sealer(bytes(32))
_INSERT = Prepared(insert(t.signing_keys))


class Refused(Exception):
    pass


def _key(kid: str) -> dict[str, Any]:
    return {
        "kid": kid,
        "private_key_sealed": b"sealed",
        "public_key_pem": "pem",
        "created_at": datetime(2026, 12, 6, tzinfo=UTC),
    }


async def _kids(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(t.signing_keys.c.kid).order_by(t.signing_keys.c.kid))
        return [row.kid for row in rows]


async def _write(
    uow: SqlUnitOfWorkFactory,
    *kids: str,
    through_sqlalchemy: bool = False,
    commit: bool = True,
    fail: bool = False,
) -> None:
    async with uow() as work:
        conn = work.customers._conn
        for kid in kids:
            if through_sqlalchemy:
                await conn.execute(insert(t.signing_keys).values(**_key(kid)))
            else:
                await _INSERT.execute(conn, _key(kid))
        if fail:
            raise Refused
        if commit:
            await work.commit()


async def test_connections_are_kept_for_the_next_unit_of_work(engine: AsyncEngine) -> None:
    uow = SqlUnitOfWorkFactory(engine, SEALER)
    for n in range(50):
        await _write(uow, f"k{n:02}")
    assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    assert len(await _kids(engine)) == 50
    await uow.close()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_what_is_not_committed_is_rolled_back(engine: AsyncEngine) -> None:
    uow = SqlUnitOfWorkFactory(engine, SEALER)
    await _write(uow, "a", commit=False)
    with pytest.raises(Refused):
        await _write(uow, "b", fail=True)
    await _write(uow, "c")
    assert await _kids(engine) == ["c"]
    await uow.close()


async def test_a_statement_through_sqlalchemy_joins_the_same_transaction(
    engine: AsyncEngine,
) -> None:
    """SQLAlchemy begins its own transaction on the first such statement; the one begun on
    the driver is kept, and committing or rolling back ends both together."""
    uow = SqlUnitOfWorkFactory(engine, SEALER)

    async def mixed(first: str, second: str, **how: bool) -> None:
        async with uow() as work:
            conn = work.customers._conn
            await _INSERT.execute(conn, _key(first))
            await conn.execute(insert(t.signing_keys).values(**_key(second)))
            if how.get("fail"):
                raise Refused
            await work.commit()

    with pytest.raises(Refused):
        await mixed("x1", "x2", fail=True)
    await mixed("y1", "y2")
    assert await _kids(engine) == ["y1", "y2"]
    # Both kinds of statement again on the same (held) connection, which is still sound.
    await _write(uow, "z1", through_sqlalchemy=True)
    await _write(uow, "z2")
    assert await _kids(engine) == ["y1", "y2", "z1", "z2"]
    await uow.close()


async def test_a_failed_statement_leaves_a_usable_connection(engine: AsyncEngine) -> None:
    uow = SqlUnitOfWorkFactory(engine, SEALER)
    await _write(uow, "dup")
    with pytest.raises(Exception, match="UNIQUE"):
        await _write(uow, "new", "dup")
    await _write(uow, "after")
    assert await _kids(engine) == ["after", "dup"]
    await uow.close()


async def test_no_more_than_the_pool_holds_are_kept(engine: AsyncEngine) -> None:
    uow = SqlUnitOfWorkFactory(engine, SEALER)
    works = [uow() for _ in range(12)]
    for work in works:  # twelve open at once: more than the pool's eight
        await work.__aenter__()
    for work in works:
        await work.__aexit__(None, None, None)
    assert engine.pool.checkedout() == 8  # type: ignore[attr-defined]
    await uow.close()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_connection_that_cannot_roll_back_is_not_kept(engine: AsyncEngine) -> None:
    uow = SqlUnitOfWorkFactory(engine, SEALER)

    async def lose_the_driver() -> None:
        async with uow() as work:
            await _INSERT.execute(work.customers._conn, _key("lost"))
            driver_of(work.customers._conn).stop()  # the driver's connection is gone

    with pytest.raises(ValueError, match="no active connection"):
        await lose_the_driver()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    await _write(uow, "next")  # a new connection serves the next unit of work
    assert await _kids(engine) == ["next"]
    await uow.close()
