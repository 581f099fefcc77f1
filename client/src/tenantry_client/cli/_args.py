"""The command line: its parser, and the customer fields shared by flags and CSV columns."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tenantry_client._models import (
    Address,
    Customer,
    CustomerBillingProfile,
    CustomerCompanyProfile,
)

DEFAULT_CLI_BASE_URL = "http://127.0.0.1:8000"


class UsageError(Exception):
    """The command line (or an input file) cannot be acted on: exit code 2."""


def _company(customer: Customer) -> CustomerCompanyProfile:
    if customer.company_profile is None:
        customer.company_profile = CustomerCompanyProfile()
    return customer.company_profile


def _billing(customer: Customer) -> CustomerBillingProfile:
    if customer.billing_profile is None:
        customer.billing_profile = CustomerBillingProfile()
    return customer.billing_profile


def _address(customer: Customer) -> Address:
    billing = _billing(customer)
    if billing.default_address is None:
        billing.default_address = Address()
    return billing.default_address


def _set_first_name(c: Customer, v: str) -> None:
    _billing(c).first_name = v
    _address(c).first_name = v


def _set_last_name(c: Customer, v: str) -> None:
    _billing(c).last_name = v
    _address(c).last_name = v


@dataclass(frozen=True)
class Field:
    """One customer field: a `--flag` of `customers create` and a column of a CSV import."""

    name: str
    help: str
    apply: Callable[[Customer, str], None]


def _setter(part: Callable[[Customer], object], attribute: str) -> Callable[[Customer, str], None]:
    def apply(customer: Customer, value: str) -> None:
        setattr(part(customer), attribute, value)

    return apply


def _set_partner(customer: Customer, value: str) -> None:
    customer.associated_partner_id = value


# In the order of PowerShell's New-PartnerCustomer parameters that they mirror.
FIELDS: tuple[Field, ...] = (
    Field(
        "domain",
        "the domain prefix's full name, e.g. contoso.onmicrosoft.com",
        _setter(_company, "domain"),
    ),
    Field("name", "the company name", _setter(_billing, "company_name")),
    Field("contact-email", "the billing contact's email", _setter(_billing, "email")),
    Field("contact-first-name", "the billing contact's first name", _set_first_name),
    Field("contact-last-name", "the billing contact's last name", _set_last_name),
    Field("contact-phone", "the billing contact's phone number", _setter(_address, "phone_number")),
    Field("culture", "e.g. en-US", _setter(_billing, "culture")),
    Field("language", "e.g. en", _setter(_billing, "language")),
    Field("billing-address-line1", "", _setter(_address, "address_line1")),
    Field("billing-address-line2", "", _setter(_address, "address_line2")),
    Field("billing-address-city", "", _setter(_address, "city")),
    Field("billing-address-state", "", _setter(_address, "state")),
    Field("billing-address-postal-code", "", _setter(_address, "postal_code")),
    Field(
        "billing-address-country", "ISO 3166 two-letter code, e.g. US", _setter(_address, "country")
    ),
    Field(
        "organization-registration-number",
        "required in some countries",
        _setter(_company, "organization_registration_number"),
    ),
    Field("associated-partner-id", "create the customer for this indirect reseller", _set_partner),
)
FIELD_NAMES = frozenset(f.name for f in FIELDS)


def dest(name: str) -> str:
    """The argparse attribute of a flag name (`contact-email` → `contact_email`)."""
    return name.replace("-", "_")


def apply_fields(customer: Customer, values: Mapping[str, str | None]) -> Customer:
    """Set the fields given (by flag name); None and empty values are left alone."""
    for field in FIELDS:
        value = values.get(field.name)
        if value is not None and value != "":
            field.apply(customer, value)
    return customer


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def _connection(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection (also from the environment)")
    group.add_argument(
        "--base-url",
        default=_env("TENANTRY_BASE_URL") or DEFAULT_CLI_BASE_URL,
        help="the service (TENANTRY_BASE_URL; default %(default)s)",
    )
    group.add_argument(
        "--tenant-id",
        default=_env("TENANTRY_TENANT_ID"),
        help="the partner's tenant (TENANTRY_TENANT_ID)",
    )
    group.add_argument(
        "--client-id",
        default=_env("TENANTRY_CLIENT_ID"),
        help="the partner's app (TENANTRY_CLIENT_ID)",
    )
    group.add_argument(
        "--client-secret",
        default=_env("TENANTRY_CLIENT_SECRET"),
        help="the app's secret (TENANTRY_CLIENT_SECRET)",
    )
    group.add_argument(
        "--authority",
        default=_env("TENANTRY_AUTHORITY"),
        help="the token endpoint's base (TENANTRY_AUTHORITY; default: --base-url)",
    )
    group.add_argument(
        "--token",
        default=_env("TENANTRY_TOKEN"),
        help="a bearer token to send instead of signing in (TENANTRY_TOKEN)",
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


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The parser of `tenantry-client …` (also `tenantry customers|domains|addresses …`)."""
    parser = argparse.ArgumentParser(
        prog=prog, description="Partner Center customers from the command line."
    )
    groups = parser.add_subparsers(
        dest="group", required=True, metavar="{customers,domains,addresses}"
    )

    customers = groups.add_parser("customers", help="create, read, list, search, delete, import")
    commands = customers.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create", help="create a customer (New-PartnerCustomer)")
    for field in FIELDS:
        flags = [f"--{field.name}"]
        if field.name == "contact-phone":
            flags.append("--contact-phone-number")
        create.add_argument(*flags, dest=dest(field.name), default=None, help=field.help or None)
    create.add_argument(
        "--from-json",
        metavar="FILE",
        default=None,
        help="a Customer in Partner Center's JSON ('-': stdin); flags override it",
    )
    create.add_argument(
        "--request-id",
        default=None,
        help="the MS-RequestId: repeat it to get the first answer again",
    )
    _output(create)
    _connection(create)

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

    bulk = commands.add_parser("import", help="create the customers of a CSV file")
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
        help="skip the rows the results file shows created; re-send the others",
    )
    bulk.add_argument("--no-progress", action="store_true", help="no progress bar")
    _connection(bulk)

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
    return parser
