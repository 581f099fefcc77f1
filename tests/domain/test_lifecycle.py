"""Ending the reseller relationship and deleting sandbox customers (`LifecycleService`):
what the partner sees afterwards, what is freed, and the audit trail. In memory."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.domain.audit import USER
from tenantry.domain.customer_listing import CustomerListing
from tenantry.domain.lifecycle import LifecycleService
from tenantry.domain.models import Partner, SubscriptionChoice
from tests.domain.world import DIRECT, PROVIDER, RESELLER, STRANGER, USER_ACTOR, World, refusal

REMOVED = "customer.relationship.removed"
DELETED = "customer.deleted"


def lifecycle(world: World, *, sandbox: bool = True) -> LifecycleService:
    return LifecycleService(
        world.db.uow, sandbox=sandbox, visibility=world.visibility, clock=world.clock
    )


async def listed(world: World, partner: Partner) -> list[str]:
    page = await CustomerListing(world.db.uow, world.clock, world.limits).page(
        partner, 10, app_only=True
    )
    return [c.id for c in page.items]


@pytest.fixture
def world() -> World:
    return World()


# --- removing the reseller relationship ---------------------------------------------------


async def test_removing_the_relationship_needs_a_signed_in_user(world: World) -> None:
    customer = await world.create()

    refused = await refusal(
        lifecycle(world).remove_reseller_relationship(
            DIRECT, customer.id, app_only=True, actor=USER_ACTOR
        )
    )

    assert (refused.spec.code, refused.spec.status) == (900329, 403)
    assert await world.customers.get(DIRECT, customer.id) == customer
    assert world.audit(REMOVED) == []


async def test_after_removal_the_customer_is_out_of_reach(world: World) -> None:
    customer = await world.create()
    kept = await world.create()

    answer = await lifecycle(world).remove_reseller_relationship(
        DIRECT, customer.id.upper(), app_only=False, actor=USER_ACTOR
    )

    assert answer.id == customer.id
    assert answer.relationship_to_partner == "none"
    assert (await refusal(world.customers.get(DIRECT, customer.id))).spec.code == 20002
    assert await listed(world, DIRECT) == [kept.id]
    assert (await world.customers.get(DIRECT, kept.id)).id == kept.id


async def test_removal_ends_the_default_gdap_relationship(world: World) -> None:
    customer = await world.create()

    await lifecycle(world).remove_reseller_relationship(
        DIRECT, customer.id, app_only=False, actor=USER_ACTOR
    )

    tables = world.db.tables
    assert [g.status for g in tables.gdap.values() if g.customer_id == customer.id] == [
        "terminated"
    ]
    assert [r for r in tables.relationships.values() if r.customer_id == customer.id] == []


async def test_a_relationship_is_removed_once(world: World) -> None:
    customer = await world.create()
    service = lifecycle(world)
    await service.remove_reseller_relationship(
        DIRECT, customer.id, app_only=False, actor=USER_ACTOR
    )

    again = await refusal(
        service.remove_reseller_relationship(DIRECT, customer.id, app_only=False, actor=USER_ACTOR)
    )

    assert again.spec.code == 20002
    assert len(world.audit(REMOVED)) == 1


async def test_only_the_customers_partner_can_remove_the_relationship(world: World) -> None:
    customer = await world.create(PROVIDER, for_reseller=RESELLER)
    service = lifecycle(world)
    for partner, target, code in (
        (STRANGER, customer.id, 20002),
        (RESELLER, customer.id, 20002),  # the reseller reads it, but the relationship is not its
        (DIRECT, "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4", 60003),
        (DIRECT, "not-a-guid", 900118),
    ):
        refused = await refusal(
            service.remove_reseller_relationship(partner, target, app_only=False, actor=USER_ACTOR)
        )
        assert refused.spec.code == code, partner.name
    assert (await world.customers.get(PROVIDER, customer.id)).relationship_to_partner == "reseller"
    assert world.audit(REMOVED) == []


async def test_a_provider_removing_a_resold_customer_takes_it_from_its_reseller_too(
    world: World,
) -> None:
    customer = await world.create(PROVIDER, for_reseller=RESELLER)

    await lifecycle(world).remove_reseller_relationship(
        PROVIDER, customer.id, app_only=False, actor=USER_ACTOR
    )

    assert await listed(world, RESELLER) == []
    assert (await refusal(world.customers.get(RESELLER, customer.id))).spec.code == 20002


async def test_a_removed_customer_no_longer_counts_against_the_sandbox_cap() -> None:
    world = World(cap=1)
    customer = await world.create()
    assert (await world.try_create()).body == b"800018"

    await lifecycle(world).remove_reseller_relationship(
        DIRECT, customer.id, app_only=False, actor=USER_ACTOR
    )

    assert (await world.try_create()).status == 201


async def test_a_removal_is_audited(world: World) -> None:
    customer = await world.create()
    world.clock.advance(timedelta(minutes=3))

    await lifecycle(world).remove_reseller_relationship(
        DIRECT, customer.id, app_only=False, actor=USER_ACTOR
    )

    (event,) = world.audit(REMOVED)
    assert (event.actor_type, event.actor_id) == (USER, USER_ACTOR.id)
    assert (event.target_type, event.target_id, event.partner_id) == (
        "customer",
        customer.id,
        DIRECT.tenant_id,
    )
    assert (event.request_id, event.correlation_id) == ("r2", "c2")
    assert event.occurred_at == world.clock.now()
    assert event.details == {"domain": customer.domain}


# --- deleting (sandbox only) ---------------------------------------------------------------


async def test_a_sandbox_delete_removes_the_customer_and_all_it_owns(world: World) -> None:
    customer = await world.create(subscriptions=(SubscriptionChoice("m365-e3", 5),))
    kept = await world.create()

    await lifecycle(world).delete(DIRECT, customer.id, actor=USER_ACTOR)

    assert (await refusal(world.customers.get(DIRECT, customer.id))).spec.code == 60003
    assert await listed(world, DIRECT) == [kept.id]
    tables = world.db.tables
    for rows in (tables.customer_users, tables.relationships, tables.gdap, tables.subscriptions):
        assert [r for r in rows.values() if r.customer_id == customer.id] == []
    assert (await world.customers.get(DIRECT, kept.id)).id == kept.id


async def test_a_deleted_customers_domain_is_free_again(world: World) -> None:
    customer = await world.create(domain="Reused1.onmicrosoft.com")
    assert await world.customers.domain_exists("reused1.onmicrosoft.com")
    assert (await world.try_create(domain="reused1.onmicrosoft.com")).body == b"880001"

    await lifecycle(world).delete(DIRECT, customer.id, actor=USER_ACTOR)

    assert not await world.customers.domain_exists("reused1.onmicrosoft.com")
    again = await world.create(domain="reused1.onmicrosoft.com")
    assert again.id != customer.id


async def test_a_delete_makes_room_under_the_sandbox_cap() -> None:
    world = World(cap=1)
    customer = await world.create()
    assert (await world.try_create()).body == b"800018"

    await lifecycle(world).delete(DIRECT, customer.id, actor=USER_ACTOR)

    assert (await world.try_create()).status == 201


async def test_production_refuses_to_delete(world: World) -> None:
    customer = await world.create()

    refused = await refusal(
        lifecycle(world, sandbox=False).delete(DIRECT, customer.id, actor=USER_ACTOR)
    )

    assert (refused.spec.code, refused.spec.status) == (880020, 403)
    assert await world.customers.get(DIRECT, customer.id) == customer
    assert world.audit(DELETED) == []


async def test_only_the_partner_that_created_a_customer_deletes_it(world: World) -> None:
    customer = await world.create(PROVIDER, for_reseller=RESELLER)
    service = lifecycle(world)
    for partner, target, code in (
        (RESELLER, customer.id, 20002),
        (STRANGER, customer.id, 20002),
        (PROVIDER, "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4", 60003),
        (PROVIDER, "not-a-guid", 900118),
    ):
        refused = await refusal(service.delete(partner, target, actor=USER_ACTOR))
        assert refused.spec.code == code, partner.name
    assert (await world.customers.get(PROVIDER, customer.id)).id == customer.id
    assert world.audit(DELETED) == []


async def test_a_customer_whose_relationship_was_removed_cannot_be_deleted(world: World) -> None:
    customer = await world.create()
    service = lifecycle(world)
    await service.remove_reseller_relationship(
        DIRECT, customer.id, app_only=False, actor=USER_ACTOR
    )

    refused = await refusal(service.delete(DIRECT, customer.id, actor=USER_ACTOR))

    assert refused.spec.code == 20002
    assert customer.id in world.db.tables.customers


async def test_a_customer_still_being_provisioned_cannot_be_deleted_yet() -> None:
    world = World(provisioning_delay=timedelta(seconds=90))
    customer = await world.create()

    refused = await refusal(lifecycle(world).delete(DIRECT, customer.id, actor=USER_ACTOR))
    assert refused.spec.code == 60003

    world.clock.advance(timedelta(seconds=90))
    await lifecycle(world).delete(DIRECT, customer.id, actor=USER_ACTOR)
    assert customer.id not in world.db.tables.customers


async def test_a_delete_is_audited(world: World) -> None:
    customer = await world.create()

    await lifecycle(world).delete(DIRECT, customer.id.upper(), actor=USER_ACTOR)

    (event,) = world.audit(DELETED)
    assert (event.actor_type, event.actor_id) == (USER, USER_ACTOR.id)
    assert (event.target_type, event.target_id, event.partner_id) == (
        "customer",
        customer.id,
        DIRECT.tenant_id,
    )
    assert event.occurred_at == world.clock.now()
    assert event.details == {"domain": customer.domain}
    assert world.audit("customer.created")  # the history outlives the customer
