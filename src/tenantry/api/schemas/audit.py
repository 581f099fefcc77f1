"""The JSON shape of an audit event: `GET /_tenantry/audit` and `tenantry audit --json`."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from tenantry.domain.audit import AuditEvent


def event_wire(event: AuditEvent) -> dict[str, Any]:
    """The JSON shape of an event, shared by `tenantry audit --json` and the endpoint."""
    return {
        "id": event.id,
        "occurredAt": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "action": event.action,
        "actorType": event.actor_type,
        "actorId": event.actor_id,
        "partnerId": event.partner_id,
        "targetType": event.target_type,
        "targetId": event.target_id,
        "requestId": event.request_id,
        "correlationId": event.correlation_id,
        "details": dict(event.details),
    }
