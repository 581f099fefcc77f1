"""The portal's server-side sessions over in-memory stand-ins: what ends a session."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from tenantry.auth.portal_sessions import LIFETIME, PortalSessions, StoredSession
from tests.support.fakes_sign_in import PARTNER_ID, FakeWork, SignInWorld, sign_in_world


class FakeSessionStore:
    def __init__(self) -> None:
        self.rows: dict[str, StoredSession] = {}

    async def add(self, id_digest: str, session: StoredSession, created_at: datetime) -> None:
        self.rows[id_digest] = session

    async def find(self, id_digest: str) -> StoredSession | None:
        return self.rows.get(id_digest)

    async def remove(self, id_digest: str) -> None:
        self.rows.pop(id_digest, None)

    async def remove_expired(self, before: datetime) -> None:
        for digest, row in list(self.rows.items()):
            if row.expires_at <= before:
                del self.rows[digest]

    async def remove_user(self, user_id: str, *, expired_before: datetime | None = None) -> None:
        for digest, row in list(self.rows.items()):
            if row.user_id == user_id and (
                expired_before is None or row.expires_at <= expired_before
            ):
                del self.rows[digest]


@pytest.fixture
def world() -> SignInWorld:
    return sign_in_world()


def _sessions(world: SignInWorld, store: FakeSessionStore) -> PortalSessions:
    return PortalSessions(store, lambda: FakeWork(world.directory), world.clock)


async def test_a_session_lives_until_its_expiry(world: SignInWorld) -> None:
    user, _ = world.add_user("ada@contoso.com", "right password")
    store = FakeSessionStore()
    sessions = _sessions(world, store)
    session_id = await sessions.start(user)
    assert session_id not in store.rows  # only its digest is kept
    assert await sessions.resume(session_id, PARTNER_ID) == user
    assert await sessions.resume(session_id, "another partner") is None
    assert await sessions.resume("", PARTNER_ID) is None
    assert await sessions.resume("made-up", PARTNER_ID) is None
    world.clock.advance(LIFETIME.total_seconds())
    assert await sessions.resume(session_id, PARTNER_ID) is None


async def test_sign_out_ends_one_session_and_a_reset_all_of_the_user(world: SignInWorld) -> None:
    user, _ = world.add_user("ada@contoso.com", "right password")
    other, _ = world.add_user("grace@contoso.com", "right password")
    sessions = _sessions(world, FakeSessionStore())
    first, second, theirs = (
        await sessions.start(user),
        await sessions.start(user),
        await sessions.start(other),
    )
    await sessions.end(first)
    assert await sessions.resume(first, PARTNER_ID) is None
    assert await sessions.resume(second, PARTNER_ID) == user
    await sessions.end_sign_ins(user.id)
    assert await sessions.resume(second, PARTNER_ID) is None
    assert await sessions.resume(theirs, PARTNER_ID) == other


@pytest.mark.parametrize(
    "change",
    [
        {"roles": ("Helpdesk agent",)},
        {"roles": ("Admin agent", "Helpdesk agent")},
        {"password_hash": "another hash"},
        {"mfa": "none"},
        {"totp_secret_sealed": b"another secret"},
    ],
)
async def test_a_change_of_roles_or_credentials_ends_the_session(
    world: SignInWorld, change: dict[str, object]
) -> None:
    user, _ = world.add_user("ada@contoso.com", "right password")
    sessions = _sessions(world, FakeSessionStore())
    session_id = await sessions.start(user)
    world.directory.users[user.id] = dataclasses.replace(user, **change)  # type: ignore[arg-type]
    assert await sessions.resume(session_id, PARTNER_ID) is None


async def test_a_removed_user_has_no_session(world: SignInWorld) -> None:
    user, _ = world.add_user("ada@contoso.com", "right password")
    sessions = _sessions(world, FakeSessionStore())
    session_id = await sessions.start(user)
    del world.directory.users[user.id]
    assert await sessions.resume(session_id, PARTNER_ID) is None


async def test_starting_a_session_clears_the_user_s_expired_ones(world: SignInWorld) -> None:
    user, _ = world.add_user("ada@contoso.com", "right password")
    store = FakeSessionStore()
    sessions = _sessions(world, store)
    await sessions.start(user)
    world.clock.advance(LIFETIME.total_seconds() + 1)
    await sessions.start(user)
    assert len(store.rows) == 1
    world.clock.advance(LIFETIME.total_seconds() + 1)
    await sessions.purge()
    assert store.rows == {}
