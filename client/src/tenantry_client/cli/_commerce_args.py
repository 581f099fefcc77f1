"""The parsers of the commands for what comes after a customer's create: `agreements`,
`offers`, `orders`, `subscriptions` and `users`."""

from __future__ import annotations

import argparse
from typing import TypeAlias

from tenantry_client.cli._args import _connection, _output, request_id_type
from tenantry_client.cli._fields import REQUEST_ID_RULE

GROUPS = ("agreements", "offers", "orders", "subscriptions", "users")
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _command(commands: Commands, name: str, help: str, *ids: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help)
    for id_name in ids:
        parser.add_argument(id_name)
    return parser


def _done(parser: argparse.ArgumentParser) -> None:
    _output(parser)
    _connection(parser)


def _agreements(groups: Commands) -> None:
    group = groups.add_parser("agreements", help="a customer's confirmed agreements")
    commands = group.add_subparsers(dest="command", required=True)
    listing = _command(commands, "list", "the customer's confirmed agreements", "customer_id")
    listing.add_argument("--type", dest="agreement_type", default=None, help="e.g. *")
    _done(listing)
    confirm = _command(
        commands,
        "confirm",
        "confirm that the customer accepted the Microsoft Customer Agreement (App+User)",
        "customer_id",
    )
    confirm.add_argument("--first-name", required=True, help="who accepted it")
    confirm.add_argument("--last-name", required=True)
    confirm.add_argument("--email", required=True)
    confirm.add_argument("--phone", default=None)
    confirm.add_argument(
        "--date", default=None, help="when, ISO 8601 (default: now); without a zone, UTC"
    )
    confirm.add_argument(
        "--template-id", default=None, help="default: the current one, from GET /v1/agreements"
    )
    _done(confirm)


def _offers(groups: Commands) -> None:
    group = groups.add_parser("offers", help="the offers a market may order")
    commands = group.add_subparsers(dest="command", required=True)
    listing = _command(commands, "list", "the offers of a market")
    listing.add_argument("--country", required=True, help="ISO 3166 two-letter code, e.g. US")
    listing.add_argument("--size", type=int, default=None, help="offers per page")
    listing.add_argument("--all", action="store_true", help="follow every page, not the first")
    _done(listing)
    get = _command(commands, "get", "one offer of a market", "offer_id")
    get.add_argument("--country", required=True, help="ISO 3166 two-letter code, e.g. US")
    _done(get)


def _orders(groups: Commands) -> None:
    group = groups.add_parser("orders", help="place and read a customer's orders")
    commands = group.add_subparsers(dest="command", required=True)
    create = _command(commands, "create", "order an offer for the customer", "customer_id")
    create.add_argument("--offer", required=True, metavar="OFFER_ID")
    create.add_argument("--quantity", required=True, type=int)
    create.add_argument("--friendly-name", default=None)
    create.add_argument(
        "--request-id",
        type=request_id_type,
        default=None,
        help=f"the MS-RequestId, {REQUEST_ID_RULE}: repeat it to get the first answer again",
    )
    _done(create)
    _done(_command(commands, "list", "the customer's orders", "customer_id"))
    _done(_command(commands, "get", "one order", "customer_id", "order_id"))


def _subscriptions(groups: Commands) -> None:
    group = groups.add_parser("subscriptions", help="a customer's subscriptions")
    commands = group.add_subparsers(dest="command", required=True)
    _done(_command(commands, "list", "the customer's subscriptions", "customer_id"))
    ids = ("customer_id", "subscription_id")
    _done(_command(commands, "get", "one subscription", *ids))
    _done(_command(commands, "rename", "set the friendly name", *ids, "friendly_name"))
    quantity = _command(commands, "set-quantity", "set the number of licenses", *ids)
    quantity.add_argument("quantity", type=int)
    _done(quantity)
    _done(_command(commands, "suspend", "suspend the subscription", *ids))
    _done(_command(commands, "reactivate", "reactivate a suspended subscription", *ids))


def _users(groups: Commands) -> None:
    group = groups.add_parser("users", help="a customer's users")
    commands = group.add_subparsers(dest="command", required=True)
    listing = _command(commands, "list", "the customer's users", "customer_id")
    listing.add_argument("--all", action="store_true", help="follow every page, not the first")
    _done(listing)
    _done(_command(commands, "get", "one user", "customer_id", "user_id"))
    create = _command(
        commands,
        "create",
        "add a user; a generated password is shown once (App+User)",
        "customer_id",
    )
    create.add_argument(
        "--user-principal-name", required=True, help="the sign-in name, in the customer's domain"
    )
    create.add_argument("--display-name", required=True)
    create.add_argument("--first-name", default=None)
    create.add_argument("--last-name", default=None)
    create.add_argument("--usage-location", required=True, help="two letters, e.g. US")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin (default: generate one and show it once)",
    )
    create.add_argument(
        "--no-force-change-password",
        action="store_true",
        help="do not make the user change the password at the first sign-in",
    )
    _done(create)
    delete = _command(commands, "delete", "delete a user (App+User)", "customer_id", "user_id")
    _connection(delete)


def add_commerce(groups: Commands) -> None:
    """Add the five groups to the top-level parser's subcommands."""
    _agreements(groups)
    _offers(groups)
    _orders(groups)
    _subscriptions(groups)
    _users(groups)
