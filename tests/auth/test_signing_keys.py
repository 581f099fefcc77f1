"""Signing keys: created, rotated and retired through their port, each change audited."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from tenantry.auth.errors import AdministrationError
from tenantry.auth.signing_keys import NoSigningKey, RetiringTooSoon, SigningKeyStore
from tenantry.domain.audit import OPERATOR, Action, Actor
from tenantry.security.sealing import Sealer
from tests.support.fakes import FakeClock, MemoryDatabase

ACTOR = Actor(OPERATOR, "ops")
NOW = timedelta(0)  # retire without waiting for the old key's tokens to expire


@pytest.fixture
def db() -> MemoryDatabase:
    return MemoryDatabase()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sealer() -> Sealer:
    return Sealer(os.urandom(32))


async def test_the_first_start_creates_one_sealed_key(
    db: MemoryDatabase, clock: FakeClock, sealer: Sealer
) -> None:
    store = SigningKeyStore(db.uow, sealer, clock)
    await store.load_or_create()

    (stored,) = db.tables.signing_keys.values()
    assert store.current.kid == stored.kid
    assert stored.created_at == clock.now()
    assert b"PRIVATE KEY" in sealer.open(stored.private_key_sealed, stored.kid.encode())
    assert db.tables.audit == []  # the server's own first key is nobody's change

    again = SigningKeyStore(db.uow, sealer, clock)  # another node, or the next start
    await again.load_or_create()
    assert [k.kid for k in again.listing()] == [stored.kid]


async def test_rotate_then_retire_are_audited(
    db: MemoryDatabase, clock: FakeClock, sealer: Sealer
) -> None:
    store = SigningKeyStore(db.uow, sealer, clock)
    await store.load_or_create()
    first = store.current
    clock.advance(timedelta(minutes=1))

    second = await store.rotate(ACTOR)
    assert store.current == second != first
    assert [k.kid for k in store.listing()] == [first.kid, second.kid]
    rotated = db.tables.audit[-1]
    assert (rotated.action, rotated.target_type, rotated.target_id) == (
        Action.SIGNING_KEY_ROTATED,
        "signingKey",
        second.kid,
    )
    assert (rotated.actor_type, rotated.actor_id) == (OPERATOR, "ops")

    with pytest.raises(AdministrationError, match="rotate before retiring it"):
        await store.retire(second.kid, ACTOR, tokens_live=NOW)
    with pytest.raises(AdministrationError, match="there is no signing key 'nope'"):
        await store.retire("nope", ACTOR, tokens_live=NOW)
    await store.retire(first.kid, ACTOR, tokens_live=NOW)

    assert list(db.tables.signing_keys) == [second.kid]
    assert store.public_key(first.kid) is None
    retired = db.tables.audit[-1]
    assert (retired.action, retired.target_id) == (Action.SIGNING_KEY_RETIRED, first.kid)
    assert len(db.tables.audit) == 2


async def test_an_emptied_table_drops_no_key(
    db: MemoryDatabase, clock: FakeClock, sealer: Sealer
) -> None:
    store = SigningKeyStore(db.uow, sealer, clock)
    await store.load_or_create()
    kid = store.current.kid
    db.tables.signing_keys.clear()
    await store.reload()
    assert store.current.kid == kid


async def test_retiring_waits_until_the_old_keys_tokens_have_expired(
    db: MemoryDatabase, clock: FakeClock, sealer: Sealer
) -> None:
    store = SigningKeyStore(db.uow, sealer, clock)
    await store.load_or_create()
    first = store.current
    clock.advance(timedelta(days=3))
    rotated_at = clock.now()
    await store.rotate(ACTOR)
    clock.advance(timedelta(minutes=10))
    live = timedelta(hours=1, minutes=1)  # a token's lifetime and the nodes' reload interval

    with pytest.raises(RetiringTooSoon) as refused:
        await store.retire(first.kid, ACTOR, tokens_live=live)
    assert refused.value.safe_at == rotated_at + live  # from the rotation, not the key's age
    assert "until " + f"{rotated_at + live:%Y-%m-%d %H:%M:%S}Z" in str(refused.value)
    assert "--force" in str(refused.value)
    assert first.kid in db.tables.signing_keys

    clock.advance(timedelta(minutes=51))  # exactly when the last token expired
    await store.retire(first.kid, ACTOR, tokens_live=live)
    assert first.kid not in db.tables.signing_keys


async def test_a_store_without_keys_says_how_to_get_one(
    db: MemoryDatabase, clock: FakeClock, sealer: Sealer
) -> None:
    store = SigningKeyStore(db.uow, sealer, clock)
    await store.reload()  # what the operator's commands do: nothing is created
    assert db.tables.signing_keys == {}
    with pytest.raises(NoSigningKey, match="keys rotate"):
        _ = store.current
