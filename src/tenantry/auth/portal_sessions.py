"""The portal's sign-ins as the server keeps them, so that the server can end them.

A session is a random id that only the browser holds (in the signed session cookie); the
database keeps its SHA-256 digest, the user, an expiry and a stamp of the user's
credentials and roles at sign-in. A session is live while its row exists, has not expired,
and the user still has the stamp: sign-out deletes the row, a password reset or a removal
deletes all of the user's rows, and a change of password, second factor or roles makes the
stamp differ, so no old cookie outlives any of them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import orjson

from tenantry.domain.clock import Clock
from tenantry.domain.models import PartnerUser
from tenantry.domain.ports import UnitOfWorkFactory

LIFETIME = timedelta(hours=8)


@dataclass(frozen=True)
class StoredSession:
    user_id: str
    user_stamp: str
    expires_at: datetime


class SessionStore(Protocol):
    """Where the sessions' digests live (`storage/portal_session_repository.py`)."""

    async def add(self, id_digest: str, session: StoredSession, created_at: datetime) -> None: ...

    async def find(self, id_digest: str) -> StoredSession | None: ...

    async def remove(self, id_digest: str) -> None: ...

    async def remove_user(self, user_id: str, *, expired_before: datetime | None = None) -> None:
        """Every session of the user; with `expired_before`, only those expired by then."""
        ...

    async def remove_expired(self, before: datetime) -> None: ...


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def user_stamp(user: PartnerUser) -> str:
    """Changes whenever the user's partner, password, second factor or roles change."""
    material = [user.partner_id, user.password_hash, user.mfa, sorted(user.roles)]
    if user.totp_secret_sealed is not None:
        material.append(hashlib.sha256(user.totp_secret_sealed).hexdigest())
    return hashlib.sha256(orjson.dumps(material)).hexdigest()


class PortalSessions:
    def __init__(
        self,
        store: SessionStore,
        uow: UnitOfWorkFactory,
        clock: Clock,
        lifetime: timedelta = LIFETIME,
    ) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self.lifetime = lifetime

    async def start(self, user: PartnerUser) -> str:
        """A new session of `user`; its id, which only the browser keeps."""
        now = self._clock.now()
        session_id = secrets.token_urlsafe(32)
        await self._store.remove_user(user.id, expired_before=now)
        stored = StoredSession(user.id, user_stamp(user), now + self.lifetime)
        await self._store.add(_digest(session_id), stored, now)
        return session_id

    async def resume(self, session_id: str, partner_id: str) -> PartnerUser | None:
        """The user of a live session of `partner_id`; None once it ended in any way."""
        if not session_id:
            return None
        stored = await self._store.find(_digest(session_id))
        if stored is None or stored.expires_at <= self._clock.now():
            return None
        async with self._uow() as work:
            user = await work.partners.get_user_by_id(stored.user_id)
        if user is None or user.partner_id != partner_id or user_stamp(user) != stored.user_stamp:
            return None
        return user

    async def end(self, session_id: str) -> None:
        """Sign-out: this session's cookie no longer signs anyone in."""
        await self._store.remove(_digest(session_id))

    async def end_sign_ins(self, user_id: str) -> None:
        """Every session of the user ends (password reset, removal)."""
        await self._store.remove_user(user_id)

    async def purge(self) -> None:
        """Forgets the sessions that have expired (the server's periodic clean-up)."""
        await self._store.remove_expired(self._clock.now())
