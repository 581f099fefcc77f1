"""Who is related to whom: partner relationships and GDAP relationships.

Status-like members stay strings, so values the service adds later are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tenantry_client._wire import JsonObject, Members, timestamp

_READ_ONLY = ("links", "attributes")


@dataclass(frozen=True, kw_only=True)
class PartnerRelationship:
    """A partner on the other side of an indirect relationship.

    `relationship_type` is `is_indirect_reseller_of` or
    `is_indirect_cloud_solution_provider_of`; `state` is `Active` or `Inactive`.
    """

    id: str | None
    name: str | None
    relationship_type: str | None
    state: str | None
    location: str | None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> PartnerRelationship:
        """Read a PartnerRelationship object."""
        m = Members(obj)
        relationship = cls(
            id=m.text("id"),
            name=m.text("name"),
            relationship_type=m.text("relationshipType"),
            state=m.text("state"),
            location=m.text("location"),
            extra={},
        )
        m.skip(*_READ_ONLY)
        relationship.extra.update(m.unread())
        return relationship


@dataclass(frozen=True, kw_only=True)
class UnifiedRole:
    """An Entra role granted by a GDAP relationship."""

    role_definition_id: str | None
    display_name: str | None


@dataclass(frozen=True, kw_only=True)
class DelegatedAdminRelationship:
    """A granular delegated admin (GDAP) relationship with the customer."""

    id: str | None
    display_name: str | None
    status: str | None
    duration: str | None
    customer_tenant_id: str | None
    roles: list[UnifiedRole]
    created: datetime | None
    activated: datetime | None
    ends: datetime | None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> DelegatedAdminRelationship:
        """Read a DelegatedAdminRelationship object."""
        m = Members(obj)
        roles = m.obj("accessDetails").array("unifiedRoles")
        relationship = cls(
            id=m.text("id"),
            display_name=m.text("displayName"),
            status=m.text("status"),
            duration=m.text("duration"),
            customer_tenant_id=m.obj("customer").text("tenantId"),
            roles=[
                UnifiedRole(
                    role_definition_id=Members(r).text("roleDefinitionId"),
                    display_name=Members(r).text("displayName"),
                )
                for r in roles
                if isinstance(r, Mapping)
            ],
            created=timestamp(m.text("createdDateTime")),
            activated=timestamp(m.text("activatedDateTime")),
            ends=timestamp(m.text("endDateTime")),
            extra={},
        )
        m.skip(*_READ_ONLY)
        relationship.extra.update(m.unread())
        return relationship
