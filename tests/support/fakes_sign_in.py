"""In-memory stand-ins for what `SignInService` needs: partner users and apps, a hit counter
for failed attempts, a clock, and the signers of the sign-in tokens. No HTTP, no database."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType

import pyotp

from tenantry.auth.second_factor import SANDBOX, SecondFactor
from tenantry.auth.sign_in import SignInService
from tenantry.domain.models import AppRegistration, PartnerUser
from tenantry.security.passwords import hash_password
from tenantry.security.sealing import Sealer
from tenantry.security.tamper import TamperProof

NOW = datetime(2026, 11, 21, 12, 0, 30, tzinfo=UTC)
PARTNER_ID = "11111111-1111-4111-8111-111111111111"
OTHER_PARTNER_ID = "22222222-2222-4222-8222-222222222222"
CLIENT_ID = "33333333-3333-4333-8333-333333333333"
OTHER_CLIENT_ID = "44444444-4444-4444-8444-444444444444"


@dataclass
class Directory:
    """The partner users and apps the fake transactions read."""

    users: dict[str, PartnerUser] = field(default_factory=dict)
    apps: dict[str, AppRegistration] = field(default_factory=dict)
    reads: int = 0  # transactions opened, to show which outcomes read nothing


class FakePartners:
    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    async def get_user(self, user_principal_name: str) -> PartnerUser | None:
        wanted = user_principal_name.lower()
        found = (
            u for u in self._directory.users.values() if u.user_principal_name.lower() == wanted
        )
        return next(found, None)

    async def get_user_by_id(self, user_id: str) -> PartnerUser | None:
        return self._directory.users.get(user_id)

    async def get_app(self, client_id: str) -> AppRegistration | None:
        return self._directory.apps.get(client_id)


class FakeWork:
    """A read-only transaction over the directory (the sign-in never writes)."""

    def __init__(self, directory: Directory) -> None:
        self.partners = FakePartners(directory)
        directory.reads += 1

    async def __aenter__(self) -> FakeWork:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        return None


class FakeHitCounter:
    """Hits by (key, resource, window start), as `SqlHitCounter` counts them."""

    def __init__(self) -> None:
        self.hits: Counter[tuple[str, str, int]] = Counter()

    async def hit(self, partner_id: str, resource: str, window_start: int, n: int = 1) -> int:
        key = (partner_id, resource, window_start)
        self.hits[key] += n
        total = self.hits[key]
        if total == 0:  # an attempt given back leaves nothing counted
            del self.hits[key]
        return total

    async def count(self, partner_id: str, resource: str, window_start: int) -> int:
        return self.hits[(partner_id, resource, window_start)]


class FakeCodeSteps:
    """The last accepted code step per user, as `SqlCodeSteps` keeps it."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    async def accept(self, user_id: str, step: int) -> bool:
        if self.last.get(user_id, -1) >= step:
            return False
        self.last[user_id] = step
        return True


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


def signer() -> TamperProof:
    """A signer as the runtime makes them, under a fresh random key."""
    return TamperProof(secrets.token_bytes(32), max_length=16384)


def sealer() -> Sealer:
    return Sealer(secrets.token_bytes(32))


@dataclass
class SignInWorld:
    """A sign-in service over fakes, and the means to add users and apps to it."""

    directory: Directory
    counter: FakeHitCounter
    clock: FakeClock
    second_factor: SecondFactor
    service: SignInService

    def add_user(
        self,
        upn: str,
        password: str,
        *,
        mfa: str = SANDBOX,
        partner_id: str = PARTNER_ID,
    ) -> tuple[PartnerUser, str | None]:
        """The user, and their TOTP secret when `mfa` is "totp"."""
        user_id = f"user-{len(self.directory.users) + 1}"
        secret = pyotp.random_base32() if mfa == "totp" else None
        user = PartnerUser(
            id=user_id,
            partner_id=partner_id,
            user_principal_name=upn,
            display_name=upn.split("@")[0],
            password_hash=hash_password(password),
            roles=("Admin agent",),
            mfa=mfa,
            totp_secret_sealed=None if secret is None else self.second_factor.seal(secret, user_id),
        )
        self.directory.users[user_id] = user
        return user, secret

    def add_app(self, client_id: str = CLIENT_ID, partner_id: str = PARTNER_ID) -> None:
        self.directory.apps[client_id] = AppRegistration(
            client_id, partner_id, "Test app", "unused-secret-hash"
        )


def sign_in_world(*, sandbox: bool = True) -> SignInWorld:
    directory = Directory()
    counter = FakeHitCounter()
    clock = FakeClock()
    second_factor = SecondFactor(sealer(), sandbox=sandbox)
    service = SignInService(
        lambda: FakeWork(directory), counter, second_factor, clock, FakeCodeSteps()
    )
    return SignInWorld(directory, counter, clock, second_factor, service)
