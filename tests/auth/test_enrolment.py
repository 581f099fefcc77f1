"""Building and adding a partner's apps and users, and the sandbox's development partner."""

from __future__ import annotations

import pytest

from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_TENANT_ID,
    DEV_USER_ID,
    DEV_USER_PASSWORD_HASH,
    DEV_USER_UPN,
    ensure_development_partner,
)
from tenantry.auth.enrolment import ClientIdTaken, Enrolment, UserNameTaken
from tenantry.security.hashing import GeneratedSecretHasher
from tests.support.fakes import NOW, MemoryDatabase, PlainHasher, PlainSealer


@pytest.fixture
def enrolment() -> Enrolment:
    hasher = PlainHasher()
    return Enrolment(hasher, PlainSealer(), hash_password=hasher.hash)


def test_an_app_keeps_only_its_secret_hash(enrolment: Enrolment) -> None:
    app = enrolment.app("p1", "App", "s3cret", ("https://x/cb",))
    assert app.secret_hash == "hashed:s3cret"
    assert app.redirect_uris == ("https://x/cb",)
    other = enrolment.app("p1", "App", "s3cret")
    assert app.client_id != other.client_id  # a new client id each time, unless given
    assert enrolment.app("p1", "App", "s", client_id="given").client_id == "given"


def test_a_user_with_a_password_or_a_hash(enrolment: Enrolment) -> None:
    new = enrolment.user("p1", "agent@contoso.example", ("Admin agent",), password="pw")
    assert new.user.password_hash == "hashed:pw"
    assert new.user.display_name == "agent"
    assert (new.user.mfa, new.user.totp_secret_sealed, new.totp_uri) == ("sandbox", None, None)
    made = enrolment.user(
        "p1", "b@c.d", (), password_hash="$argon2id$…", display_name="B", user_id="u1"
    )
    assert (made.user.id, made.user.password_hash, made.user.display_name) == (
        "u1",
        "$argon2id$…",
        "B",
    )


def test_a_totp_user_gets_a_sealed_secret_and_its_uri_once(enrolment: Enrolment) -> None:
    new = enrolment.user("p1", "a@b.c", (), password="pw", mfa="totp", user_id="u1")
    assert new.user.totp_secret_sealed is not None
    secret = new.user.totp_secret_sealed.decode().removeprefix("u1:")
    assert new.totp_uri is not None
    assert f"secret={secret}" in new.totp_uri
    assert "issuer=Tenantry" in new.totp_uri


async def test_adding_refuses_taken_client_ids_and_user_names(
    enrolment: Enrolment,
) -> None:
    db = MemoryDatabase()
    async with db.uow() as work:
        await enrolment.add_app(work, enrolment.app("p1", "A", "s", client_id="c1"), NOW)
        await enrolment.add_user(work, enrolment.user("p1", "a@b.c", (), password="x").user, NOW)
        with pytest.raises(ClientIdTaken) as taken:
            await enrolment.add_app(work, enrolment.app("p2", "B", "s", client_id="c1"), NOW)
        assert taken.value.owner == "p1"
        user = enrolment.user("p2", "a@b.c", (), password="y").user
        with pytest.raises(UserNameTaken):
            await enrolment.add_user(work, user, NOW)


async def test_the_development_partner_is_created_once() -> None:
    db = MemoryDatabase()
    enrolment = Enrolment(GeneratedSecretHasher(), PlainSealer())
    assert await ensure_development_partner(db.uow, enrolment) is True
    assert await ensure_development_partner(db.uow, enrolment) is False

    tables = db.tables
    assert list(tables.partners) == [DEV_TENANT_ID]
    app = tables.apps[DEV_CLIENT_ID]
    assert GeneratedSecretHasher().verify(app.secret_hash, DEV_CLIENT_SECRET)
    user = tables.users[DEV_USER_ID]
    assert (user.user_principal_name, user.password_hash) == (DEV_USER_UPN, DEV_USER_PASSWORD_HASH)
    assert (user.display_name, user.roles, user.mfa) == (
        "Sandbox Admin Agent",
        ("Admin agent",),
        "sandbox",
    )
    assert tables.audit == []  # the development partner is not an operator's change
