"""Units of work on PostgreSQL take turns for the pool's connections in the order they ask,
and a unit of work that cannot begin gives its turn back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.config import to_async_url
from tenantry.security.sealing import Sealer
from tenantry.storage.db import POSTGRES_POOL_SIZE, create_engine
from tenantry.storage.unit_of_work import SqlUnitOfWorkFactory
from tests.support.storage import shared_postgres

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
SEALER = Sealer(bytes(32))


@pytest.fixture
async def database(backend: str) -> AsyncIterator[str]:
    server = shared_postgres()
    assert server is not None
    url = server.new_database()
    yield to_async_url(url)
    server.drop_database(url)


async def _engine(url: str) -> AsyncEngine:
    return create_engine(url, lock_wait_seconds=5)


async def test_waiting_units_of_work_get_connections_first_come_first_served(
    database: str,
) -> None:
    """Each holder, once done, asks again at once (as a busy client's next request does):
    it must queue behind the units of work already waiting, not take the connection it
    has just given back."""
    engine = await _engine(database)
    uow = SqlUnitOfWorkFactory(engine, SEALER)
    release = asyncio.Event()
    served: list[str] = []

    async def hold(n: int) -> None:
        async with uow():
            await release.wait()
        async with uow():
            served.append(f"again {n}")

    async def wait_in_line(n: int) -> None:
        async with uow():
            served.append(f"waiting {n}")

    try:
        holders = [asyncio.create_task(hold(n)) for n in range(POSTGRES_POOL_SIZE)]
        await asyncio.sleep(0.5)  # every connection held
        waiters = []
        for n in range(10):
            waiters.append(asyncio.create_task(wait_in_line(n)))
            await asyncio.sleep(0.01)
        release.set()
        await asyncio.wait_for(asyncio.gather(*holders, *waiters), 30)
    finally:
        await engine.dispose()
    assert served[:10] == [f"waiting {n}" for n in range(10)]


async def test_a_unit_of_work_that_cannot_begin_gives_its_turn_back(database: str) -> None:
    missing = make_url(database).set(database="tenantry_no_such_database")
    engine = await _engine(missing.render_as_string(hide_password=False))
    uow = SqlUnitOfWorkFactory(engine, SEALER)
    try:
        for _ in range(POSTGRES_POOL_SIZE + 5):  # more failures than there are turns
            with pytest.raises(Exception, match="does not exist"):
                await asyncio.wait_for(uow().__aenter__(), 10)
    finally:
        await engine.dispose()
