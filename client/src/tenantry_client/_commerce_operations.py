"""The calls that come after a customer's create, as `Operation`s: agreements, offers,
orders, subscriptions and the customer's users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tenantry_client._agreements import Agreement, AgreementMetadata
from tenantry_client._core import Operation, Retryable
from tenantry_client._offers import Offer
from tenantry_client._operations import (
    CONTINUATION_HEADER,
    _customer,
    _items,
    _reader,
    _segment,
    follow,
    page_reader,
)
from tenantry_client._orders import Order
from tenantry_client._paging import NextLink, Page
from tenantry_client._subscriptions import Subscription
from tenantry_client._users import CustomerUser
from tenantry_client._wire import dumps

# --- agreements -----------------------------------------------------------------------


def agreement_metadata(agreement_type: str) -> Operation[list[AgreementMetadata]]:
    params = (("agreementType", agreement_type),)
    return Operation("GET", "/v1/agreements", _items(AgreementMetadata.from_wire), params=params)


def customer_agreements(customer_id: str, agreement_type: str | None) -> Operation[list[Agreement]]:
    params = () if agreement_type is None else (("agreementType", agreement_type),)
    path = f"{_customer(customer_id)}/agreements"
    return Operation("GET", path, _items(Agreement.from_wire), params=params)


def confirm_agreement(customer_id: str, agreement: Agreement) -> Operation[Agreement]:
    # A repeat of a confirmation that was made is refused (409): retried only if unsent.
    path = f"{_customer(customer_id)}/agreements"
    body = dumps(agreement.to_wire())
    return Operation(
        "POST", path, _reader(Agreement.from_wire), body=body, retryable=Retryable.UNSENT
    )


# --- offers ---------------------------------------------------------------------------

_OFFER_PAGE = page_reader(Offer.from_wire)


def list_offers(country: str, size: int | None) -> Operation[Page[Offer]]:
    params: list[tuple[str, str]] = [("country", country)]
    if size is not None:
        params.append(("size", str(int(size))))
    return Operation("GET", "/v1/offers", _OFFER_PAGE, params=tuple(params))


def next_offers(link: NextLink) -> Operation[Page[Offer]]:
    """The page `links.next` points to."""
    return follow(link, _OFFER_PAGE)


def get_offer(offer_id: str, country: str) -> Operation[Offer]:
    path = f"/v1/offers/{_segment('offer_id', offer_id)}"
    return Operation("GET", path, _reader(Offer.from_wire), params=(("country", country),))


# --- orders ---------------------------------------------------------------------------


def create_order(customer_id: str, order: Order) -> Operation[Order]:
    # Safe to retry: the service answers a repeated MS-RequestId with the first answer.
    path = f"{_customer(customer_id)}/orders"
    return Operation("POST", path, _reader(Order.from_wire), body=dumps(order.to_wire()))


def customer_orders(customer_id: str) -> Operation[list[Order]]:
    return Operation("GET", f"{_customer(customer_id)}/orders", _items(Order.from_wire))


def get_order(customer_id: str, order_id: str) -> Operation[Order]:
    path = f"{_customer(customer_id)}/orders/{_segment('order_id', order_id)}"
    return Operation("GET", path, _reader(Order.from_wire))


# --- subscriptions --------------------------------------------------------------------


def _subscription(customer_id: str, subscription_id: str) -> str:
    sid = _segment("subscription_id", subscription_id)
    return f"{_customer(customer_id)}/subscriptions/{sid}"


def customer_subscriptions(customer_id: str) -> Operation[list[Subscription]]:
    path = f"{_customer(customer_id)}/subscriptions"
    return Operation("GET", path, _items(Subscription.from_wire))


def get_subscription(customer_id: str, subscription_id: str) -> Operation[Subscription]:
    path = _subscription(customer_id, subscription_id)
    return Operation("GET", path, _reader(Subscription.from_wire))


def update_subscription(
    customer_id: str,
    subscription_id: str,
    *,
    friendly_name: str | None,
    quantity: int | None,
    status: str | None,
) -> Operation[Subscription]:
    """PATCH the members given; each sets a value, so a repeat changes nothing more."""
    changes: dict[str, Any] = {}
    if friendly_name is not None:
        changes["friendlyName"] = friendly_name
    if quantity is not None:
        changes["quantity"] = int(quantity)
    if status is not None:
        changes["status"] = status
    if not changes:
        raise ValueError("give at least one of friendly_name, quantity, status")
    path = _subscription(customer_id, subscription_id)
    return Operation("PATCH", path, _reader(Subscription.from_wire), body=dumps(changes))


# --- a customer's users ---------------------------------------------------------------

_USER_PAGE = page_reader(CustomerUser.from_wire)


def _user(customer_id: str, user_id: str) -> str:
    return f"{_customer(customer_id)}/users/{_segment('user_id', user_id)}"


def list_users(customer_id: str, size: int | None) -> Operation[Page[CustomerUser]]:
    params = () if size is None else (("size", str(int(size))),)
    return Operation("GET", f"{_customer(customer_id)}/users", _USER_PAGE, params=params)


def next_users(link: NextLink) -> Operation[Page[CustomerUser]]:
    """The page `links.next` points to."""
    return follow(link, _USER_PAGE)


def resume_users(customer_id: str) -> Callable[[str], NextLink]:
    """Where the page after a continuation token is, as a later `links.next` would say."""

    def resume(token: str) -> NextLink:
        if token.startswith("/"):  # a URI: the page's own link
            return NextLink(token)
        uri = f"/customers/{_segment('customer_id', customer_id)}/users?seekOperation=Next"
        return NextLink(uri, ((CONTINUATION_HEADER, token),))

    return resume


def get_user(customer_id: str, user_id: str) -> Operation[CustomerUser]:
    return Operation("GET", _user(customer_id, user_id), _reader(CustomerUser.from_wire))


def create_user(customer_id: str, user: CustomerUser) -> Operation[CustomerUser]:
    # A repeat of a create that was made is refused (409): retried only if unsent.
    path = f"{_customer(customer_id)}/users"
    return Operation(
        "POST",
        path,
        _reader(CustomerUser.from_wire),
        body=dumps(user.to_wire()),
        retryable=Retryable.UNSENT,
    )


def update_user(customer_id: str, user_id: str, user: CustomerUser) -> Operation[CustomerUser]:
    path = _user(customer_id, user_id)
    body = dumps(user.to_wire())
    return Operation("PATCH", path, _reader(CustomerUser.from_wire), body=body)


def delete_user(customer_id: str, user_id: str) -> Operation[None]:
    path = _user(customer_id, user_id)
    return Operation("DELETE", path, lambda _: None, retryable=Retryable.UNSENT)
