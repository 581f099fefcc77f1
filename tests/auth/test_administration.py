"""The operator's use cases against in-memory ports: no HTTP, no database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.auth import second_factor
from tenantry.auth.administration import PartnerAdministration
from tenantry.auth.enrolment import Enrolment
from tenantry.auth.errors import AdministrationError
from tenantry.domain.audit import OPERATOR, Action, Actor
from tenantry.domain.models import PartnershipState, PartnerType
from tests.support.fakes import (
    NOW,
    FakeClock,
    MemoryDatabase,
    PlainHasher,
    PlainSealer,
    RecordedSignIns,
)

ACTOR = Actor(OPERATOR, "ops")
TENANT = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def db() -> MemoryDatabase:
    return MemoryDatabase()


@pytest.fixture
def sign_ins() -> RecordedSignIns:
    return RecordedSignIns()


def administration(
    db: MemoryDatabase, sign_ins: RecordedSignIns | None = None, *, sandbox: bool = False
) -> PartnerAdministration:
    hasher = PlainHasher()
    enrolment = Enrolment(hasher, PlainSealer(), hash_password=hasher.hash)
    return PartnerAdministration(
        db.uow,
        FakeClock(),
        enrolment,
        sign_ins or RecordedSignIns(),
        sandbox=sandbox,
        new_secret=lambda: "generated-secret",
        new_password=lambda: "generated-password",
    )


@pytest.fixture
def admin(db: MemoryDatabase, sign_ins: RecordedSignIns) -> PartnerAdministration:
    return administration(db, sign_ins)


async def partner(
    admin: PartnerAdministration,
    partner_type: PartnerType = PartnerType.DIRECT_BILL,
    tenant_id: str | None = TENANT,
) -> str:
    created = await admin.create_partner(" Contoso ", partner_type, "us", tenant_id, actor=ACTOR)
    return created.tenant_id


async def test_create_partner_is_stored_and_audited(
    admin: PartnerAdministration, db: MemoryDatabase
) -> None:
    created = await admin.create_partner(
        " Contoso ", PartnerType.DIRECT_BILL, "us", TENANT.upper(), actor=ACTOR
    )

    assert (created.tenant_id, created.name, created.country) == (TENANT, "Contoso", "US")
    assert db.tables.partners[TENANT] == created
    (event,) = db.tables.audit
    assert event.action == Action.PARTNER_CREATED
    assert (event.actor_type, event.actor_id, event.occurred_at) == (OPERATOR, "ops", NOW)
    assert event.details == {"name": "Contoso", "type": "direct_bill", "country": "US"}
    assert await admin.list_partners() == [created]


@pytest.mark.parametrize(
    ("name", "country", "tenant_id", "message"),
    [
        ("X", "UK", None, "'UK' is not a country code Partner Center knows"),
        ("X", "US", "not-a-guid", "'not-a-guid' is not a GUID"),
        ("  ", "US", None, "the partner needs a name"),
    ],
)
async def test_create_partner_refusals(
    admin: PartnerAdministration,
    db: MemoryDatabase,
    name: str,
    country: str,
    tenant_id: str | None,
    message: str,
) -> None:
    with pytest.raises(AdministrationError, match=message):
        await admin.create_partner(name, PartnerType.DIRECT_BILL, country, tenant_id, actor=ACTOR)
    assert db.tables.partners == {}
    assert db.tables.audit == []


async def test_a_tenant_id_is_registered_once(admin: PartnerAdministration) -> None:
    await partner(admin)
    with pytest.raises(AdministrationError, match=f"tenant id {TENANT} already exists"):
        await partner(admin)


async def test_add_app_issues_a_secret_that_only_its_hash_keeps(
    admin: PartnerAdministration, db: MemoryDatabase
) -> None:
    tenant_id = await partner(admin)
    uris = ("https://app.example/cb", "http://127.0.0.1:8400/")
    issued = await admin.add_app(tenant_id, "Provisioning", uris, actor=ACTOR)

    app = db.tables.apps[issued.identifier]
    assert issued.secret == "generated-secret"
    assert app.secret_hash == "hashed:generated-secret"
    assert (app.partner_id, app.display_name, app.redirect_uris) == (
        tenant_id,
        "Provisioning",
        uris,
    )
    event = db.tables.audit[-1]
    assert (event.action, event.target_id) == (Action.APP_ADDED, issued.identifier)
    assert event.details == {"displayName": "Provisioning", "redirectUris": list(uris)}


@pytest.mark.parametrize(
    "uri", ["http://app.example/cb", "https://app.example/cb#x", "ftp://x", "https://"]
)
async def test_add_app_refuses_redirect_uris_a_browser_must_not_use(
    admin: PartnerAdministration, db: MemoryDatabase, uri: str
) -> None:
    tenant_id = await partner(admin)
    with pytest.raises(AdministrationError, match="is not a redirect URI"):
        await admin.add_app(tenant_id, "App", (uri,), actor=ACTOR)
    assert db.tables.apps == {}


@pytest.mark.parametrize("tenant_id", ["00000000-0000-0000-0000-000000000000", "not-a-guid"])
async def test_add_app_needs_a_partner(admin: PartnerAdministration, tenant_id: str) -> None:
    with pytest.raises(AdministrationError, match="there is no partner with tenant id"):
        await admin.add_app(tenant_id, "App", actor=ACTOR)


async def test_rotate_secret_keeps_the_old_one_for_the_overlap(
    admin: PartnerAdministration, db: MemoryDatabase
) -> None:
    tenant_id = await partner(admin)
    first = await admin.add_app(tenant_id, "App", actor=ACTOR)
    rotated = await administration(db).rotate_secret(
        first.identifier.upper(), timedelta(hours=2), actor=ACTOR
    )

    app = db.tables.apps[first.identifier]
    assert rotated.identifier == first.identifier
    assert app.previous_secret_hash == "hashed:generated-secret"
    assert app.previous_secret_expires_at == NOW + timedelta(hours=2)
    event = db.tables.audit[-1]
    assert event.action == Action.APP_SECRET_ROTATED
    assert event.details == {"previousSecretValidUntil": (NOW + timedelta(hours=2)).isoformat()}


@pytest.mark.parametrize(
    ("client_id", "overlap", "message"),
    [
        ("nope", timedelta(0), "'nope' is not a client id"),
        ("00000000-0000-0000-0000-000000000000", timedelta(-1), "cannot be negative"),
        ("00000000-0000-0000-0000-000000000000", timedelta(0), "there is no app with client id"),
    ],
)
async def test_rotate_secret_refusals(
    admin: PartnerAdministration, client_id: str, overlap: timedelta, message: str
) -> None:
    with pytest.raises(AdministrationError, match=message):
        await admin.rotate_secret(client_id, overlap, actor=ACTOR)


async def test_add_user_in_production_defaults_to_totp(db: MemoryDatabase) -> None:
    admin = administration(db, sandbox=False)
    tenant_id = await partner(admin)
    issued = await admin.add_user(
        tenant_id, "agent@contoso.example", ("Admin agent",), None, actor=ACTOR
    )

    user = db.tables.users[issued.identifier]
    assert issued.secret == "generated-password"
    assert user.password_hash == "hashed:generated-password"
    assert (user.mfa, user.display_name, user.roles) == ("totp", "agent", ("Admin agent",))
    assert user.totp_secret_sealed is not None
    assert user.totp_secret_sealed.startswith(f"{user.id}:".encode())
    assert issued.totp_uri is not None
    assert issued.totp_uri.startswith("otpauth://totp/")
    event = db.tables.audit[-1]
    assert event.action == Action.USER_ADDED
    assert event.details == {
        "userPrincipalName": "agent@contoso.example",
        "roles": ["Admin agent"],
        "mfa": "totp",
    }


async def test_add_user_in_the_sandbox_with_a_given_password(db: MemoryDatabase) -> None:
    admin = administration(db, sandbox=True)
    tenant_id = await partner(admin)
    issued = await admin.add_user(tenant_id, "a@b.c", (), "twelve chars!", actor=ACTOR)

    user = db.tables.users[issued.identifier]
    assert issued.secret is None  # given, so never echoed
    assert issued.totp_uri is None
    assert (user.mfa, user.totp_secret_sealed) == (second_factor.SANDBOX, None)


@pytest.mark.parametrize(
    ("upn", "password", "mfa", "message"),
    [
        ("a@b.c", "short", None, "at least 12"),
        ("no-at-sign", None, None, "is not a user principal name"),
        ("a@b.c", None, "sandbox", "--mfa sandbox exists only in sandbox mode"),
        ("a@b.c", None, "sms", "--mfa must be one of totp, sandbox, none"),
    ],
)
async def test_add_user_refusals(
    admin: PartnerAdministration,
    db: MemoryDatabase,
    upn: str,
    password: str | None,
    mfa: str | None,
    message: str,
) -> None:
    tenant_id = await partner(admin)
    with pytest.raises(AdministrationError, match=message):
        await admin.add_user(tenant_id, upn, (), password, mfa, actor=ACTOR)
    assert db.tables.users == {}


async def test_a_user_name_is_taken_once(admin: PartnerAdministration) -> None:
    tenant_id = await partner(admin)
    await admin.add_user(tenant_id, "a@b.c", (), None, "none", actor=ACTOR)
    with pytest.raises(AdministrationError, match=r"the user A@b\.c already exists"):
        await admin.add_user(tenant_id, "A@b.c", (), None, "none", actor=ACTOR)


async def test_reset_user_ends_sign_ins_then_replaces_credentials(
    admin: PartnerAdministration, db: MemoryDatabase, sign_ins: RecordedSignIns
) -> None:
    tenant_id = await partner(admin)
    added = await admin.add_user(tenant_id, "a@b.c", (), "first password!", "none", actor=ACTOR)
    reset = await admin.reset_user("a@b.c", None, "totp", actor=ACTOR)

    user = db.tables.users[added.identifier]
    assert sign_ins.ended == [added.identifier]
    assert reset.secret == "generated-password"
    assert (user.password_hash, user.mfa) == ("hashed:generated-password", "totp")
    assert reset.totp_uri is not None
    assert user.totp_secret_sealed is not None
    event = db.tables.audit[-1]
    assert event.action == Action.USER_CREDENTIALS_RESET
    assert event.details == {"userPrincipalName": "a@b.c", "mfa": "totp"}


async def test_reset_user_keeps_the_method_unless_told(
    admin: PartnerAdministration, db: MemoryDatabase
) -> None:
    tenant_id = await partner(admin)
    added = await admin.add_user(tenant_id, "a@b.c", (), None, "none", actor=ACTOR)
    await admin.reset_user("a@b.c", "a new long password", actor=ACTOR)
    assert db.tables.users[added.identifier].mfa == "none"


async def test_reset_user_refusals(admin: PartnerAdministration, sign_ins: RecordedSignIns) -> None:
    with pytest.raises(AdministrationError, match=r"there is no partner user 'x@y\.z' here"):
        await admin.reset_user("x@y.z", None, actor=ACTOR)
    tenant_id = await partner(admin)
    await admin.add_user(tenant_id, "a@b.c", (), None, "none", actor=ACTOR)
    with pytest.raises(AdministrationError, match="at least 12"):
        await admin.reset_user("a@b.c", "short", actor=ACTOR)
    assert sign_ins.ended == []  # refused before anything changed


async def test_link_reseller(admin: PartnerAdministration, db: MemoryDatabase) -> None:
    provider = await partner(admin, PartnerType.INDIRECT_PROVIDER, None)
    reseller = await partner(admin, PartnerType.INDIRECT_RESELLER, None)
    ship = await admin.link_reseller(provider, reseller, active=False, actor=ACTOR)

    assert ship.state is PartnershipState.INACTIVE
    assert db.tables.partnerships[(provider, reseller)] == ship
    event = db.tables.audit[-1]
    assert (event.action, event.target_id) == (
        Action.PARTNERSHIP_LINKED,
        f"{provider}:{reseller}",
    )
    with pytest.raises(AdministrationError, match="already have a partnership"):
        await admin.link_reseller(provider, reseller, active=True, actor=ACTOR)


async def test_link_reseller_checks_the_partner_types(admin: PartnerAdministration) -> None:
    direct = await partner(admin)
    reseller = await partner(admin, PartnerType.INDIRECT_RESELLER, None)
    provider = await partner(admin, PartnerType.INDIRECT_PROVIDER, None)
    with pytest.raises(AdministrationError, match="Contoso is not an indirect provider"):
        await admin.link_reseller(direct, reseller, active=True, actor=ACTOR)
    with pytest.raises(AdministrationError, match="Contoso is not an indirect reseller"):
        await admin.link_reseller(provider, direct, active=True, actor=ACTOR)
