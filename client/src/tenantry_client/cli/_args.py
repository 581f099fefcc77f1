"""The command line's parser.

Connection options (`--profile`, `--base-url`, credentials) are accepted before or after
the subcommand: both parsers know them, and neither has a default (argparse.SUPPRESS), so
an option is in the namespace only when given, and one given after the subcommand wins.
Their environment variables and profiles are applied later, by `_connect.resolve`.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass

from tenantry_client._version import __version__
from tenantry_client.cli._fields import (
    ALIASES,
    FIELDS,
    REQUEST_ID_RULE,
    Field,
    check_request_id,
    dest,
)
from tenantry_client.cli._order_lines import LINE_FORMAT, OrderLine, parse_line

DEFAULT_CLI_BASE_URL = "http://127.0.0.1:8000"
REQUEST_ID_COLUMN = "request-id"
# The columns of what an import does after a row's create: its order's lines, and who
# accepted the agreement when not the row's billing contact (column → Contact attribute).
ORDERS_COLUMN = "orders"
CONTACT_COLUMNS: Mapping[str, str] = {
    "agreement-first-name": "first_name",
    "agreement-last-name": "last_name",
    "agreement-email": "email",
    "agreement-phone": "phone_number",
}


class UsageError(Exception):
    """The command line (or an input file) cannot be acted on: exit code 2."""


@dataclass(frozen=True)
class Option:
    """A connection option: its flag, its environment variable (if any), whether it is a
    secret, and whether it is a switch (a flag without a value)."""

    flag: str
    env: str | None
    help: str
    secret: bool = False
    switch: bool = False
    metavar: str | None = None

    @property
    def dest(self) -> str:
        return dest(self.flag[2:])


CONNECTION = (
    Option("--profile", "TENANTRY_PROFILE", "a connection saved by `login` (default: the default)"),
    Option("--base-url", "TENANTRY_BASE_URL", f"the service (default {DEFAULT_CLI_BASE_URL})"),
    Option("--tenant-id", "TENANTRY_TENANT_ID", "the partner's tenant"),
    Option("--client-id", "TENANTRY_CLIENT_ID", "the partner's app"),
    Option("--client-secret", "TENANTRY_CLIENT_SECRET", "the app's secret", secret=True),
    Option(
        "--certificate",
        "TENANTRY_CERTIFICATE",
        "the app's certificate and private key, PEM or PKCS#12 (instead of a secret)",
        metavar="PATH",
    ),
    Option(
        "--certificate-password-stdin",
        None,
        "read the certificate's password from stdin (else TENANTRY_CERTIFICATE_PASSWORD)",
        switch=True,
    ),
    Option(
        "--device-code",
        None,
        "sign in as a user with a device code, shown on stderr (instead of a secret)",
        switch=True,
    ),
    Option("--authority", "TENANTRY_AUTHORITY", "the token endpoint's base (default: base URL)"),
    Option("--token", "TENANTRY_TOKEN", "a bearer token to send instead", secret=True),
)
_LOGIN_OPTIONS = (
    "--profile",
    "--base-url",
    "--tenant-id",
    "--client-id",
    "--client-secret",
    "--authority",
)


def _connection(
    parser: argparse.ArgumentParser,
    flags: tuple[str, ...] | None = None,
    *,
    title: str = "connection (before or after the command; flags, then environment, then profile)",
    profile_help: str | None = None,
) -> None:
    group = parser.add_argument_group(title)
    for option in CONNECTION:
        if flags is None or option.flag in flags:
            text = profile_help if option.flag == "--profile" and profile_help else option.help
            if option.env:
                text = f"{text} ({option.env})"
            if option.switch:
                group.add_argument(
                    option.flag,
                    dest=option.dest,
                    action="store_true",
                    default=argparse.SUPPRESS,
                    help=text,
                )
            else:
                group.add_argument(
                    option.flag,
                    dest=option.dest,
                    default=argparse.SUPPRESS,
                    metavar=option.metavar or option.dest.upper(),
                    help=text,
                )


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        "-o",
        choices=["table", "json"],
        default="table",
        help="how to print the answer (default %(default)s)",
    )


def _pages(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=None, help="customers per page")
    parser.add_argument("--all", action="store_true", help="follow every page, not the first")


def request_id_type(value: str) -> str:
    """argparse's check of `--request-id`."""
    try:
        return check_request_id(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def order_line_type(value: str) -> OrderLine:
    """argparse's check of `--order`."""
    try:
        return parse_line(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _field_help(field: Field) -> str:
    mirror = f"-{field.parameter}" if field.parameter else "not a New-PartnerCustomer parameter"
    return f"{field.help} ({mirror})" if field.help else mirror


def _create(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    create = commands.add_parser(
        "create",
        help="create a customer (New-PartnerCustomer)",
        description="Create a customer. The flags are New-PartnerCustomer's parameters; "
        "the required ones may come from --from-json instead.",
    )
    required = create.add_argument_group("required (New-PartnerCustomer's mandatory parameters)")
    optional = create.add_argument_group("customer")
    for field in FIELDS:
        flags = [f"--{field.name}", *(f"--{alias}" for alias in ALIASES.get(field.name, ()))]
        group = required if field.required else optional
        group.add_argument(*flags, dest=dest(field.name), default=None, help=_field_help(field))
    create.add_argument(
        "--from-json",
        metavar="FILE",
        default=None,
        help="a Customer in Partner Center's JSON ('-': stdin); flags override it",
    )
    create.add_argument(
        "--request-id",
        type=request_id_type,
        default=None,
        help=f"the MS-RequestId, {REQUEST_ID_RULE}: repeat it to get the first answer again",
    )
    create.add_argument(
        "--what-if",
        action="store_true",
        help="print the request body and send nothing (New-PartnerCustomer -WhatIf)",
    )
    _output(create)
    _connection(create)


def import_epilog() -> str:
    """`customers import --help`: the CSV columns and the results file."""
    width = max(len(f.name) for f in FIELDS) + 2
    lines = [
        "CSV columns: a header line names them (any case, '-' or '_', any order, any",
        "subset); empty cells are left unset. * marks New-PartnerCustomer's mandatory ones.",
    ]
    for field in FIELDS:
        name = f"{field.name} *" if field.required else field.name
        mirror = f"-{field.parameter}" if field.parameter else "(not in New-PartnerCustomer)"
        lines.append(f"  {name.ljust(width)}{mirror}")
    pad = "".ljust(width)
    contact = list(CONTACT_COLUMNS)
    lines += [
        f"  {REQUEST_ID_COLUMN.ljust(width)}the row's MS-RequestId: a GUID (8-4-4-4-12 hex",
        f"  {pad}digits); by default a UUID 5 of the row's customer",
        f"  {ORDERS_COLUMN.ljust(width)}the row's order, {LINE_FORMAT};… (not --order's)",
        f"  {contact[0].ljust(width)}who accepted the agreement (--confirm-agreement),",
        f"  {contact[1].ljust(width)}when not the row's contact: each cell replaces that",
        f"  {contact[2].ljust(width)}part of the contact (contact-first-name, …-last-name,",
        f"  {contact[3].ljust(width)}contact-email, contact-phone)",
        "",
        "Results (FILE.results.csv by default, readable by you only), a line a row outcome:",
        "  row,domain,status,step,customer_id,user_name,password,agreement,order_id,",
        "  subscription_ids,error_code,error_description,request_id,order_request_id.",
        "  status: created, replayed (created by an earlier run), continued (created by an",
        "  earlier run of this import, the steps left done by this one), failed (a step not",
        "  done: step says which, error_code and error_description why) or unknown (a step",
        "  perhaps done). step: customer, agreement or order. A line repeats what the row's",
        "  earlier lines show done: the last line of a row says everything.",
        "--resume goes on from each row's first step not done: a customer is created once,",
        "an agreement confirmed once, an order placed once.",
        "Exit code: 0 when every row is done, 1 otherwise, 130 interrupted.",
        "",
        "Example: tenantry customers import new.csv --confirm-agreement \\",
        '           --order m365-business-basic:5 --order azure --token "$USER_TOKEN"',
    ]
    return "\n".join(lines)


def _customers(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    customers = groups.add_parser("customers", help="create, read, list, search, delete, import")
    commands = customers.add_subparsers(dest="command", required=True)
    _create(commands)

    get = commands.add_parser("get", help="one customer")
    get.add_argument("id")
    _output(get)
    _connection(get)

    listing = commands.add_parser("list", help="the partner's customers")
    _pages(listing)
    _output(listing)
    _connection(listing)

    search = commands.add_parser("search", help="customers by name or domain prefix, or reseller")
    criterion = search.add_mutually_exclusive_group(required=True)
    criterion.add_argument("--company-name", metavar="PREFIX")
    criterion.add_argument("--domain", metavar="PREFIX")
    criterion.add_argument("--indirect-reseller", metavar="TENANT_ID")
    _pages(search)
    _output(search)
    _connection(search)

    delete = commands.add_parser("delete", help="delete a customer (integration sandbox only)")
    delete.add_argument("id")
    _connection(delete)

    bulk = commands.add_parser(
        "import",
        help="create the customers of a CSV file (and confirm agreements, place orders)",
        description="Create one customer per row of a CSV file, concurrently and resumably;\n"
        "then, if asked, confirm its acceptance of the Microsoft Customer Agreement\n"
        "(--confirm-agreement) and place its order (--order): normally both are given.",
        epilog=import_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bulk.add_argument("file", metavar="FILE.csv")
    bulk.add_argument("--concurrency", type=int, default=8, help="rows in flight (default 8)")
    bulk.add_argument(
        "--results",
        default=None,
        help="the results CSV (default: FILE.results.csv beside FILE.csv)",
    )
    bulk.add_argument(
        "--resume",
        action="store_true",
        help="skip the rows the results file shows done; go on with the others from "
        "their first step not done",
    )
    bulk.add_argument("--no-progress", action="store_true", help="no progress bar")
    after = bulk.add_argument_group("after each create")
    after.add_argument(
        "--confirm-agreement",
        action="store_true",
        help="confirm the customer's acceptance of the Microsoft Customer Agreement, by the "
        "row's contact (the current template, from GET /v1/agreements); needs an App+User "
        "sign-in (--device-code, or --token with a user's token)",
    )
    after.add_argument(
        "--agreement-date",
        metavar="WHEN",
        default=None,
        help="when the customers accepted it, ISO 8601; without a zone, UTC (default: now)",
    )
    after.add_argument(
        "--order",
        action="append",
        type=order_line_type,
        metavar=LINE_FORMAT,
        default=None,
        help="then place one order a row with this line (quantity 1 by default); repeat it "
        f"for more lines; a row's {ORDERS_COLUMN} cell replaces them. An order needs the "
        "customer's confirmed agreement (else error 880044): give --confirm-agreement too, "
        "unless the customers have it already",
    )
    _connection(bulk)


def _profiles(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    login = groups.add_parser(
        "login",
        help="save a connection as a profile",
        description="Save a named connection (base URL, tenant, client id) so that commands "
        "need no connection flags. The secret goes to the system keyring when there is one, "
        "otherwise to a file readable by you only. The first profile saved is the default.",
    )
    _connection(
        login,
        _LOGIN_OPTIONS,
        title="the connection to save (flags, then environment)",
        profile_help="the profile's name (default: default)",
    )
    login.add_argument(
        "--client-secret-stdin", action="store_true", help="read the secret from stdin"
    )
    login.add_argument("--default", action="store_true", help="make it the default profile")
    login.add_argument("--no-verify", action="store_true", help="save without signing in to check")

    logout = groups.add_parser(
        "logout", help="remove a profile and its secret (default: the default profile)"
    )
    _connection(
        logout,
        ("--profile",),
        title="profile",
        profile_help="the profile to remove (default: the default profile)",
    )

    profiles = groups.add_parser("profiles", help="the saved profiles")
    commands = profiles.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the profiles (never their secrets)")
    _output(listing)
    use = commands.add_parser("use", help="make a profile the default")
    use.add_argument("name")


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The parser of `tenantry-client …` (also `tenantry customers|domains|addresses …`)."""
    parser = argparse.ArgumentParser(
        prog=prog, description="Partner Center customers from the command line."
    )
    parser.add_argument("--version", action="version", version=f"tenantry-client {__version__}")
    _connection(parser)
    groups = parser.add_subparsers(
        dest="group",
        required=True,
        metavar="{customers,agreements,offers,orders,subscriptions,users,domains,addresses,"
        "login,logout,profiles}",
    )
    _customers(groups)
    from tenantry_client.cli._commerce_args import add_commerce

    add_commerce(groups)

    domains = groups.add_parser("domains", help="domain availability")
    domain_commands = domains.add_subparsers(dest="command", required=True)
    check = domain_commands.add_parser(
        "check", help="exit 0 and print 'available' if free, exit 1 and print 'taken' if not"
    )
    check.add_argument("domain")
    _output(check)
    _connection(check)

    addresses = groups.add_parser("addresses", help="address validation")
    address_commands = addresses.add_subparsers(dest="command", required=True)
    validate = address_commands.add_parser("validate", help="validate a postal address")
    validate.add_argument("--country", required=True)
    validate.add_argument("--line1", required=True)
    validate.add_argument("--line2", default=None)
    validate.add_argument("--city", required=True)
    validate.add_argument("--state", default=None)
    validate.add_argument("--postal-code", default=None)
    _output(validate)
    _connection(validate)

    _profiles(groups)
    return parser
