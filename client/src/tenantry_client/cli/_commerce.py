"""`agreements`, `offers`, `orders`, `subscriptions` and `users`: what comes after a
customer's create, over the SDK; a table, or Partner Center's JSON with `--output json`."""

from __future__ import annotations

import argparse
import secrets
import string
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from tenantry_client._agreements import (
    MICROSOFT_CUSTOMER_AGREEMENT,
    Agreement,
    AgreementMetadata,
    Contact,
)
from tenantry_client._client import PartnerClient
from tenantry_client._offers import Offer
from tenantry_client._orders import Order
from tenantry_client._paging import Pager
from tenantry_client._subscriptions import Subscription
from tenantry_client._users import CustomerUser, PasswordProfile
from tenantry_client._wire import timestamp
from tenantry_client.cli._args import UsageError
from tenantry_client.cli._connect import resolve
from tenantry_client.cli._output import emit_json, key_values, table

T = TypeVar("T")

_SYMBOLS = "!#%+-.:=?@_"


def generate_password(length: int = 16) -> str:
    """A random password with upper and lower case letters, digits and symbols."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS)
    alphabet = "".join(classes)
    chosen = [secrets.choice(c) for c in classes]
    chosen += [secrets.choice(alphabet) for _ in range(length - len(classes))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def agreed_at(text: str | None, flag: str) -> datetime | None:
    """The date and time a flag gives for an agreement's acceptance (ISO 8601; without a
    zone, UTC), or None when it is not given (then: now)."""
    if text is None:
        return None
    parsed = timestamp(text)
    if parsed is None:
        raise UsageError(f"{flag} {text!r} is not an ISO 8601 date and time")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def first_pages(pager: Pager[T], every: bool) -> tuple[list[T], bool]:
    """The items of the first page (`every`: of every page), and whether more are left."""
    items: list[T] = []
    for page in pager.by_page():
        items.extend(page.items)
        if not every:
            return items, page.continuation_token is not None
    return items, False


def current_template(templates: list[AgreementMetadata]) -> str:
    """The current template id among the Microsoft Customer Agreement's templates."""
    best = max(templates, key=lambda m: m.version_rank or 0, default=None)
    if best is None or not best.template_id:
        raise UsageError("the service names no Microsoft Customer Agreement template")
    return best.template_id


def template_id(client: PartnerClient) -> str:
    """The Microsoft Customer Agreement's current template id, as the service names it."""
    return current_template(client.agreements.metadata(MICROSOFT_CUSTOMER_AGREEMENT))


def _print_one(
    wire: dict[str, object], rows: Sequence[tuple[str, str | None]], output: str
) -> None:
    if output == "json":
        emit_json(wire)
    else:
        key_values(rows)


def _collection(items: list[dict[str, object]], output: str) -> bool:
    """Print the JSON collection if asked; True if it was printed."""
    if output == "json":
        emit_json({"totalCount": len(items), "items": items})
    return output == "json"


def agreement_rows(a: Agreement) -> list[tuple[str, str | None]]:
    """The lines of one confirmed agreement in a table."""
    contact = a.primary_contact or Contact()
    return [
        ("Type", a.agreement_type),
        ("Template id", a.template_id),
        ("Date agreed", a.date_agreed.isoformat() if a.date_agreed else None),
        ("Contact", " ".join(p for p in (contact.first_name, contact.last_name) if p)),
        ("Contact email", contact.email),
        ("Contact phone", contact.phone_number),
    ]


def order_rows(order: Order) -> list[tuple[str, str | None]]:
    """The lines of one order in a table: a line per line item and its subscription."""
    rows: list[tuple[str, str | None]] = [
        ("Order id", order.id),
        ("Customer id", order.reference_customer_id),
        ("Status", order.status),
        ("Created", order.creation_date.isoformat() if order.creation_date else None),
    ]
    for item in order.line_items:
        label = f"Line {item.line_item_number}"
        rows.append((label, f"{item.offer_id} x{item.quantity} ({item.friendly_name or '-'})"))
        rows.append((f"{label} subscription", item.subscription_id))
    return rows


