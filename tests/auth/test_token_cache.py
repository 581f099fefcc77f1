"""The verified-token cache: cheap on every request, and no longer than a retired key lives.

Two stores over one database play two nodes: the operator retires a key through one, the
other learns it at its next reload, and a token it had already verified (and cached) stops
working there at that moment, without any query on the requests in between.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import timedelta

import pytest

from tenantry.auth.signing_keys import SigningKeyStore
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE, TokenRejected, TokenService
from tenantry.domain.audit import OPERATOR, Actor
from tenantry.security.sealing import Sealer
from tests.support.fakes import FakeClock, FakeWork, MemoryDatabase

TENANT = "6b5d4a3c-1111-4222-8333-944455556666"
ACTOR = Actor(OPERATOR, "ops")


class CountingDatabase:
    """The units of work a node opens: each one is a round trip to the database."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self.opened = 0
        self.away: Exception | None = None  # set: the database cannot be reached

    def uow(self) -> FakeWork:
        self.opened += 1
        if self.away is not None:
            raise self.away
        return self._db.uow()


@pytest.fixture
def sealer() -> Sealer:
    return Sealer(os.urandom(32))


CLOCK = FakeClock()  # the nodes' clocks agree (NTP)


async def _node(
    db: MemoryDatabase, sealer: Sealer, cache_size: int = 4096
) -> tuple[TokenService, CountingDatabase]:
    counting = CountingDatabase(db)
    keys = SigningKeyStore(counting.uow, sealer, CLOCK)
    await keys.load_or_create()
    return TokenService(keys, 3600, cache_size=cache_size), counting


async def _until(condition: Callable[[], bool]) -> None:
    """Give a background task up to about five seconds to make `condition` true."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)


async def _rotate_and_retire(node: TokenService) -> str:
    """What the operator does through one node: a new key, then the old one retired."""
    old_kid = node.keys.current.kid
    CLOCK.advance(timedelta(minutes=1))
    await node.keys.rotate(ACTOR)
    CLOCK.advance(timedelta(hours=1))  # the old key's last token has expired
    await node.keys.retire(old_kid, ACTOR, tokens_live=timedelta(hours=1))
    return old_kid


async def test_a_cached_token_costs_no_query_and_ends_with_its_retired_key(
    sealer: Sealer,
) -> None:
    db = MemoryDatabase()
    node_a, _ = await _node(db, sealer)
    node_b, b_database = await _node(db, sealer)
    old_token, _ = node_a.issue_app_token(TENANT, "client", PARTNER_CENTER_AUDIENCE)

    await node_b.verify(old_token)
    before = b_database.opened
    for _ in range(1000):
        assert (await node_b.verify(old_token)).partner_id == TENANT
    assert b_database.opened == before  # the hot path never reaches the database

    old_kid = await _rotate_and_retire(node_a)
    assert (await node_b.verify(old_token)).partner_id == TENANT  # B has not reloaded yet

    await node_b.keys.reload()  # B's periodic reload
    with pytest.raises(TokenRejected, match="retired"):
        await node_b.verify(old_token)
    assert not node_b.keys.verifies(old_kid)
    new_token, _ = node_b.issue_app_token(TENANT, "client", PARTNER_CENTER_AUDIENCE)
    assert (await node_b.verify(new_token)).partner_id == TENANT


async def test_the_periodic_reload_reaches_the_cache(sealer: Sealer) -> None:
    db = MemoryDatabase()
    node_a, _ = await _node(db, sealer)
    node_b, _ = await _node(db, sealer)
    token, _ = node_a.issue_app_token(TENANT, "client", PARTNER_CENTER_AUDIENCE)
    await node_b.verify(token)
    old_kid = await _rotate_and_retire(node_a)

    reloading = asyncio.create_task(node_b.keys.reload_forever(0.01))
    try:
        await _until(lambda: not node_b.keys.verifies(old_kid))
    finally:
        reloading.cancel()
    with pytest.raises(TokenRejected, match="retired"):
        await node_b.verify(token)


async def test_a_failed_periodic_reload_keeps_the_keys_and_is_tried_again(
    sealer: Sealer, caplog: pytest.LogCaptureFixture
) -> None:
    db = MemoryDatabase()
    node_a, _ = await _node(db, sealer)
    node_b, b_database = await _node(db, sealer)
    token, _ = node_a.issue_app_token(TENANT, "client", PARTNER_CENTER_AUDIENCE)
    old_kid = await _rotate_and_retire(node_a)
    keys = node_b.keys
    b_database.away = ConnectionRefusedError("Connect call failed")
    opened = b_database.opened
    reloading = asyncio.create_task(keys.reload_forever(0.01))
    try:
        await _until(lambda: b_database.opened >= opened + 3)
        assert b_database.opened >= opened + 3  # tried again at every interval
        assert keys.verifies(old_kid)  # the keys loaded before are kept meanwhile
        assert "signing keys not reloaded (will retry): Connect call failed" in caplog.text

        b_database.away = None  # the database is back
        await _until(lambda: not keys.verifies(old_kid))
    finally:
        reloading.cancel()
    with pytest.raises(TokenRejected, match="retired"):
        await node_b.verify(token)


async def test_the_cache_is_bounded_and_forgets_expired_tokens(sealer: Sealer) -> None:
    db = MemoryDatabase()
    node, _ = await _node(db, sealer, cache_size=8)
    short = TokenService(node.keys, lifetime_seconds=-1)  # already expired when issued
    expired, _ = short.issue_app_token(TENANT, "client", PARTNER_CENTER_AUDIENCE)
    with pytest.raises(TokenRejected, match="expired"):
        await node.verify(expired)
    tokens = [node.issue_app_token(TENANT, f"c{i}", PARTNER_CENTER_AUDIENCE)[0] for i in range(10)]
    for token in tokens:
        await node.verify(token)
    assert len(node._verified) == 8  # the bound is the point
    assert tokens[0] not in node._verified  # the least recently used went first
    assert tokens[-1] in node._verified
