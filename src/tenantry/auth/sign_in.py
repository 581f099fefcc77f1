"""Checking a partner user's sign-in: password, attempts limit, second factor.

Shared by the OAuth sign-in page and the portal's own sign-in. Failed attempts are counted
per user name and minute in the database, so every node enforces one limit.
"""

from __future__ import annotations

import hashlib
import time
from typing import Protocol

from tenantry.domain.models import PartnerUser
from tenantry.domain.ports import UnitOfWorkFactory
from tenantry.security.passwords import verify_password

FAILURES_PER_MINUTE = 5
_NAME_MAX = 128


class HitCounter(Protocol):
    async def hit(self, partner_id: str, resource: str, window_start: int) -> int: ...

    async def count(self, partner_id: str, resource: str, window_start: int) -> int: ...


class Attempts:
    """Failed sign-ins of one user name in the current minute."""

    def __init__(self, counter: HitCounter, username: str) -> None:
        self._counter = counter
        self._key = hashlib.sha256(username.casefold().encode()).hexdigest()[:36]
        now = int(time.time())
        self._window = now - now % 60

    async def exhausted(self) -> bool:
        return await self._counter.count(self._key, "sign-in", self._window) >= FAILURES_PER_MINUTE

    async def failed(self) -> None:
        await self._counter.hit(self._key, "sign-in", self._window)


async def find_user(uow: UnitOfWorkFactory, username: str) -> PartnerUser | None:
    """The partner user with this sign-in name, if the name is a plausible one."""
    if not username or len(username) > _NAME_MAX or not username.isprintable():
        return None
    async with uow() as work:
        return await work.partners.get_user(username)


async def check_password(
    uow: UnitOfWorkFactory, username: str, password: str
) -> PartnerUser | None:
    """The user if the password is theirs. The hash is checked even for an unknown name,
    so that timing does not tell which names exist."""
    user = await find_user(uow, username)
    genuine = verify_password(user.password_hash if user else None, password)
    return user if user is not None and genuine else None