def _agreements(args: argparse.Namespace, client: PartnerClient) -> None:
    if args.command == "list":
        found = client.agreements.list(args.customer_id, agreement_type=args.agreement_type)
        if not _collection([a.to_wire() for a in found], args.output):
            rows = []
            for a in found:
                contact = a.primary_contact or Contact()
                name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
                agreed = a.date_agreed.isoformat() if a.date_agreed else ""
                rows.append([a.agreement_type or "", agreed, name, contact.email or ""])
            table(["TYPE", "DATE AGREED", "CONTACT", "EMAIL"], rows)
        return
    agreement = Agreement(
        primary_contact=Contact(
            first_name=args.first_name,
            last_name=args.last_name,
            email=args.email,
            phone_number=args.phone,
        ),
        template_id=args.template_id or template_id(client),
        date_agreed=agreed_at(args.date, "--date") or datetime.now(UTC),
    )
    confirmed = client.agreements.confirm(args.customer_id, agreement)
    _print_one(confirmed.to_wire(), agreement_rows(confirmed), args.output)


def _offer_rows(offer: Offer) -> list[tuple[str, str | None]]:
    low, high = offer.minimum_quantity, offer.maximum_quantity
    return [
        ("Offer id", offer.id),
        ("Name", offer.name),
        ("Category", offer.category.name if offer.category else None),
        ("Billing", offer.billing),
        ("Unit", offer.unit_type),
        ("Quantity", None if low is None or high is None else f"{low}-{high}"),
        ("Country", offer.country),
    ]


def _offers(args: argparse.Namespace, client: PartnerClient) -> None:
    if args.command == "get":
        offer = client.offers.get(args.offer_id, args.country)
        _print_one(offer.to_wire(), _offer_rows(offer), args.output)
        return
    if args.size is not None and args.size < 1:
        raise UsageError("--size must be at least 1")
    offers, more = first_pages(client.offers.list(args.country, size=args.size), args.all)
    if not _collection([o.to_wire() for o in offers], args.output):
        rows = [
            [
                o.id or "",
                o.name or "",
                f"{o.minimum_quantity}-{o.maximum_quantity}",
                o.billing or "",
            ]
            for o in offers
        ]
        table(["ID", "NAME", "QUANTITY", "BILLING"], rows)
    if more:
        print("(more offers: --all lists every page)", file=sys.stderr)


def _orders(args: argparse.Namespace, client: PartnerClient) -> None:
    if args.command == "create":
        if args.quantity < 1:
            raise UsageError("--quantity must be at least 1")
        order = client.orders.place(
            args.customer_id,
            args.offer,
            args.quantity,
            friendly_name=args.friendly_name,
            request_id=args.request_id,
        )
        _print_one(order.to_wire(), order_rows(order), args.output)
        return
    if args.command == "get":
        order = client.orders.get(args.customer_id, args.order_id)
        _print_one(order.to_wire(), order_rows(order), args.output)
        return
    orders: list[Order] = client.orders.list(args.customer_id)
    if not _collection([o.to_wire() for o in orders], args.output):
        rows = []
        for o in orders:
            offers = ", ".join(f"{i.offer_id} x{i.quantity}" for i in o.line_items)
            created = o.creation_date.isoformat() if o.creation_date else ""
            rows.append([o.id or "", created, o.status or "", offers])
        table(["ID", "CREATED", "STATUS", "LINES"], rows)


def _subscription_rows(s: Subscription) -> list[tuple[str, str | None]]:
    return [
        ("Subscription id", s.id),
        ("Friendly name", s.friendly_name),
        ("Offer", f"{s.offer_name} ({s.offer_id})" if s.offer_name else s.offer_id),
        ("Quantity", None if s.quantity is None else str(s.quantity)),
        ("Status", s.status),
        ("Order id", s.order_id),
        ("Billing cycle", s.billing_cycle),
        ("Created", s.creation_date.isoformat() if s.creation_date else None),
    ]


