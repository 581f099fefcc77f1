"""Statements run straight on inline SQLite store and read exactly what SQLAlchemy would."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage import tables as t
from tenantry.storage.prepared import Prepared

_EVENT = Prepared(insert(t.audit_events))
_TOKEN = Prepared(insert(t.refresh_tokens))
_TOKEN_BY_HASH = Prepared(
    select(t.refresh_tokens).where(t.refresh_tokens.c.token_hash == bindparam("token_hash"))
)
_EVENT_BY_ID = Prepared(select(t.audit_events).where(t.audit_events.c.id == bindparam("id")))


def _event(event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "occurred_at": datetime(2026, 12, 5, 13, 1, 2, 345678, tzinfo=UTC),
        "action": "customer.created",
        "actor_type": "app",
        "actor_id": "Zoë's app",
        "partner_id": None,
        "target_type": "customer",
        "target_id": "t",
        "request_id": None,
        "correlation_id": "c",
        "details": {"names": ["Zoë", "王"], "mfa": True, "count": 3, "none": None},
    }


def _token(token_hash: str, used: datetime | None) -> dict[str, Any]:
    moment = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)
    same = str(uuid.UUID(int=7))
    return {
        "token_hash": token_hash,
        "family_id": same,
        "client_id": same,
        "partner_id": same,
        "user_id": same,
        "audience": "a",
        "scope": "s",
        "mfa": False,
        "created_at": moment,
        "expires_at": moment + timedelta(hours=1),
        "used_at": used,
    }


def _stored(path: str, table: str, key: str, value: str) -> tuple[Any, ...]:
    """The row as SQLite holds it, but for its key."""
    with sqlite3.connect(path) as db:
        row = db.execute(f"SELECT * FROM {table} WHERE {key} = ?", (value,)).fetchone()
    assert row is not None
    return tuple(row[1:])


async def test_rows_are_stored_and_read_as_sqlalchemy_does(engine: AsyncEngine) -> None:
    path = str(engine.url.database)
    used = datetime(2026, 12, 5, 13, 30, 0, 1, tzinfo=UTC)
    async with engine.connect() as conn:
        await conn.begin()
        await conn.execute(_EVENT.statement, _event("by-sqlalchemy"))
        await _EVENT.execute(conn, _event("prepared"))
        for name, when in (("a", None), ("b", used)):
            await conn.execute(_TOKEN.statement, _token(f"sa-{name}", when))
            await _TOKEN.execute(conn, _token(f"prepared-{name}", when))
        await conn.commit()

    events = [_stored(path, "audit_events", "id", i) for i in ("prepared", "by-sqlalchemy")]
    assert events[0] == events[1]
    for name in ("a", "b"):
        tokens = [
            _stored(path, "refresh_tokens", "token_hash", f"{way}-{name}")
            for way in ("prepared", "sa")
        ]
        assert tokens[0] == tokens[1]

    async with engine.connect() as conn:
        await conn.begin()
        read = await _EVENT_BY_ID.first(conn, {"id": "prepared"})
        expected = (await conn.execute(_EVENT_BY_ID.statement, {"id": "prepared"})).first()
        token = await _TOKEN_BY_HASH.first(conn, {"token_hash": "prepared-b"})
        missing = await _TOKEN_BY_HASH.first(conn, {"token_hash": "none"})
    assert expected is not None
    assert read == dict(expected._mapping)
    assert read["occurred_at"].tzinfo is UTC
    assert token is not None
    assert (token["mfa"], token["used_at"]) == (False, used)
    assert missing is None


async def test_a_refused_insert_is_sqlalchemys_integrity_error(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.begin()
        await _EVENT.execute(conn, _event("twice"))
        with pytest.raises(IntegrityError) as refused:
            await _EVENT.execute(conn, _event("twice"))
    assert "UNIQUE constraint failed: audit_events.id" in str(refused.value.orig)
    assert "Zoë" not in str(refused.value)  # the values are not in the message


async def test_outside_a_transaction_it_is_an_ordinary_execute(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await _EVENT.execute(conn, _event("autobegun"))
        await conn.commit()
        assert await _EVENT_BY_ID.first(conn, {"id": "autobegun"}) is not None


async def test_values_written_into_the_statement_are_bound_too(engine: AsyncEngine) -> None:
    """A literal in the statement (`column == "x"`) is a parameter of its own."""
    fixed = Prepared(select(t.audit_events.c.id).where(t.audit_events.c.action == "kept"))
    kept = {**_event("kept"), "action": "kept"}
    async with engine.connect() as conn:
        await conn.begin()
        await _EVENT.execute(conn, _event("other"))
        await _EVENT.execute(conn, kept)
        assert await fixed.first(conn, {}) == {"id": "kept"}


async def test_json_that_orjson_refuses_is_stored_and_read_back_whole(engine: AsyncEngine) -> None:
    """A long integer and a lone surrogate go through the standard library's encoder, and
    read back as they were (not as a float, not as an error)."""
    odd = {**_event("odd"), "details": {"big": 2**70, "text": "a\ud800b", "plain": "Zoë"}}
    async with engine.connect() as conn:
        await conn.begin()
        await _EVENT.execute(conn, odd)
        await conn.commit()
        await conn.begin()
        read = await _EVENT_BY_ID.first(conn, {"id": "odd"})
    assert read is not None
    assert read["details"] == {"big": 2**70, "text": "a\ud800b", "plain": "Zoë"}
