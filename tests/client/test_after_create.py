"""What comes after a customer's create, through the SDK: agreements, offers, orders,
subscriptions and users, sync and async, over a socket and in-process."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from tenantry_client import (
    Agreement,
    AgreementMetadata,
    BadInputError,
    ConflictError,
    Contact,
    Customer,
    CustomerUser,
    ForbiddenError,
    NotFoundError,
    Offer,
    Order,
    OrderLineItem,
    PasswordProfile,
    Subscription,
)
from tenantry_client._commerce_operations import resume_users
from tenantry_client._core import WireResponse
from tenantry_client._operations import page_reader
from tenantry_client._paging import NextLink

from tests.client.conftest import Harness
from tests.client.factories import wingtip

OFFER = "m365-business-basic"


async def _confirmed(harness: Harness, user_sdk: Any) -> Any:
    """A new customer whose acceptance of the Microsoft Customer Agreement is confirmed."""
    customer = await harness.run(user_sdk.customers.create, wingtip())
    (template,) = await harness.run(user_sdk.agreements.metadata)
    agreement = Agreement(
        primary_contact=Contact(first_name="Gena", last_name="Soto", email="gena@wingtiptoys.com"),
        template_id=template.template_id,
        date_agreed=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    await harness.run(user_sdk.agreements.confirm, customer.id, agreement)
    return customer


async def test_agreements_metadata_confirm_and_list(
    harness: Harness, sdk: Any, user_sdk: Any
) -> None:
    templates = await harness.run(sdk.agreements.metadata)
    assert [type(t) for t in templates] == [AgreementMetadata]
    assert templates[0].agreement_type == "MicrosoftCustomerAgreement"
    customer = await harness.run(sdk.customers.create, wingtip())
    agreement = Agreement(
        primary_contact=Contact(first_name="Gena", last_name="Soto", email="gena@wingtiptoys.com"),
        template_id=templates[0].template_id,
        date_agreed=datetime(2026, 1, 2, 3, 4, 5),  # naive: UTC
    )
    with pytest.raises(ForbiddenError):  # an app alone may not confirm
        await harness.run(sdk.agreements.confirm, customer.id, agreement)

    confirmed = await harness.run(user_sdk.agreements.confirm, customer.id, agreement)

    assert confirmed.template_id == templates[0].template_id
    assert confirmed.date_agreed == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert confirmed.primary_contact == agreement.primary_contact
    listed = await harness.run(sdk.agreements.list, customer.id)
    assert [a.template_id for a in listed] == [templates[0].template_id]
    with pytest.raises(ConflictError):  # the same contact again
        await harness.run(user_sdk.agreements.confirm, customer.id, agreement)
    agreement.template_id = "not-a-template"
    with pytest.raises(BadInputError):
        await harness.run(user_sdk.agreements.confirm, customer.id, agreement)


async def test_offers_page_and_read(harness: Harness, sdk: Any) -> None:
    every = await harness.collect(sdk.offers.list("US"))
    assert every
    assert all(isinstance(o, Offer) for o in every)
    pages = await harness.pages(sdk.offers.list("US", size=2))
    assert [len(p.items) for p in pages][:-1] == [2] * (len(pages) - 1)
    assert [o.id for p in pages for o in p.items] == [o.id for o in every]
    resumed = await harness.pages(sdk.offers.list("US", size=2), pages[0].continuation_token)
    assert [o.id for p in resumed for o in p.items] == [o.id for o in every][2:]

    offer = await harness.run(sdk.offers.get, OFFER, "US")
    assert offer.id == OFFER
    assert offer.maximum_quantity is not None
    assert offer.maximum_quantity >= 5
    with pytest.raises(NotFoundError):
        await harness.run(sdk.offers.get, "no-such-offer", "US")
    with pytest.raises(BadInputError):
        await harness.run(sdk.offers.get, OFFER, "ZZ")


_HEADER = {"key": "MS-ContinuationToken", "value": "h"}
_OFFSET = "/offers?country=US&offset=2&size=2"


@pytest.mark.parametrize(
    ("next_link", "body_token", "token"),
    [
        ({"uri": "/x?seekOperation=Next", "headers": [_HEADER]}, "b", "h"),
        ({"uri": "/x?seekOperation=Next"}, "b", "b"),
        ({"uri": _OFFSET}, None, _OFFSET),
    ],
)
def test_a_page_s_continuation_token(
    next_link: dict[str, Any], body_token: str | None, token: str
) -> None:
    """Its `MS-ContinuationToken` header, else the body's `continuationToken`, else the URI
    (offers page by an offset in it); the same for every collection."""
    body = {"items": [{"id": "a"}], "links": {"next": next_link}, "continuationToken": body_token}
    answer = WireResponse(200, {}, json.dumps(body).encode())
    for read in (Offer.from_wire, Customer.from_wire):
        page = page_reader(read)(answer)
        assert page.continuation_token == token
        assert page.next_link is not None
        assert page.next_link.uri == next_link["uri"]
    last = WireResponse(200, {}, json.dumps({"items": [], "continuationToken": "b"}).encode())
    assert page_reader(Offer.from_wire)(last).continuation_token is None


def test_users_resume_from_a_token_or_a_link() -> None:
    """Tenantry answers a customer's users in one page; Partner Center pages them."""
    resume = resume_users("c 1")
    assert resume("tok") == NextLink(
        "/customers/c%201/users?seekOperation=Next", (("MS-ContinuationToken", "tok"),)
    )
    assert resume("/customers/c%201/users?offset=2") == NextLink("/customers/c%201/users?offset=2")


