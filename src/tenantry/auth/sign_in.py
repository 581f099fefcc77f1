"""Checking a partner user's sign-in: password, attempts limit, second factor.

One service for the OAuth sign-in page and the portal's own sign-in: the pages parse their
forms, call it and render the typed outcome. Attempts are counted per user name and minute
in the database, so every node enforces one limit, and counted before anything is checked
(one atomic increment): of any number of attempts fired at once, at most
`FAILURES_PER_MINUTE` reach a password or a code. A right one gives its count back, so the
limit is on failures. A one-time code is accepted once (RFC 6238, section 5.2): the time
step of the last accepted code is kept per user.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from tenantry.domain.clock import Clock
from tenantry.domain.models import PartnerUser
from tenantry.domain.ports import UnitOfWorkFactory
from tenantry.security.passwords import verify_password

FAILURES_PER_MINUTE = 5
_NAME_MAX = 128


class HitCounter(Protocol):
    async def hit(self, partner_id: str, resource: str, window_start: int, n: int = 1) -> int: ...


class CodeSteps(Protocol):
    """The last accepted code step per user (`storage/code_step_repository.py`)."""

    async def accept(self, user_id: str, step: int) -> bool:
        """Records `step`; False when it, or a later one, was accepted already."""
        ...


class CodeChecker(Protocol):
    """The second factor as the sign-in needs it (`tenantry.auth.second_factor`)."""

    def needs_code(self, method: str) -> bool: ...

    def vouched(self, method: str) -> bool: ...

    def matched_step(self, sealed: bytes | None, user_id: str, code: str) -> int | None: ...


class Attempts:
    """Sign-in attempts of one user name in the minute of `now` (seconds since the epoch)."""

    def __init__(self, counter: HitCounter, username: str, now: int) -> None:
        self._counter = counter
        self._key = hashlib.sha256(username.casefold().encode()).hexdigest()[:36]
        self._window = now - now % 60

    async def take(self) -> bool:
        """Counts this attempt before anything is checked; False when it is beyond the limit
        (the minute's failures and the attempts in flight)."""
        return await self._counter.hit(self._key, "sign-in", self._window) <= FAILURES_PER_MINUTE

    async def succeeded(self) -> None:
        """A right password or code gives its attempt back."""
        await self._counter.hit(self._key, "sign-in", self._window, -1)


@dataclass(frozen=True)
class TooManyAttempts:
    """`username` used up its failed attempts of this minute; nothing was checked."""

    username: str


@dataclass(frozen=True)
class WrongPassword:
    """No such user, a wrong password, or a user of another partner than the app's."""


@dataclass(frozen=True)
class CodeRequired:
    """The password is right; the user's one-time code comes next (`check_code`)."""

    user: PartnerUser


@dataclass(frozen=True)
class PasswordOnly:
    """The password is right and no second factor is asked: a sign-in without MFA (the
    user's `mfa` is "none", or "sandbox" outside the sandbox). The OAuth page issues tokens
    without the MFA claim; the portal, which needs MFA as the API does, refuses it."""

    user: PartnerUser


@dataclass(frozen=True)
class WrongCode:
    """The one-time code is not the user's current one."""

    user: PartnerUser


@dataclass(frozen=True)
class UserGone:
    """The user of a pending code step no longer exists."""


@dataclass(frozen=True)
class SignedIn:
    """The user is signed in with multi-factor authentication (a right code, or the
    sandbox vouching for the second factor)."""

    user: PartnerUser


PasswordOutcome = TooManyAttempts | WrongPassword | CodeRequired | PasswordOnly | SignedIn
CodeOutcome = UserGone | TooManyAttempts | WrongCode | SignedIn


class SignInService:
    """The steps of a partner user's sign-in, each returning what happened."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        counter: HitCounter,
        second_factor: CodeChecker,
        clock: Clock,
        code_steps: CodeSteps,
    ) -> None:
        self._uow = uow
        self._counter = counter
        self._second_factor = second_factor
        self._clock = clock
        self._code_steps = code_steps

    def _attempts(self, username: str) -> Attempts:
        return Attempts(self._counter, username, int(self._clock.now().timestamp()))

    async def check_password(
        self,
        username: str,
        password: str,
        *,
        client_id: str | None = None,
    ) -> PasswordOutcome:
        """The password step. With `client_id`, only users of the partner that registered
        that app may sign in."""
        attempts = self._attempts(username)
        if not await attempts.take():
            return TooManyAttempts(username)
        user, app_partner = await self._user_and_app_partner(username, client_id)
        # The hash is checked even for an unknown name, so that timing does not tell which
        # names exist.
        genuine = verify_password(user.password_hash if user else None, password)
        if (
            user is None
            or not genuine
            or (client_id is not None and user.partner_id != app_partner)
        ):
            return WrongPassword()
        await attempts.succeeded()
        if self._second_factor.needs_code(user.mfa):
            return CodeRequired(user)
        if self._second_factor.vouched(user.mfa):
            return SignedIn(user)
        return PasswordOnly(user)

    async def check_code(self, user_id: str, code: str) -> CodeOutcome:
        """The code step, for the user whose password `check_password` accepted."""
        async with self._uow() as work:
            user = await work.partners.get_user_by_id(user_id)
        if user is None:
            return UserGone()
        attempts = self._attempts(user.user_principal_name)
        if not await attempts.take():
            return TooManyAttempts(user.user_principal_name)
        step = self._second_factor.matched_step(user.totp_secret_sealed, user.id, code)
        # A code already used (by this sign-in or another) counts as a wrong one.
        if step is None or not await self._code_steps.accept(user.id, step):
            return WrongCode(user)
        await attempts.succeeded()
        return SignedIn(user)

    async def signed_in_user(self, user_id: str, partner_id: str) -> PartnerUser | None:
        """The user of a session, if they still exist and still belong to the partner."""
        async with self._uow() as work:
            user = await work.partners.get_user_by_id(user_id)
        return user if user is not None and user.partner_id == partner_id else None

    async def _user_and_app_partner(
        self, username: str, client_id: str | None
    ) -> tuple[PartnerUser | None, str | None]:
        if not username or len(username) > _NAME_MAX or not username.isprintable():
            return None, None
        async with self._uow() as work:
            user = await work.partners.get_user(username)
            app = await work.partners.get_app(client_id) if client_id is not None else None
        return user, None if app is None else app.partner_id
