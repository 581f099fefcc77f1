"""Who asks for a token: the client app (secret and rotation overlap) and the partner user."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from tenantry.auth.ports import SignIn
from tenantry.auth.token_requests import (
    InvalidClientSecret,
    TokenRequests,
    UnknownClient,
    UserRejected,
)
from tenantry.domain.models import AppRegistration, PartnerUser
from tenantry.security.passwords import hash_password
from tests.support.fakes import NOW, FakeClock, MemoryDatabase, PlainHasher

TENANT = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"
CLIENT = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
APP = AppRegistration(CLIENT, TENANT, "App", "hashed:current")
USER = PartnerUser("u1", TENANT, "agent@contoso.example", "Agent", "", ("Admin agent",))


@pytest.fixture
def db() -> MemoryDatabase:
    db = MemoryDatabase()
    db.tables.apps[CLIENT] = APP
    db.tables.users[USER.id] = dataclasses.replace(
        USER, password_hash=hash_password("right password")
    )
    return db


@pytest.fixture
def hasher() -> PlainHasher:
    return PlainHasher()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def requests(db: MemoryDatabase, hasher: PlainHasher, clock: FakeClock) -> TokenRequests:
    return TokenRequests(db.uow, hasher, clock)


@pytest.mark.parametrize(
    ("client_id", "tenant", "found"),
    [
        (CLIENT, TENANT, True),
        (CLIENT.upper(), TENANT.upper(), True),
        (CLIENT, "common", True),
        (CLIENT, "Organizations", True),
        (CLIENT, OTHER, False),  # an app is found in its own tenant only
        (CLIENT, "contoso.onmicrosoft.com", False),
        ("not-a-guid", TENANT, False),
        (OTHER, TENANT, False),
    ],
)
async def test_find_app(requests: TokenRequests, client_id: str, tenant: str, found: bool) -> None:
    assert (await requests.find_app(client_id, tenant) == APP) is found


async def test_the_current_secret_authenticates(requests: TokenRequests) -> None:
    assert await requests.authenticate_client(CLIENT, "current", TENANT) == APP


async def test_a_public_client_may_send_no_secret(requests: TokenRequests) -> None:
    assert await requests.authenticate_client(CLIENT, "", TENANT) == APP


async def test_a_wrong_secret_is_refused(requests: TokenRequests) -> None:
    with pytest.raises(InvalidClientSecret) as refused:
        await requests.authenticate_client(CLIENT, "wrong", TENANT)
    assert (refused.value.aadsts, refused.value.description) == (
        7000215,
        "Invalid client secret provided.",
    )


async def test_an_unknown_app_is_refused_after_the_same_work(
    requests: TokenRequests, hasher: PlainHasher
) -> None:
    with pytest.raises(UnknownClient) as refused:
        await requests.authenticate_client(CLIENT, "current", OTHER)
    assert refused.value.aadsts == 700016
    assert refused.value.description == (
        f"Application '{CLIENT}' was not found in tenant '{OTHER}'."
    )
    assert hasher.verified == 2  # as many hashes as for a known app: timing tells nothing


async def test_the_previous_secret_works_until_the_overlap_ends(
    requests: TokenRequests, db: MemoryDatabase, clock: FakeClock, hasher: PlainHasher
) -> None:
    db.tables.apps[CLIENT] = dataclasses.replace(
        APP,
        previous_secret_hash="hashed:previous",
        previous_secret_expires_at=NOW + timedelta(hours=1),
    )
    assert (await requests.authenticate_client(CLIENT, "previous", TENANT)).client_id == CLIENT
    assert hasher.verified == 2
    clock.advance(timedelta(hours=1))
    with pytest.raises(InvalidClientSecret):
        await requests.authenticate_client(CLIENT, "previous", TENANT)
    assert (await requests.authenticate_client(CLIENT, "current", TENANT)).client_id == CLIENT


async def test_signed_in_user(requests: TokenRequests) -> None:
    sign_in = SignIn(CLIENT, TENANT, USER.id, "https://api.partnercenter.microsoft.com", "", True)
    assert (await requests.signed_in_user(sign_in)).id == USER.id
    for gone in (
        dataclasses.replace(sign_in, user_id="u2"),
        dataclasses.replace(sign_in, partner_id=OTHER),
    ):
        with pytest.raises(UserRejected) as refused:
            await requests.signed_in_user(gone)
        assert refused.value.aadsts == 50034
