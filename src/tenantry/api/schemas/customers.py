"""The Customer resource on the wire (camelCase, nulls omitted) and the create request."""

from __future__ import annotations

from typing import Any

import orjson

from tenantry.domain.errors import ServiceError
from tenantry.domain.idempotency import StoredResponse
from tenantry.domain.models import Address, AddressDraft, Customer, CustomerDraft, NewCustomer
from tenantry.http.errors import JSON_TYPE, envelope_bytes
from tenantry.http.wire import ADDRESS_MEMBERS, Reader, link

_ADDRESS = "billingProfile.defaultAddress"


def draft_from_wire(body: dict[str, Any]) -> CustomerDraft:
    """Bind a key-folded create body. Read-only members are ignored whatever their value."""
    r = Reader()
    company = r.obj(body, "companyprofile", "companyProfile")
    billing = r.obj(body, "billingprofile", "billingProfile")
    address = r.obj(billing, "defaultaddress", _ADDRESS) if billing is not None else None
    credentials = r.obj(body, "usercredentials", "userCredentials")
    # Any password at all is refused (880007), even an empty one or one of the wrong type.
    password_supplied = credentials is not None and credentials.get("password") is not None
    draft = CustomerDraft(
        domain=r.string(company, "domain", "companyProfile.domain"),
        organization_registration_number=r.string(
            company,
            "organizationregistrationnumber",
            "companyProfile.organizationRegistrationNumber",
        ),
        email=r.string(billing, "email", "billingProfile.email"),
        culture=r.string(billing, "culture", "billingProfile.culture"),
        language=r.string(billing, "language", "billingProfile.language"),
        company_name=r.string(billing, "companyname", "billingProfile.companyName"),
        billing_first_name=r.string(billing, "firstname", "billingProfile.firstName"),
        billing_last_name=r.string(billing, "lastname", "billingProfile.lastName"),
        address=None if address is None else _address_draft(r, address, _ADDRESS),
        enable_gdap_by_default=r.boolean(body, "enablegdapbydefault", "enableGDAPByDefault"),
        associated_partner_id=r.string(body, "associatedpartnerid", "associatedPartnerId"),
        password_supplied=password_supplied,
    )
    if r.problems:
        raise ServiceError.from_problems(r.problems)
    return draft


def _address_draft(r: Reader, a: dict[str, Any], base: str = _ADDRESS) -> AddressDraft:
    # Members bind case-insensitively: the reader is given each wire name lower-cased.
    return AddressDraft(
        **{field: r.string(a, wire.lower(), f"{base}.{wire}") for wire, field in ADDRESS_MEMBERS}
    )


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def address_wire(a: Address) -> dict[str, Any]:
    members = _compact({wire: getattr(a, field) for wire, field in ADDRESS_MEMBERS})
    members.setdefault("phoneNumber", "")  # Partner Center answers an empty phone number
    return members


def company_profile_wire(c: Customer) -> dict[str, Any]:
    return _compact(
        {
            "tenantId": c.id,
            "domain": c.domain,
            "companyName": c.company_name,
            "organizationRegistrationNumber": c.organization_registration_number,
            "links": {"self": link(f"/customers/{c.id}/profiles/company")},
            "attributes": {"objectType": "CustomerCompanyProfile"},
        }
    )


def billing_profile_wire(c: Customer) -> dict[str, Any]:
    b = c.billing
    return _compact(
        {
            "id": b.id,
            "firstName": b.first_name,
            "lastName": b.last_name,
            "email": b.email,
            "culture": b.culture,
            "language": b.language,
            "companyName": b.company_name,
            "defaultAddress": address_wire(b.address),
            "links": {"self": link(f"/customers/{c.id}/profiles/billing")},
            "attributes": {"etag": str(b.etag), "objectType": "CustomerBillingProfile"},
        }
    )


def customer_wire(c: Customer, *, admin: tuple[str, str] | None = None) -> dict[str, Any]:
    """The Customer resource. `admin` (user name, password) only in the create answer."""
    resource: dict[str, Any] = {
        "id": c.id,
        "commerceId": c.commerce_id,
        "companyProfile": company_profile_wire(c),
        "billingProfile": billing_profile_wire(c),
        "enableGDAPByDefault": c.enable_gdap_by_default,
        "relationshipToPartner": c.relationship_to_partner,
        "allowDelegatedAccess": c.allow_delegated_access,
    }
    if admin is not None:
        resource["userCredentials"] = {"userName": admin[0], "password": admin[1]}
    if c.associated_partner_id is not None:
        resource["associatedPartnerId"] = c.associated_partner_id
    resource["links"] = {"self": link(f"/customers/{c.id}")}
    resource["attributes"] = {"objectType": "Customer"}
    return resource


def customer_list_item_wire(c: Customer) -> dict[str, Any]:
    """A customer as lists show it: no billing profile, no delegated-access flag."""
    company = company_profile_wire(c)
    company.pop("organizationRegistrationNumber", None)
    item: dict[str, Any] = {
        "id": c.id,
        "commerceId": c.commerce_id,
        "companyProfile": company,
        "relationshipToPartner": c.relationship_to_partner,
    }
    if c.associated_partner_id is not None:
        item["associatedPartnerId"] = c.associated_partner_id
    item["links"] = {"self": link(f"/customers/{c.id}")}
    item["attributes"] = {"objectType": "Customer"}
    return item


def billing_draft_from_wire(body: dict[str, Any]) -> CustomerDraft:
    """Bind a billing-profile PUT body (the profile itself is the body's root)."""
    r = Reader()
    address = r.obj(body, "defaultaddress", "defaultAddress")
    draft = CustomerDraft(
        email=r.string(body, "email", "email"),
        culture=r.string(body, "culture", "culture"),
        language=r.string(body, "language", "language"),
        company_name=r.string(body, "companyname", "companyName"),
        billing_first_name=r.string(body, "firstname", "firstName"),
        billing_last_name=r.string(body, "lastname", "lastName"),
        address=None if address is None else _address_draft(r, address, "defaultAddress"),
    )
    if r.problems:
        raise ServiceError.from_problems(r.problems)
    return draft


def billing_etag_from_wire(body: dict[str, Any]) -> str | None:
    """The etag a billing-profile PUT carries in `attributes.etag` (any casing).

    Microsoft's .NET and Java SDKs, and so the PowerShell module, never send `If-Match`:
    they send the profile they read, etag included. A number is taken as its digits.
    """
    r = Reader()
    attributes = r.obj(body, "attributes", "attributes")
    value = None if attributes is None else attributes.get("etag")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    etag = r.string(attributes, "etag", "attributes.etag")
    if r.problems:
        raise ServiceError.from_problems(r.problems)
    return etag


class CreateCustomerRenderer:
    """Renders create outcomes into the exact bytes that are stored and replayed."""

    def __init__(self, locale: str) -> None:
        self._locale = locale

    def created(self, new: NewCustomer) -> StoredResponse:
        c = new.customer
        body = orjson.dumps(customer_wire(c, admin=(new.admin.user_name, new.admin_password)))
        headers = (("Content-Type", JSON_TYPE), ("Location", f"/v1/customers/{c.id}"))
        return StoredResponse(201, headers, body)

    def failed(self, error: ServiceError) -> StoredResponse:
        return StoredResponse(
            error.spec.status,
            (("Content-Type", JSON_TYPE),),
            envelope_bytes(error, self._locale),
        )
