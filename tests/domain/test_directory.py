"""What a partner reads about a customer's tenant (`DirectoryService`): its users, its GDAP
relationships with the partner, its indirect resellers, and the partner's partnerships."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from tenantry.domain.directory import DirectoryService
from tenantry.domain.gdap import default_gdap_roles
from tenantry.domain.models import AdminUser, Customer, GdapRelationship, PartnershipState
from tests.domain.world import DIRECT, PROVIDER, RESELLER, STRANGER, World, refusal

UNKNOWN = "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4"


def directory(world: World) -> DirectoryService:
    return DirectoryService(world.db.uow, world.visibility)


def gdap_of(world: World, customer: Customer) -> GdapRelationship:
    (gdap,) = (g for g in world.db.tables.gdap.values() if g.customer_id == customer.id)
    return gdap


@pytest.fixture
def world() -> World:
    return World()


# --- users -------------------------------------------------------------------------------


async def test_a_new_customer_has_its_admin_user(world: World) -> None:
    customer = await world.create(domain="Wingtip1.onmicrosoft.com")

    seen, users = await directory(world).users(DIRECT, customer.id.upper())

    assert seen.id == customer.id
    (admin,) = users
    assert admin.user_principal_name == "admin@Wingtip1.onmicrosoft.com"
    assert admin.must_change_password


async def test_users_are_listed_oldest_first(world: World) -> None:
    customer = await world.create()
    (admin,) = (await directory(world).users(DIRECT, customer.id))[1]
    later = AdminUser(
        id="5f1c9c39-1d6a-4c36-9a4e-2d0b9f6a1e01",
        customer_id=customer.id,
        user_name="helpdesk",
        user_principal_name=f"helpdesk@{customer.domain}",
        password_hash="hashed:x",
        must_change_password=False,
        created_at=admin.created_at + timedelta(days=1),
    )
    world.db.tables.customer_users[later.id] = later

    _, users = await directory(world).users(DIRECT, customer.id)

    assert [u.user_name for u in users] == ["admin", "helpdesk"]


async def test_one_user_by_its_id(world: World) -> None:
    customer = await world.create()
    (admin,) = (await directory(world).users(DIRECT, customer.id))[1]

    seen, user = await directory(world).user(DIRECT, customer.id, admin.id.upper())

    assert (seen.id, user) == (customer.id, admin)


async def test_an_unknown_user_is_880027(world: World) -> None:
    customer = await world.create()
    other = await world.create()
    (others_admin,) = (await directory(world).users(DIRECT, other.id))[1]

    for user_id in (UNKNOWN, "not-a-guid", others_admin.id):
        refused = await refusal(directory(world).user(DIRECT, customer.id, user_id))
        assert (refused.spec.code, refused.spec.status) == (880027, 404)
        assert refused.params == {"customer_id": customer.id, "user_id": user_id}


async def test_users_are_read_by_related_partners_only(world: World) -> None:
    customer = await world.create(PROVIDER, for_reseller=RESELLER)
    (admin,) = (await directory(world).users(PROVIDER, customer.id))[1]

    assert (await directory(world).users(RESELLER, customer.id))[1] == [admin]
    for call, code in (
        (directory(world).users(STRANGER, customer.id), 20002),
        (directory(world).user(STRANGER, customer.id, admin.id), 20002),
        (directory(world).users(PROVIDER, UNKNOWN), 60003),
        (directory(world).users(PROVIDER, "not-a-guid"), 900118),
    ):
        assert (await refusal(call)).spec.code == code


async def test_a_customer_still_being_provisioned_has_no_users_yet() -> None:
    world = World(provisioning_delay=timedelta(seconds=90))
    customer = await world.create()

    assert (await refusal(directory(world).users(DIRECT, customer.id))).spec.code == 60003

    world.clock.advance(timedelta(seconds=90))
    assert len((await directory(world).users(DIRECT, customer.id))[1]) == 1


# --- GDAP --------------------------------------------------------------------------------


async def test_the_default_gdap_relationship_is_listed(world: World) -> None:
    customer = await world.create()

    seen, relationships = await directory(world).gdap(DIRECT, customer.id)

    assert seen.id == customer.id
    (gdap,) = relationships
    assert (gdap.partner_id, gdap.status) == (DIRECT.tenant_id, "active")
    assert gdap.roles == default_gdap_roles(DIRECT.partner_type)


async def test_the_gdap_list_holds_the_partners_relationships_only(world: World) -> None:
    customer = await world.create()
    own = gdap_of(world, customer)
    foreign = dataclasses.replace(
        own, id="9d1f3e0a-7c55-4b8e-8d0f-3a9a4c1b2e77", partner_id=STRANGER.tenant_id
    )
    world.db.tables.gdap[foreign.id] = foreign

    _, relationships = await directory(world).gdap(DIRECT, customer.id)

    assert relationships == [own]


async def test_a_customer_created_without_gdap_lists_none(world: World) -> None:
    customer = await world.create(enable_gdap_by_default=False)

    assert (await directory(world).gdap(DIRECT, customer.id))[1] == []


async def test_a_resellers_list_omits_its_providers_gdap(world: World) -> None:
    customer = await world.create(PROVIDER, for_reseller=RESELLER)

    assert len((await directory(world).gdap(PROVIDER, customer.id))[1]) == 1
    assert (await directory(world).gdap(RESELLER, customer.id))[1] == []


async def test_one_gdap_relationship_by_its_id(world: World) -> None:
    customer = await world.create()
    own = gdap_of(world, customer)

    seen, gdap = await directory(world).gdap_relationship(DIRECT, customer.id, own.id.upper())

    assert (seen.id, gdap) == (customer.id, own)


async def test_an_unknown_or_foreign_gdap_relationship_is_880028(world: World) -> None:
    customer = await world.create()
    foreign = dataclasses.replace(
        gdap_of(world, customer),
        id="9d1f3e0a-7c55-4b8e-8d0f-3a9a4c1b2e77",
        partner_id=STRANGER.tenant_id,
    )
    world.db.tables.gdap[foreign.id] = foreign

    for relationship_id in (UNKNOWN, foreign.id):
        refused = await refusal(
            directory(world).gdap_relationship(DIRECT, customer.id, relationship_id)
        )
        assert (refused.spec.code, refused.spec.status) == (880028, 404)
        assert refused.params == {"customer_id": customer.id, "relationship_id": relationship_id}


async def test_gdap_is_read_by_related_partners_only(world: World) -> None:
    customer = await world.create()
    own = gdap_of(world, customer)
    for call in (
        directory(world).gdap(STRANGER, customer.id),
        directory(world).gdap_relationship(STRANGER, customer.id, own.id),
    ):
        assert (await refusal(call)).spec.code == 20002


# --- indirect resellers and partnerships (App+User) ----------------------------------------


async def test_indirect_resellers_need_a_signed_in_user(world: World) -> None:
    customer = await world.create(PROVIDER, for_reseller=RESELLER)

    refused = await refusal(
        directory(world).indirect_resellers(PROVIDER, customer.id, app_only=True)
    )

    assert (refused.spec.code, refused.spec.status) == (900329, 403)


async def test_a_resold_customer_names_its_reseller(world: World) -> None:
    resold = await world.create(PROVIDER, for_reseller=RESELLER)
    own = await world.create(PROVIDER)
    service = directory(world)

    assert await service.indirect_resellers(PROVIDER, resold.id, app_only=False) == [RESELLER]
    assert await service.indirect_resellers(RESELLER, resold.id, app_only=False) == [RESELLER]
    assert await service.indirect_resellers(PROVIDER, own.id, app_only=False) == []
    refused = await refusal(service.indirect_resellers(STRANGER, resold.id, app_only=False))
    assert refused.spec.code == 20002


async def test_partnerships_need_a_signed_in_user(world: World) -> None:
    refused = await refusal(
        directory(world).partnerships(PROVIDER, as_provider=True, app_only=True)
    )
    assert refused.spec.code == 900329


async def test_partnerships_seen_from_either_side(world: World) -> None:
    service = directory(world)

    ((reseller, ship),) = await service.partnerships(PROVIDER, as_provider=True, app_only=False)
    assert reseller == RESELLER
    assert (ship.provider_id, ship.reseller_id, ship.state) == (
        PROVIDER.tenant_id,
        RESELLER.tenant_id,
        PartnershipState.ACTIVE,
    )
    ((provider, _),) = await service.partnerships(RESELLER, as_provider=False, app_only=False)
    assert provider == PROVIDER
    assert await service.partnerships(DIRECT, as_provider=True, app_only=False) == []
    assert await service.partnerships(PROVIDER, as_provider=False, app_only=False) == []
