"""A new customer's rows as the tables keep them, and what a failed insert of them means."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from tenantry.domain.models import Address, NewCustomer, RelationshipToPartner
from tenantry.domain.ports import DomainAlreadyTaken, StorageBusy

_RESELLER = RelationshipToPartner.RESELLER.value  # as the column stores it
_ADDRESS_FIELDS = tuple(f.name for f in fields(Address))
# The unique keys a new customer's rows can meet taken: its domain, or its admin's user
# principal name (admin@domain), which only someone holding the domain can have.
_TAKEN_DOMAIN = ("domain_key", "user_principal_name_key")


def address_json(address: Address) -> dict[str, Any]:
    """The address column's value: `dataclasses.asdict` without its deep copy (the fields
    are strings)."""
    return {name: getattr(address, name) for name in _ADDRESS_FIELDS}


class AddFailure:
    """What a failed insert of a new customer's rows means for the caller."""

    def __init__(self, domain: str) -> None:
        self._domain = domain

    def __call__(self, exc: DBAPIError) -> Exception | None:
        return self.integrity(exc) if isinstance(exc, IntegrityError) else None

    def integrity(self, exc: IntegrityError) -> Exception:
        if any(key in str(exc.orig) for key in _TAKEN_DOMAIN):
            return DomainAlreadyTaken(self._domain)
        # Anything else (the partner removed by a concurrent reset, say) is not the
        # caller's fault and is worth a retry.
        return StorageBusy(str(exc.orig))


def new_customer_rows(
    new: NewCustomer, domain_key: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """The rows of the customer, its reseller relationship and its GDAP relationship."""
    c = new.customer
    r = new.relationship
    g = new.gdap
    customer = {
        "id": c.id,
        "commerce_id": c.commerce_id,
        "partner_id": c.partner_id,
        "associated_partner_id": c.associated_partner_id,
        "domain": c.domain,
        "domain_key": domain_key,
        "company_name": c.company_name,
        "company_name_key": c.company_name.casefold(),
        "organization_registration_number": c.organization_registration_number,
        "billing_id": c.billing.id,
        "billing_first_name": c.billing.first_name,
        "billing_last_name": c.billing.last_name,
        "email": c.billing.email,
        "culture": c.billing.culture,
        "language": c.billing.language,
        "address": address_json(c.billing.address),
        "etag": c.billing.etag,
        "relationship_to_partner": c.relationship_to_partner,
        "allow_delegated_access": c.allow_delegated_access,
        "enable_gdap_by_default": c.enable_gdap_by_default,
        "created_at": c.created_at,
    }
    relationship = {
        "id": r.id,
        "customer_id": r.customer_id,
        "partner_id": r.partner_id,
        "relationship_type": _RESELLER,
        "created_at": r.created_at,
    }
    gdap = None
    if g is not None:
        gdap = {
            "id": g.id,
            "customer_id": g.customer_id,
            "partner_id": g.partner_id,
            "display_name": g.display_name,
            "roles": list(g.roles),
            "duration_days": g.duration_days,
            "status": g.status,
            "created_at": g.created_at,
            "ends_at": g.ends_at,
        }
    return customer, relationship, gdap
