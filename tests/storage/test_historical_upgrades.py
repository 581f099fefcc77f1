"""Databases made by every earlier release are upgraded by this one to the schema a fresh
database gets, keep their rows, and serve.

Each state in tests/storage/historical/ is the schema a release's own code left (see
capture.py there): the six variants of the edited migration 0001, then 0002 and 0003, and
three of the variants after the last release before 0004 had "upgraded" them to 0003.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, select, text

from tenantry.config import Settings, to_async_url
from tenantry.domain.audit import OPERATOR, Actor
from tenantry.storage import tables as t
from tenantry.storage.db import create_engine
from tenantry.storage.migrate import HEAD, alembic_config, upgrade_to_head
from tenantry.storage.schema_repair import repair
from tenantry.storage.schema_shape import differences
from tenantry.storage.tables import metadata
from tests.storage.historical import STATES, OldRows, insert_old_rows, load, recorded_revision
from tests.storage.test_migrations import _schema
from tests.support import payloads
from tests.support.server import LiveServer
from tests.support.storage import database_url_for

_fresh: dict[str, dict[str, object]] = {}


async def _fresh_schema(backend: str, tmp_path: Path) -> dict[str, object]:
    """The schema of a database this release makes from nothing, once per backend."""
    if backend not in _fresh:
        with database_url_for(backend) as url:
            engine = create_engine(
                to_async_url(url or f"sqlite:///{tmp_path / 'fresh.db'}"), lock_wait_seconds=10
            )
            try:
                await upgrade_to_head(engine)
                async with engine.connect() as conn:
                    _fresh[backend] = await conn.run_sync(_schema)
            finally:
                await engine.dispose()
    return _fresh[backend]


def _repair_again(sync: Connection) -> list[str]:
    """What revision 0004's repair would still do (nothing, once it has run)."""
    module: Any = ScriptDirectory.from_config(alembic_config()).get_revision("0004").module
    return repair(sync, module._schema(), fill=module.FILL)


def _headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "MS-RequestId": str(uuid.uuid4())}


def _serves(settings: Settings, backend: str, old: OldRows) -> None:
    """Create a customer and read it back; read the old customer; link the old partners."""
    server = LiveServer(settings, backend).start()
    try:
        auth = {"Authorization": f"Bearer {server.token()}"}
        with httpx.Client(base_url=server.base_url, headers=auth, timeout=60) as http:
            created = http.post("/v1/customers", content=payloads.seed_000(), headers=_headers())
            assert created.status_code == 201, created.text
            got = http.get(f"/v1/customers/{created.json()['id']}")
            assert got.status_code == 200, got.text
            assert http.get("/readyz").status_code == 200

        async def old_customer_and_partnership() -> tuple[str | None, str]:
            async with server.runtime.uow() as work:
                customer = await work.customers.get(old.customer_id)
            linked = await server.runtime.administration.link_reseller(
                old.provider_id, old.reseller_id, active=True, actor=Actor(OPERATOR, "test")
            )
            return (customer.domain if customer else None), linked.state.value

        assert server.call(old_customer_and_partnership()) == (old.domain, "active")
    finally:
        server.stop()


@pytest.mark.parametrize("state", STATES)
async def test_an_earlier_releases_database_is_upgraded_and_serves(
    backend: str, state: str, tmp_path: Path
) -> None:
    fresh = await _fresh_schema(backend, tmp_path)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with database_url_for(backend) as given:
        url = given or f"sqlite:///{data_dir / 'tenantry.db'}"
        load(state, backend, url)
        old = insert_old_rows(url)
        engine = create_engine(to_async_url(url), lock_wait_seconds=10)
        try:
            assert await upgrade_to_head(engine) == (recorded_revision(state), HEAD)
            async with engine.connect() as conn:
                upgraded = await conn.run_sync(_schema)
                drift = await conn.run_sync(lambda sync: differences(sync, metadata))
                again = await conn.run_sync(_repair_again)
                await conn.rollback()
                record = t.idempotency_records.c
                request_hash = (
                    await conn.execute(
                        select(record.request_hash).where(record.scope_hash == old.scope_hash)
                    )
                ).scalar()
                rows = (await conn.execute(text("SELECT count(*) FROM users"))).scalar()
            assert drift == []
            assert again == []
            assert upgraded == fresh
            assert request_hash == old.body_hash
            assert rows == 1
            assert await upgrade_to_head(engine) == (HEAD, HEAD)
        finally:
            await engine.dispose()
        settings = Settings(
            data_dir=data_dir, database_url=given, customer_cap=0, customer_rate_limit=0
        )
        _serves(settings, backend, old)