def _subscriptions(args: argparse.Namespace, client: PartnerClient) -> None:
    subs = client.subscriptions
    if args.command == "list":
        found = subs.list(args.customer_id)
        if not _collection([s.to_wire() for s in found], args.output):
            rows = [
                [
                    s.id or "",
                    s.friendly_name or "",
                    s.offer_id or "",
                    str(s.quantity),
                    s.status or "",
                ]
                for s in found
            ]
            table(["ID", "FRIENDLY NAME", "OFFER", "QUANTITY", "STATUS"], rows)
        return
    ids = (args.customer_id, args.subscription_id)
    if args.command == "get":
        result = subs.get(*ids)
    elif args.command == "rename":
        result = subs.rename(*ids, args.friendly_name)
    elif args.command == "set-quantity":
        if args.quantity < 1:
            raise UsageError("quantity must be at least 1")
        result = subs.set_quantity(*ids, args.quantity)
    elif args.command == "suspend":
        result = subs.suspend(*ids)
    else:
        result = subs.reactivate(*ids)
    _print_one(result.to_wire(), _subscription_rows(result), args.output)


def _user_rows(user: CustomerUser) -> list[tuple[str, str | None]]:
    return [
        ("User id", user.id),
        ("User principal name", user.user_principal_name),
        ("Display name", user.display_name),
        ("First name", user.first_name),
        ("Last name", user.last_name),
        ("Usage location", user.usage_location),
        ("State", user.state),
    ]


def _new_user(args: argparse.Namespace) -> tuple[CustomerUser, bool]:
    """The user to create, and whether its password was generated (to be shown)."""
    generated = not args.password_stdin
    password = generate_password() if generated else sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError("--password-stdin read an empty password")
    user = CustomerUser(
        user_principal_name=args.user_principal_name,
        display_name=args.display_name,
        first_name=args.first_name,
        last_name=args.last_name,
        usage_location=args.usage_location,
        password_profile=PasswordProfile(
            password=password, force_change_password=not args.no_force_change_password
        ),
    )
    return user, generated


def _users(args: argparse.Namespace, client: PartnerClient) -> None:
    if args.command == "list":
        users, more = first_pages(client.users.list(args.customer_id), args.all)
        if not _collection([u.to_wire() for u in users], args.output):
            rows = [
                [u.id or "", u.user_principal_name or "", u.display_name or "", u.state or ""]
                for u in users
            ]
            table(["ID", "USER PRINCIPAL NAME", "DISPLAY NAME", "STATE"], rows)
        if more:
            print("(more users: --all lists every page)", file=sys.stderr)
        return
    if args.command == "get":
        user = client.users.get(args.customer_id, args.user_id)
        _print_one(user.to_wire(), _user_rows(user), args.output)
        return
    if args.command == "delete":
        client.users.delete(args.customer_id, args.user_id)
        print(f"deleted {args.user_id}")
        return
    new, generated = _new_user(args)
    created = client.users.create(args.customer_id, new)
    password = new.password_profile.password if new.password_profile and generated else None
    wire = created.to_wire()
    if password is not None:
        wire["passwordProfile"] = {"password": password}
    _print_one(wire, [*_user_rows(created), ("Password", password)], args.output)
    if password is not None and args.output == "table":
        print("The password is shown this once: store it now.", file=sys.stderr)


_RUNNERS: dict[str, Callable[[argparse.Namespace, PartnerClient], None]] = {
    "agreements": _agreements,
    "offers": _offers,
    "orders": _orders,
    "subscriptions": _subscriptions,
    "users": _users,
}


def run_commerce(args: argparse.Namespace) -> int:
    """Run one command of the five groups; errors are raised for `main` to print."""
    with resolve(args).client() as client:
        _RUNNERS[args.group](args, client)
    return 0
