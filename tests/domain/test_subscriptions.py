"""A customer's subscriptions (`SubscriptionService`): reading them, and renaming one, with
its role check, its length rule and the audit trail. In memory, on a still clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.domain.audit import USER
from tenantry.domain.models import Customer, Subscription, SubscriptionChoice
from tenantry.domain.subscriptions import SubscriptionService
from tests.domain.world import DIRECT, PROVIDER, RESELLER, STRANGER, USER_ACTOR, World, refusal

RENAMED = "customer.subscription.renamed"
AGENT = ("Admin agent",)
UNKNOWN = "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4"
OFFERS = (
    SubscriptionChoice("m365-e3", 25),
    SubscriptionChoice("azure", 1),
    SubscriptionChoice("m365-business-basic", 10),
)


def subscriptions(world: World) -> SubscriptionService:
    return SubscriptionService(world.db.uow, world.clock, world.visibility)


async def with_offers(world: World) -> tuple[Customer, list[Subscription]]:
    customer = await world.create(subscriptions=OFFERS)
    return customer, await subscriptions(world).of_customer(DIRECT, customer.id)


@pytest.fixture
def world() -> World:
    return World()


# --- reading -------------------------------------------------------------------------------


async def test_a_customer_has_the_subscriptions_it_was_created_with(world: World) -> None:
    customer, found = await with_offers(world)

    assert [(s.offer_id, s.quantity, s.friendly_name) for s in found] == [
        ("azure", 1, "Microsoft Azure"),  # created together: in the order of their offer ids
        ("m365-business-basic", 10, "Microsoft 365 Business Basic"),
        ("m365-e3", 25, "Microsoft 365 E3"),
    ]
    assert {s.customer_id for s in found} == {customer.id}
    assert {s.created_at for s in found} == {customer.created_at}


async def test_a_customer_created_without_offers_has_none(world: World) -> None:
    customer = await world.create()

    assert await subscriptions(world).of_customer(DIRECT, customer.id.upper()) == []


async def test_each_customer_has_its_own_subscriptions(world: World) -> None:
    first = await world.create(subscriptions=(SubscriptionChoice("azure", 1),))
    second = await world.create(subscriptions=(SubscriptionChoice("m365-e3", 3),))

    assert [s.offer_id for s in await subscriptions(world).of_customer(DIRECT, first.id)] == [
        "azure"
    ]
    assert [s.offer_id for s in await subscriptions(world).of_customer(DIRECT, second.id)] == [
        "m365-e3"
    ]


async def test_subscriptions_are_read_by_related_partners_only(world: World) -> None:
    customer = await world.create(
        PROVIDER, for_reseller=RESELLER, subscriptions=(SubscriptionChoice("azure", 1),)
    )

    assert len(await subscriptions(world).of_customer(RESELLER, customer.id)) == 1
    for partner, target, code in (
        (STRANGER, customer.id, 20002),
        (PROVIDER, UNKNOWN, 60003),
        (PROVIDER, "not-a-guid", 900118),
    ):
        refused = await refusal(subscriptions(world).of_customer(partner, target))
        assert refused.spec.code == code


async def test_a_customer_still_being_provisioned_has_no_subscriptions_yet() -> None:
    world = World(provisioning_delay=timedelta(seconds=90))
    customer = await world.create(subscriptions=OFFERS)

    refused = await refusal(subscriptions(world).of_customer(DIRECT, customer.id))
    assert refused.spec.code == 60003

    world.clock.advance(timedelta(seconds=90))
    assert len(await subscriptions(world).of_customer(DIRECT, customer.id)) == 3


# --- renaming ------------------------------------------------------------------------------


async def test_a_rename_changes_the_friendly_name_only(world: World) -> None:
    customer, before = await with_offers(world)
    target = before[0]

    await subscriptions(world).rename(
        DIRECT, AGENT, customer.id, target.id, "  Dev tenant Azure  ", actor=USER_ACTOR
    )

    after = await subscriptions(world).of_customer(DIRECT, customer.id)
    assert after[0].friendly_name == "Dev tenant Azure"  # trimmed
    assert (after[0].id, after[0].offer_id, after[0].quantity) == (
        target.id,
        target.offer_id,
        target.quantity,
    )
    assert after[1:] == before[1:]


async def test_a_rename_takes_the_ids_in_any_case(world: World) -> None:
    customer, before = await with_offers(world)

    await subscriptions(world).rename(
        DIRECT, AGENT, customer.id.upper(), before[1].id.upper(), "Basic", actor=USER_ACTOR
    )

    assert (await subscriptions(world).of_customer(DIRECT, customer.id))[1].friendly_name == (
        "Basic"
    )


@pytest.mark.parametrize("name", ["", "   ", "x" * 256])
async def test_a_name_must_be_1_to_255_characters(world: World, name: str) -> None:
    customer, before = await with_offers(world)

    refused = await refusal(
        subscriptions(world).rename(
            DIRECT, AGENT, customer.id, before[0].id, name, actor=USER_ACTOR
        )
    )

    assert (refused.spec.code, refused.spec.status) == (880008, 400)
    assert [p.path for p in refused.problems] == ["friendlyName"]
    assert await subscriptions(world).of_customer(DIRECT, customer.id) == before
    assert world.audit(RENAMED) == []


async def test_a_name_of_255_characters_is_accepted(world: World) -> None:
    customer, before = await with_offers(world)

    await subscriptions(world).rename(
        DIRECT, AGENT, customer.id, before[0].id, "x" * 255, actor=USER_ACTOR
    )

    assert (await subscriptions(world).of_customer(DIRECT, customer.id))[0].friendly_name == (
        "x" * 255
    )


async def test_a_subscription_the_customer_does_not_have_is_not_found(world: World) -> None:
    customer, mine = await with_offers(world)
    other, others = await with_offers(world)

    for subscription_id in (UNKNOWN, "not-a-guid", others[0].id):
        refused = await refusal(
            subscriptions(world).rename(
                DIRECT, AGENT, customer.id, subscription_id, "Renamed", actor=USER_ACTOR
            )
        )
        assert (refused.spec.code, refused.spec.status) == (880047, 404)
    assert await subscriptions(world).of_customer(DIRECT, customer.id) == mine
    assert await subscriptions(world).of_customer(DIRECT, other.id) == others
    assert world.audit(RENAMED) == []


async def test_only_some_roles_may_rename(world: World) -> None:
    customer, before = await with_offers(world)
    service = subscriptions(world)

    refused_roles: tuple[tuple[str, ...], ...] = (("Helpdesk agent",), ())
    for roles in refused_roles:
        refused = await refusal(
            service.rename(DIRECT, roles, customer.id, before[0].id, "Nope", actor=USER_ACTOR)
        )
        assert (refused.spec.code, refused.spec.status) == (900150, 403)
    assert await service.of_customer(DIRECT, customer.id) == before

    for n, roles in enumerate((("global admin",), ("Helpdesk agent", "Sales agent"))):
        await service.rename(DIRECT, roles, customer.id, before[0].id, f"Ok {n}", actor=USER_ACTOR)
    assert (await service.of_customer(DIRECT, customer.id))[0].friendly_name == "Ok 1"


async def test_other_partners_cannot_rename(world: World) -> None:
    customer, before = await with_offers(world)

    refused = await refusal(
        subscriptions(world).rename(
            STRANGER, AGENT, customer.id, before[0].id, "Mine", actor=USER_ACTOR
        )
    )

    assert refused.spec.code == 20002
    assert await subscriptions(world).of_customer(DIRECT, customer.id) == before


async def test_a_rename_is_audited(world: World) -> None:
    customer, before = await with_offers(world)
    world.clock.advance(timedelta(hours=1))

    await subscriptions(world).rename(
        DIRECT, AGENT, customer.id, before[2].id.upper(), " Main E3 ", actor=USER_ACTOR
    )

    (event,) = world.audit(RENAMED)
    assert (event.actor_type, event.actor_id) == (USER, USER_ACTOR.id)
    assert (event.target_type, event.target_id, event.partner_id) == (
        "subscription",
        before[2].id,
        DIRECT.tenant_id,
    )
    assert (event.request_id, event.correlation_id) == ("r2", "c2")
    assert event.occurred_at == world.clock.now()
    assert event.details == {"customerId": customer.id, "friendlyName": "Main E3"}
