"""The Customer resource and its parts, as plain dataclasses.

Attributes are snake_case; `to_wire()` and `from_wire()` map them to Partner Center's
camelCase JSON. Reading is lenient: member names match in any case, and members this
version does not know are kept in `extra` and sent back by `to_wire()`. Every attribute has
a default, so objects can be built in one expression (like the C# object initialisers) or
attribute by attribute (like the Java setters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tenantry_client._wire import JsonObject, Members, compact

# (attribute, wire name) of the plain string members, in Partner Center's order.
_ADDRESS_FIELDS = (
    ("country", "country"),
    ("region", "region"),
    ("city", "city"),
    ("state", "state"),
    ("address_line1", "addressLine1"),
    ("address_line2", "addressLine2"),
    ("address_line3", "addressLine3"),
    ("postal_code", "postalCode"),
    ("first_name", "firstName"),
    ("middle_name", "middleName"),
    ("last_name", "lastName"),
    ("phone_number", "phoneNumber"),
)
_COMPANY_FIELDS = (
    ("tenant_id", "tenantId"),
    ("domain", "domain"),
    ("company_name", "companyName"),
    ("organization_registration_number", "organizationRegistrationNumber"),
)
_BILLING_FIELDS = (
    ("id", "id"),
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("email", "email"),
    ("culture", "culture"),
    ("language", "language"),
    ("company_name", "companyName"),
)
_READ_ONLY = ("links", "attributes")


def _read(members: Members, table: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {attribute: members.text(wire) for attribute, wire in table}


def _write(obj: object, table: tuple[tuple[str, str], ...]) -> list[tuple[str, Any]]:
    return [(wire, getattr(obj, attribute)) for attribute, wire in table]


@dataclass(kw_only=True)
class Address:
    """A postal address with its contact person (Partner Center's `Address`)."""

    country: str | None = None
    region: str | None = None
    city: str | None = None
    state: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    postal_code: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        return compact(_write(self, _ADDRESS_FIELDS), self.extra)

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Address:
        """Read an Address object (member names in any case)."""
        members = Members(obj)
        values = _read(members, _ADDRESS_FIELDS)
        members.skip(*_READ_ONLY)
        return cls(**values, extra=members.unread())


@dataclass(kw_only=True)
class CustomerCompanyProfile:
    """The customer's company: its domain, and the tenant id once created."""

    tenant_id: str | None = None
    domain: str | None = None
    company_name: str | None = None
    organization_registration_number: str | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        return compact(_write(self, _COMPANY_FIELDS), self.extra)

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> CustomerCompanyProfile:
        """Read a CustomerCompanyProfile object."""
        members = Members(obj)
        values = _read(members, _COMPANY_FIELDS)
        members.skip(*_READ_ONLY)
        return cls(**values, extra=members.unread())


@dataclass(kw_only=True)
class CustomerBillingProfile:
    """Who is billed, and where. `etag` is what an update must name in `If-Match`."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    culture: str | None = None
    language: str | None = None
    company_name: str | None = None
    default_address: Address | None = None
    etag: str | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        members = _write(self, _BILLING_FIELDS)
        address = self.default_address
        members.append(("defaultAddress", None if address is None else address.to_wire()))
        if self.etag is not None:
            members.append(
                ("attributes", {"etag": self.etag, "objectType": "CustomerBillingProfile"})
            )
        return compact(members, self.extra)

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> CustomerBillingProfile:
        """Read a CustomerBillingProfile object; the etag comes from `attributes.etag`."""
        members = Members(obj)
        values = _read(members, _BILLING_FIELDS)
        address = members.get("defaultAddress")
        etag = members.obj("attributes").text("etag")
        members.skip(*_READ_ONLY)
        return cls(
            **values,
            default_address=Address.from_wire(address) if isinstance(address, Mapping) else None,
            etag=etag,
            extra=members.unread(),
        )


@dataclass(kw_only=True)
class UserCredentials:
    """The customer's first admin user. The password is returned once, by create only."""

    user_name: str | None = None
    password: str | None = field(default=None, repr=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        return compact([("userName", self.user_name), ("password", self.password)])

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> UserCredentials:
        """Read a UserCredentials object."""
        members = Members(obj)
        return cls(user_name=members.text("userName"), password=members.text("password"))


@dataclass(kw_only=True)
class Customer:
    """A customer of the partner: what create takes, and what the service returns.

    Set `company_profile` and `billing_profile` to create one; `associated_partner_id`
    creates it for an indirect reseller. Lists return customers without a billing profile.
    `relationship_to_partner` is a string (`none`, `reseller`, `advisor`, ...) so that
    values added by the service later are kept rather than refused.
    """

    id: str | None = None
    commerce_id: str | None = None
    company_profile: CustomerCompanyProfile | None = None
    billing_profile: CustomerBillingProfile | None = None
    relationship_to_partner: str | None = None
    allow_delegated_access: bool | None = None
    user_credentials: UserCredentials | None = None
    custom_domains: list[str] | None = None
    associated_partner_id: str | None = None
    enable_gdap_by_default: bool | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        company, billing, credentials = (
            self.company_profile,
            self.billing_profile,
            self.user_credentials,
        )
        return compact(
            [
                ("id", self.id),
                ("commerceId", self.commerce_id),
                ("companyProfile", None if company is None else company.to_wire()),
                ("billingProfile", None if billing is None else billing.to_wire()),
                ("enableGDAPByDefault", self.enable_gdap_by_default),
                ("relationshipToPartner", self.relationship_to_partner),
                ("allowDelegatedAccess", self.allow_delegated_access),
                ("userCredentials", None if credentials is None else credentials.to_wire()),
                ("customDomains", self.custom_domains),
                ("associatedPartnerId", self.associated_partner_id),
            ],
            self.extra,
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Customer:
        """Read a Customer object (a full resource or a list item)."""
        members = Members(obj)
        company = members.get("companyProfile")
        billing = members.get("billingProfile")
        credentials = members.get("userCredentials")
        domains = members.get("customDomains")
        customer = cls(
            id=members.text("id"),
            commerce_id=members.text("commerceId"),
            company_profile=CustomerCompanyProfile.from_wire(company)
            if isinstance(company, Mapping)
            else None,
            billing_profile=CustomerBillingProfile.from_wire(billing)
            if isinstance(billing, Mapping)
            else None,
            relationship_to_partner=members.text("relationshipToPartner"),
            allow_delegated_access=members.flag("allowDelegatedAccess"),
            user_credentials=UserCredentials.from_wire(credentials)
            if isinstance(credentials, Mapping)
            else None,
            custom_domains=[str(d) for d in domains] if isinstance(domains, list) else None,
            associated_partner_id=members.text("associatedPartnerId"),
            enable_gdap_by_default=members.flag("enableGDAPByDefault"),
        )
        members.skip(*_READ_ONLY)
        customer.extra = members.unread()
        return customer
