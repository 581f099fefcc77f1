"""Orders (`OrderService`) over in-memory fakes: the agreement they need, their line-item
rules, one order per idempotency key, and the order the create wizard's offers make."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tenantry.domain.agreements import METADATA
from tenantry.domain.commerce import Agreement, AgreementType, Contact, LineItemDraft, Order
from tenantry.domain.customers import CreatePolicy
from tenantry.domain.errors import ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import SubscriptionChoice
from tenantry.domain.orders import OrderService, check_lines
from tests.domain.world import APP_ACTOR, DIRECT, STRANGER, World

MCA = next(m for m in METADATA if m.agreement_type is AgreementType.MICROSOFT_CUSTOMER_AGREEMENT)


class Kept:
    """Renders an order as `created <order id>`, a refusal as its code."""

    def created(self, order: Order) -> StoredResponse:
        return StoredResponse(201, (), f"created {order.id}".encode())

    def failed(self, error: ServiceError) -> StoredResponse:
        return StoredResponse(error.spec.status, (), str(error.spec.code).encode())


@pytest.fixture
def world() -> World:
    return World()


def service(world: World) -> OrderService:
    policy = CreatePolicy(sandbox=True, retention=timedelta(hours=24))
    return OrderService(world.db.uow, world.clock, policy, world.visibility)


def key(request_id: str, body: bytes = b"{}") -> IdempotencyKey:
    return IdempotencyKey.of(b"k" * 32, DIRECT.tenant_id, "POST", "/orders", request_id, body)


def accept(world: World, customer_id: str) -> None:
    world.db.tables.agreements["a1"] = Agreement(
        "a1",
        customer_id,
        MCA.template_id,
        MCA.agreement_type,
        world.clock.now(),
        Contact("A", "B", "a@b.example"),
        "agent",
        world.clock.now(),
    )


LINE = (LineItemDraft(0, "m365-e3", 5),)


async def place(world: World, customer_id: str, request_id: str = "r1") -> StoredResponse:
    return await service(world).create(
        DIRECT, key(request_id), customer_id, LINE, Kept(), roles=None, app_only=True,
        actor=APP_ACTOR,
    )  # fmt: skip


async def test_no_order_without_the_customer_agreement(world: World) -> None:
    customer = await world.create()
    answer = await place(world, customer.id)
    assert (answer.status, answer.body) == (400, b"880044")
    assert world.db.tables.orders == {}


async def test_an_order_and_its_subscription(world: World) -> None:
    customer = await world.create()
    accept(world, customer.id)
    answer = await place(world, customer.id)
    assert answer.status == 201
    (order,) = world.db.tables.orders.values()
    (subscription,) = world.db.tables.subscriptions.values()
    assert order.line_items[0].subscription_id == subscription.id
    assert (subscription.order_id, subscription.quantity) == (order.id, 5)
    assert [e.target_id for e in world.audit("customer.order.placed")] == [order.id]


async def test_the_same_key_replays(world: World) -> None:
    customer = await world.create()
    accept(world, customer.id)
    first = await place(world, customer.id)
    again = await place(world, customer.id)
    assert again.replayed
    assert again.body == first.body
    assert len(world.db.tables.orders) == 1


async def test_another_partners_customer(world: World) -> None:
    customer = await world.create(STRANGER)
    answer = await place(world, customer.id)
    assert (answer.status, answer.body) == (403, b"20002")


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ((), 880009),
        ((LineItemDraft(0, "nope", 1),), 880045),
        ((LineItemDraft(0, "m365-e3", 0),), 880048),
        ((LineItemDraft(0, "m365-e3", 1), LineItemDraft(0, "azure", 1)), 800002),
        ((LineItemDraft(0, "m365-e3", 1, partner_id_on_record="abc"),), 800002),
    ],
)
def test_line_item_rules(lines: tuple[LineItemDraft, ...], code: int) -> None:
    with pytest.raises(ServiceError) as caught:
        check_lines(lines, "US")
    assert caught.value.spec.code == code


def test_an_unknown_offer_names_the_customers_country() -> None:
    with pytest.raises(ServiceError) as caught:
        check_lines((LineItemDraft(0, "nope", 1),), "DE")
    (problem,) = caught.value.problems
    assert problem.params == {"offer_id": "nope", "country": "DE"}


async def test_the_wizards_offers_make_one_order(world: World) -> None:
    """A customer created with offers (the portal's wizard) has them as one order."""
    choices = (SubscriptionChoice("m365-e3", 3), SubscriptionChoice("azure", 1))
    customer = await world.create(subscriptions=choices)
    (order,) = await service(world).of_customer(DIRECT, customer.id)
    assert [(i.offer_id, i.quantity) for i in order.line_items] == [("m365-e3", 3), ("azure", 1)]
    subscriptions = world.db.tables.subscriptions.values()
    assert {s.order_id for s in subscriptions} == {order.id}
