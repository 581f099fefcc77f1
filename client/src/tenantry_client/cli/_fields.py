"""The customer fields shared by the flags of `customers create` and the columns of a CSV
import, named after PowerShell's `New-PartnerCustomer` parameters."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tenantry_client._models import (
    Address,
    Customer,
    CustomerBillingProfile,
    CustomerCompanyProfile,
)


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


def _set_name(c: Customer, v: str) -> None:
    # New-PartnerCustomer sets both profiles' company name from -Name.
    _billing(c).company_name = v
    _company(c).company_name = v


def _set_first_name(c: Customer, v: str) -> None:
    _billing(c).first_name = v
    _address(c).first_name = v


def _set_last_name(c: Customer, v: str) -> None:
    _billing(c).last_name = v
    _address(c).last_name = v


def _set_partner(customer: Customer, value: str) -> None:
    customer.associated_partner_id = value


def _setter(part: Callable[[Customer], object], attribute: str) -> Callable[[Customer, str], None]:
    def apply(customer: Customer, value: str) -> None:
        setattr(part(customer), attribute, value)

    return apply


def _getter(part: Callable[[Customer], object], attribute: str) -> Callable[[Customer], object]:
    def read(customer: Customer) -> object:
        return getattr(part(customer), attribute)

    return read


@dataclass(frozen=True)
class Field:
    """One customer field: a `--flag` of `customers create` and a column of a CSV import.

    `parameter` is the New-PartnerCustomer parameter it mirrors; `required` is true for
    the parameters that cmdlet makes mandatory; `read` says whether a customer has it."""

    name: str
    parameter: str
    help: str
    apply: Callable[[Customer, str], None]
    read: Callable[[Customer], object]
    required: bool = False


def _field(
    name: str,
    parameter: str,
    help: str,
    part: Callable[[Customer], object],
    attribute: str,
    *,
    required: bool = False,
    apply: Callable[[Customer, str], None] | None = None,
) -> Field:
    return Field(
        name,
        parameter,
        help,
        apply or _setter(part, attribute),
        _getter(part, attribute),
        required,
    )


# In the order of New-PartnerCustomer's example, then its other parameters.
FIELDS: tuple[Field, ...] = (
    _field(
        "domain",
        "Domain",
        "the customer's domain, e.g. contoso.onmicrosoft.com",
        _company,
        "domain",
        required=True,
    ),
    _field(
        "name",
        "Name",
        "the company name (of the billing and the company profile)",
        _billing,
        "company_name",
        required=True,
        apply=_set_name,
    ),
    _field("contact-email", "ContactEmail", "the primary contact's email", _billing, "email"),
    _field(
        "contact-first-name",
        "ContactFirstName",
        "the primary contact's first name",
        _billing,
        "first_name",
        apply=_set_first_name,
    ),
    _field(
        "contact-last-name",
        "ContactLastName",
        "the primary contact's last name",
        _billing,
        "last_name",
        apply=_set_last_name,
    ),
    _field(
        "contact-phone",
        "ContactPhoneNumber",
        "the primary contact's phone number",
        _address,
        "phone_number",
    ),
    _field("culture", "Culture", "e.g. en-US", _billing, "culture"),
    _field("language", "Language", "two letters, e.g. en", _billing, "language", required=True),
    _field(
        "billing-address-line1",
        "BillingAddressLine1",
        "the billing address's first line",
        _address,
        "address_line1",
        required=True,
    ),
    _field("billing-address-line2", "BillingAddressLine2", "", _address, "address_line2"),
    _field("billing-address-city", "BillingAddressCity", "", _address, "city"),
    _field("billing-address-state", "BillingAddressState", "", _address, "state"),
    _field("billing-address-region", "BillingAddressRegion", "", _address, "region"),
    _field("billing-address-postal-code", "BillingAddressPostalCode", "", _address, "postal_code"),
    _field(
        "billing-address-country",
        "BillingAddressCountry",
        "ISO 3166 two-letter code, e.g. US",
        _address,
        "country",
        required=True,
    ),
    _field(
        "organization-registration-number",
        "",
        "required in some countries",
        _company,
        "organization_registration_number",
    ),
    Field(
        "associated-partner-id",
        "AssociatedPartnerId",
        "create the customer for this indirect reseller",
        _set_partner,
        lambda c: c.associated_partner_id,
    ),
)
FIELD_NAMES = frozenset(f.name for f in FIELDS)
REQUIRED = tuple(f for f in FIELDS if f.required)
# Other spellings of a flag (PowerShell's parameter name, where it differs).
ALIASES: Mapping[str, tuple[str, ...]] = {"contact-phone": ("contact-phone-number",)}


# What the CLI sends as an MS-RequestId of its own choosing (`--request-id`, a CSV's
# `request-id` column): a GUID, as Partner Center documents the header, sent as written.
# Every GUID is ASCII and header-safe; a GUID in braces or without hyphens is refused
# rather than rewritten, since the service matches request ids exactly.
_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
REQUEST_ID_RULE = (
    "a GUID, 8-4-4-4-12 hexadecimal digits (e.g. 0d4f5a8e-3c51-5b7e-9f2a-6e1c7a9b2d40)"
)


def check_request_id(value: str) -> str:
    """`value` if the CLI may send it as an MS-RequestId; ValueError saying why not."""
    if not _GUID.fullmatch(value):
        raise ValueError(f"request id {value!r} is not {REQUEST_ID_RULE}")
    return value


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


def missing_required(customer: Customer) -> list[str]:
    """The required fields (flag names) this customer has no value for."""
    probe = copy.deepcopy(customer)  # reading adds empty profiles where there are none
    return [f.name for f in REQUIRED if f.read(probe) in (None, "")]
