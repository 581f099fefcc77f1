"""The sign-in steps against in-memory fakes: password, attempts limit, second factor."""

from __future__ import annotations

import pyotp
import pytest

from tenantry.auth.second_factor import NONE, SANDBOX, TOTP
from tenantry.auth.sign_in import (
    FAILURES_PER_MINUTE,
    CodeRequired,
    PasswordOnly,
    SignedIn,
    TooManyAttempts,
    UserGone,
    WrongCode,
    WrongPassword,
)
from tests.support.fakes_sign_in import (
    CLIENT_ID,
    OTHER_CLIENT_ID,
    OTHER_PARTNER_ID,
    PARTNER_ID,
    SignInWorld,
    sign_in_world,
)

UPN = "ada@contoso.onmicrosoft.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def world() -> SignInWorld:
    return sign_in_world()


def _wrong_code(secret: str) -> str:
    return "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"


async def test_a_right_password_signs_in_a_user_the_sandbox_vouches_for(
    world: SignInWorld,
) -> None:
    user, _ = world.add_user(UPN, PASSWORD, mfa=SANDBOX)
    assert await world.service.check_password(UPN, PASSWORD) == SignedIn(user)
    # User names are matched without regard to case, as Entra ID does.
    assert await world.service.check_password(UPN.upper(), PASSWORD) == SignedIn(user)
    assert not world.counter.hits


async def test_a_user_without_a_second_factor_signs_in_with_the_password_only() -> None:
    world = sign_in_world()
    none, _ = world.add_user(UPN, PASSWORD, mfa=NONE)
    assert await world.service.check_password(UPN, PASSWORD) == PasswordOnly(none)
    production = sign_in_world(sandbox=False)  # outside the sandbox, it vouches for no one
    sandboxed, _ = production.add_user(UPN, PASSWORD, mfa=SANDBOX)
    assert await production.service.check_password(UPN, PASSWORD) == PasswordOnly(sandboxed)


async def test_a_totp_user_signs_in_with_the_current_code(world: SignInWorld) -> None:
    user, secret = world.add_user(UPN, PASSWORD, mfa=TOTP)
    assert secret is not None
    assert await world.service.check_password(UPN, PASSWORD) == CodeRequired(user)
    assert await world.service.check_code(user.id, _wrong_code(secret)) == WrongCode(user)
    assert sum(world.counter.hits.values()) == 1
    assert await world.service.check_code(user.id, "not a code") == WrongCode(user)
    assert await world.service.check_code(user.id, pyotp.TOTP(secret).now()) == SignedIn(user)


@pytest.mark.parametrize("password", ["wrong password", "", PASSWORD.upper()])
async def test_a_wrong_password_is_refused_and_counted(world: SignInWorld, password: str) -> None:
    world.add_user(UPN, PASSWORD)
    assert await world.service.check_password(UPN, password) == WrongPassword()
    assert sum(world.counter.hits.values()) == 1


async def test_an_unknown_name_is_refused_like_a_wrong_password(world: SignInWorld) -> None:
    world.add_user(UPN, PASSWORD)
    assert await world.service.check_password("nobody@contoso.com", PASSWORD) == WrongPassword()
    assert sum(world.counter.hits.values()) == 1


@pytest.mark.parametrize("name", ["", "x" * 129 + "@contoso.com", "ada\n@contoso.com"])
async def test_implausible_names_are_refused_without_a_lookup(
    world: SignInWorld, name: str
) -> None:
    assert await world.service.check_password(name, PASSWORD) == WrongPassword()
    assert world.directory.reads == 0


async def test_failed_attempts_are_limited_per_name_and_minute(world: SignInWorld) -> None:
    user, _ = world.add_user(UPN, PASSWORD)
    for _ in range(FAILURES_PER_MINUTE):
        assert await world.service.check_password(UPN, "wrong") == WrongPassword()
    reads = world.directory.reads
    # The right password, but too late: nothing is even looked up.
    assert await world.service.check_password(UPN, PASSWORD) == TooManyAttempts(UPN)
    assert await world.service.check_password(UPN.upper(), PASSWORD) == TooManyAttempts(UPN.upper())
    assert world.directory.reads == reads
    other, _ = world.add_user("grace@contoso.onmicrosoft.com", PASSWORD)
    assert await world.service.check_password(other.user_principal_name, PASSWORD) == SignedIn(
        other
    )
    world.clock.advance(60)  # the next minute starts afresh
    assert await world.service.check_password(UPN, PASSWORD) == SignedIn(user)


async def test_wrong_codes_use_up_the_same_attempts(world: SignInWorld) -> None:
    user, secret = world.add_user(UPN, PASSWORD, mfa=TOTP)
    assert secret is not None
    for _ in range(FAILURES_PER_MINUTE):
        assert await world.service.check_code(user.id, _wrong_code(secret)) == WrongCode(user)
    now = pyotp.TOTP(secret).now()
    assert await world.service.check_code(user.id, now) == TooManyAttempts(UPN)
    assert await world.service.check_password(UPN, PASSWORD) == TooManyAttempts(UPN)


async def test_the_code_step_of_a_removed_user_ends(world: SignInWorld) -> None:
    user, _ = world.add_user(UPN, PASSWORD, mfa=TOTP)
    del world.directory.users[user.id]
    assert await world.service.check_code(user.id, "123456") == UserGone()
    assert not world.counter.hits


async def test_with_an_app_only_its_partners_users_sign_in(world: SignInWorld) -> None:
    world.add_app(CLIENT_ID, PARTNER_ID)
    world.add_app(OTHER_CLIENT_ID, OTHER_PARTNER_ID)
    user, _ = world.add_user(UPN, PASSWORD)
    service = world.service
    assert await service.check_password(UPN, PASSWORD, client_id=CLIENT_ID) == SignedIn(user)
    assert await service.check_password(UPN, PASSWORD, client_id=OTHER_CLIENT_ID) == (
        WrongPassword()
    )
    assert await service.check_password(UPN, PASSWORD, client_id="no-such-app") == (WrongPassword())
    assert sum(world.counter.hits.values()) == 2


async def test_a_session_names_a_user_of_its_partner_only(world: SignInWorld) -> None:
    user, _ = world.add_user(UPN, PASSWORD)
    assert await world.service.signed_in_user(user.id, PARTNER_ID) == user
    assert await world.service.signed_in_user(user.id, OTHER_PARTNER_ID) is None
    assert await world.service.signed_in_user("user-gone", PARTNER_ID) is None
