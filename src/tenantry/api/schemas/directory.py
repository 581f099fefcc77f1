"""Users, partner relationships and GDAP relationships of a customer, on the wire."""

from __future__ import annotations

from typing import Any

from tenantry.domain.gdap import ROLE_TEMPLATE_IDS
from tenantry.domain.models import AdminUser, Customer, GdapRelationship, Partner
from tenantry.http.wire import link


def _timestamp(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))


def customer_user_wire(customer: Customer, user: AdminUser) -> dict[str, Any]:
    """A CustomerUser: never its password or hash."""
    body: dict[str, Any] = {
        "id": user.id,
        "userPrincipalName": user.user_principal_name,
        "displayName": user.display_name or user.user_name,
    }
    for member, value in (
        ("firstName", user.first_name),
        ("lastName", user.last_name),
        ("usageLocation", user.usage_location),
    ):
        if value is not None:
            body[member] = value
    return {
        **body,
        "userDomainType": "none",
        "state": "active",
        "links": {"self": link(f"/customers/{customer.id}/users/{user.id}")},
        "attributes": {"objectType": "CustomerUser"},
    }


IS_INDIRECT_RESELLER_OF = "is_indirect_reseller_of"
IS_INDIRECT_PROVIDER_OF = "is_indirect_cloud_solution_provider_of"


def partner_relationship_wire(
    partner: Partner, relationship_type: str, *, active: bool = True
) -> dict[str, Any]:
    """A PartnerRelationship: the partner on the other side, and how it is related."""
    return {
        "id": partner.tenant_id,
        "name": partner.name,
        "relationshipType": relationship_type,
        "mpnId": partner.mpn_id,
        "state": "Active" if active else "Inactive",
        "location": partner.country,
        "attributes": {"objectType": "PartnerRelationship"},
    }


def indirect_reseller_wire(partner: Partner) -> dict[str, Any]:
    """An indirect reseller of a customer, typed as Partner Center's own example types it
    (`get-indirect-resellers-of-a-customer`: `is_indirect_cloud_solution_provider_of`)."""
    return partner_relationship_wire(partner, IS_INDIRECT_PROVIDER_OF)


def gdap_wire(customer: Customer, gdap: GdapRelationship) -> dict[str, Any]:
    """Shaped like Microsoft Graph's delegatedAdminRelationship, plus role names."""
    return {
        "id": gdap.id,
        "displayName": gdap.display_name,
        "status": gdap.status,
        "duration": f"P{gdap.duration_days}D",
        "autoExtendDuration": "PT0S",
        "createdDateTime": _timestamp(gdap.created_at),
        "activatedDateTime": _timestamp(gdap.created_at),
        "endDateTime": _timestamp(gdap.ends_at),
        "customer": {"tenantId": customer.id, "displayName": customer.company_name},
        "accessDetails": {
            "unifiedRoles": [
                {"roleDefinitionId": ROLE_TEMPLATE_IDS[role], "displayName": role}
                for role in gdap.roles
            ]
        },
        "links": {"self": link(f"/customers/{customer.id}/delegatedadminrelationships/{gdap.id}")},
        "attributes": {"objectType": "DelegatedAdminRelationship"},
    }
