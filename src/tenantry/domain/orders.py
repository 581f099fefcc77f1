"""Orders: buying offers of the catalog for a customer, once per `MS-RequestId`.

As create, an order is race-free: the idempotency record is inserted first, in the same
transaction as the order and its subscriptions, so the database's unique constraint
decides between concurrent twins; the loser replays the winner's answer. A refusal is kept
for replay like a success.
"""

from __future__ import annotations

from typing import Protocol

from tenantry.domain.agreements import has_customer_agreement
from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.clock import Clock
from tenantry.domain.commerce import LineItemDraft, Order
from tenantry.domain.customers import CreatePolicy, visible_customer
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.idempotent_answers import IdempotentAnswers
from tenantry.domain.models import Partner
from tenantry.domain.offers import find_offer
from tenantry.domain.order_building import build_order
from tenantry.domain.ports import IdempotencyKeyTaken, TwinStillRunning, UnitOfWorkFactory
from tenantry.domain.roles import authorize_customer_change
from tenantry.domain.sandbox import Visibility, cutoff_of

MAX_LINE_ITEMS = 50
NAME_MAX = 255


class OrderRenderer(Protocol):
    """Turns an outcome into the exact response that is stored and replayed."""

    def created(self, order: Order) -> StoredResponse: ...

    def failed(self, error: ServiceError) -> StoredResponse: ...


def check_lines(lines: tuple[LineItemDraft, ...], country: str) -> None:
    """Every problem of the line items at once: offers of the catalog (an unknown one is
    named with the customer's `country`), their quantities, names, and line numbers 0 to
    count-1 as Partner Center numbers them."""
    problems: list[FieldProblem] = []
    if not lines:
        reason = "lineItems must hold at least one line item"
        problems.append(
            FieldProblem(Errors.REQUIRED_FIELD_MISSING, "lineItems", reason, {"field": "lineItems"})
        )
    elif len(lines) > MAX_LINE_ITEMS:
        reason = f"lineItems may hold at most {MAX_LINE_ITEMS} line items"
        problems.append(
            FieldProblem(Errors.MALFORMED_REQUEST, "lineItems", reason, {"reason": reason})
        )
    numbers = sorted(line.line_item_number for line in lines)
    if lines and numbers != list(range(len(lines))):
        reason = "lineItemNumber must number the line items 0 to count-1, each once"
        problems.append(
            FieldProblem(Errors.MALFORMED_REQUEST, "lineItems", reason, {"reason": reason})
        )
    for index, line in enumerate(lines):
        base = f"lineItems[{index}]"
        offer = find_offer(line.offer_id)
        if offer is None:
            params: dict[str, object] = {"offer_id": line.offer_id[:100], "country": country}
            problems.append(
                FieldProblem(Errors.OFFER_NOT_FOUND, f"{base}.offerId", "is not an offer", params)
            )
        elif not offer.min_quantity <= line.quantity <= offer.max_quantity:
            params = {
                "offer_id": offer.id,
                "min": offer.min_quantity,
                "max": offer.max_quantity,
            }
            problems.append(
                FieldProblem(
                    Errors.QUANTITY_OUT_OF_RANGE, f"{base}.quantity", "is out of range", params
                )
            )
        name = line.friendly_name
        if name is not None and len(name) > NAME_MAX:
            problems.append(FieldProblem.length(f"{base}.friendlyName", NAME_MAX))
        mpn = line.partner_id_on_record
        if mpn is not None and not (mpn.isascii() and mpn.isdigit() and len(mpn) <= 16):
            reason = f"{base}.partnerIdOnRecord must be a partner id (MPN id): digits only"
            problems.append(
                FieldProblem(
                    Errors.MALFORMED_REQUEST,
                    f"{base}.partnerIdOnRecord",
                    reason,
                    {"reason": reason},
                )
            )
    if problems:
        raise ServiceError.from_problems(problems)


class OrderService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        policy: CreatePolicy,
        visibility: Visibility | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._visibility = visibility
        self._answers = IdempotentAnswers(
            uow, clock, retention=policy.retention, strict=policy.strict_idempotency
        )

    async def create(
        self,
        partner: Partner,
        key: IdempotencyKey,
        customer_id: str,
        lines: tuple[LineItemDraft, ...],
        render: OrderRenderer,
        *,
        roles: tuple[str, ...] | None,
        app_only: bool,
        actor: Actor,
    ) -> StoredResponse:
        """Place the order once per idempotency key; replay the first answer after that."""
        if (stored := await self._answers.kept(key, render.failed)) is not None:
            return stored
        try:
            authorize_customer_change(app_only, roles)
            return await self._place(partner, key, customer_id, lines, render, actor)
        except IdempotencyKeyTaken:
            return await self._answers.replay(key, render.failed)
        except TwinStillRunning as exc:
            raise ServiceError(Errors.REQUEST_IN_PROGRESS) from exc
        except ServiceError as error:
            return await self.refuse(key, error, render)

    async def _place(
        self,
        partner: Partner,
        key: IdempotencyKey,
        customer_id: str,
        lines: tuple[LineItemDraft, ...],
        render: OrderRenderer,
        actor: Actor,
    ) -> StoredResponse:
        now = self._clock.now()
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            check_lines(lines, customer.billing.address.country)
            if not await has_customer_agreement(work, customer.id):
                raise ServiceError(Errors.AGREEMENT_REQUIRED, {"customer_id": customer.id})
            order, subscriptions = build_order(customer.id, lines, now)
            response = render.created(order).answering(key)
            await self._answers.keep(work, key, response, now)
            await work.orders.add(order)
            await work.subscriptions.add(subscriptions)
            placed = audit_event(
                actor,
                Action.ORDER_PLACED,
                now,
                target_type="order",
                target_id=order.id,
                partner_id=partner.tenant_id,
                details={
                    "customerId": customer.id,
                    "offers": [item.offer_id for item in order.line_items],
                    "subscriptions": [item.subscription_id for item in order.line_items],
                },
            )
            await work.audit.record(placed)
            await work.commit()
        return response

    async def refuse(
        self, key: IdempotencyKey, error: ServiceError, render: OrderRenderer
    ) -> StoredResponse:
        """Keep a refusal for replay; if a concurrent twin recorded first, answer with that."""
        if (stored := await self._answers.kept(key, render.failed)) is not None:
            return stored
        return await self._answers.record(key, render.failed(error), render.failed)

    async def of_customer(self, partner: Partner, customer_id: str) -> list[Order]:
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            return await work.orders.of_customer(customer.id)

    async def get(self, partner: Partner, customer_id: str, order_id: str) -> Order:
        found = await self.of_customer(partner, customer_id)
        for order in found:
            if order.id == order_id:
                return order
        params = {"customer_id": customer_id.lower(), "order_id": order_id[:100]}
        raise ServiceError(Errors.ORDER_NOT_FOUND, params)