async def test_an_order_needs_the_agreement(harness: Harness, sdk: Any) -> None:
    customer = await harness.run(sdk.customers.create, wingtip())
    with pytest.raises(BadInputError) as caught:
        await harness.run(sdk.orders.place, customer.id, OFFER, 1)
    assert caught.value.code == 880044


async def test_order_subscriptions_and_their_changes(
    harness: Harness, sdk: Any, user_sdk: Any
) -> None:
    customer = await _confirmed(harness, user_sdk)
    order = Order(line_items=[OrderLineItem(offer_id=OFFER, quantity=3, friendly_name="Team")])
    request_id = str(uuid.uuid4())

    placed = await harness.run(sdk.orders.create, customer.id, order, request_id=request_id)
    again = await harness.run(sdk.orders.create, customer.id, order, request_id=request_id)

    assert again.id == placed.id  # the same request id: the first answer, no second order
    assert [o.id for o in await harness.run(sdk.orders.list, customer.id)] == [placed.id]
    assert (await harness.run(sdk.orders.get, customer.id, placed.id)).id == placed.id
    (line,) = placed.line_items
    assert (line.offer_id, line.quantity, line.friendly_name) == (OFFER, 3, "Team")
    (subscription,) = await harness.run(sdk.subscriptions.list, customer.id)
    assert isinstance(subscription, Subscription)
    assert subscription.id == line.subscription_id
    assert (subscription.order_id, subscription.status) == (placed.id, "active")

    sid = subscription.id
    renamed = await harness.run(sdk.subscriptions.rename, customer.id, sid, "Sales team")
    assert renamed.friendly_name == "Sales team"
    more = await harness.run(sdk.subscriptions.set_quantity, customer.id, sid, 5)
    assert more.quantity == 5
    assert (await harness.run(sdk.subscriptions.suspend, customer.id, sid)).status == "suspended"
    back = await harness.run(sdk.subscriptions.reactivate, customer.id, sid)
    assert back.status == "active"
    fetched = await harness.run(sdk.subscriptions.get, customer.id, sid)
    assert (fetched.friendly_name, fetched.quantity) == ("Sales team", 5)
    with pytest.raises(BadInputError):
        await harness.run(sdk.subscriptions.set_quantity, customer.id, sid, 100000)
    with pytest.raises(NotFoundError):
        await harness.run(sdk.subscriptions.get, customer.id, str(uuid.uuid4()))
    with pytest.raises(NotFoundError):
        await harness.run(sdk.orders.get, customer.id, "no-such-order")
    with pytest.raises(ValueError, match="at least one"):
        await harness.run(sdk.subscriptions.update, customer.id, sid)


async def test_users_create_read_update_delete(harness: Harness, user_sdk: Any) -> None:
    customer = await harness.run(user_sdk.customers.create, wingtip())
    domain = customer.company_profile.domain
    admins = await harness.collect(user_sdk.users.list(customer.id))
    assert [u.user_principal_name for u in admins] == [f"admin@{domain}"]
    new = CustomerUser(
        user_principal_name=f"bob@{domain}",
        display_name="Bob Kelly",
        first_name="Bob",
        last_name="Kelly",
        usage_location="US",
        password_profile=PasswordProfile(password="Str0ng!Passw0rd", force_change_password=True),
    )
    assert "Str0ng" not in repr(new)

    created = await harness.run(user_sdk.users.create, customer.id, new)

    assert created.id
    assert created.user_principal_name == f"bob@{domain}"
    assert created.password_profile is None or created.password_profile.password is None
    with pytest.raises(ConflictError):
        await harness.run(user_sdk.users.create, customer.id, new)
    changed = await harness.run(
        user_sdk.users.update, customer.id, created.id, CustomerUser(display_name="Robert Kelly")
    )
    assert changed.display_name == "Robert Kelly"
    listed = await harness.collect(user_sdk.users.list(customer.id))
    assert sorted(u.display_name for u in listed) == ["Robert Kelly", "admin"]
    await harness.run(user_sdk.users.delete, customer.id, created.id)
    with pytest.raises(NotFoundError):
        await harness.run(user_sdk.users.get, customer.id, created.id)
    new.user_principal_name = "carol@elsewhere.example"
    with pytest.raises(BadInputError):
        await harness.run(user_sdk.users.create, customer.id, new)
