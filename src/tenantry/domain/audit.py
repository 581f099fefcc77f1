"""The audit trail: who changed what, when, and through which request.

Every state change records one `AuditEvent` in the same transaction as the change itself, so
the trail holds exactly the changes that happened. Details never carry a secret, a password
or a token: only identifiers and the names of what changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tenantry.domain.ids import new_guid

# Who acts: a partner's app (client credentials), a partner's signed-in user, an operator
# at the command line, or the sandbox control plane.
APP = "app"
USER = "user"
OPERATOR = "operator"
SANDBOX = "sandbox"
ACTOR_TYPES = (APP, USER, OPERATOR, SANDBOX)

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


class Action(StrEnum):
    CUSTOMER_CREATED = "customer.created"
    BILLING_PROFILE_UPDATED = "customer.billingProfile.updated"
    CUSTOMER_DELETED = "customer.deleted"
    RELATIONSHIP_REMOVED = "customer.relationship.removed"
    SUBSCRIPTION_RENAMED = "customer.subscription.renamed"
    SUBSCRIPTION_UPDATED = "customer.subscription.updated"
    AGREEMENT_CONFIRMED = "customer.agreement.confirmed"
    ORDER_PLACED = "customer.order.placed"
    CUSTOMER_USER_ADDED = "customer.user.added"
    CUSTOMER_USER_UPDATED = "customer.user.updated"
    CUSTOMER_USER_DELETED = "customer.user.deleted"
    PARTNER_CREATED = "partner.created"
    APP_ADDED = "partner.app.added"
    APP_SECRET_ROTATED = "partner.app.secretRotated"  # noqa: S105 (an action name)
    USER_ADDED = "partner.user.added"
    USER_CREDENTIALS_RESET = "partner.user.credentialsReset"
    PARTNERSHIP_LINKED = "partnership.linked"
    SIGNING_KEY_ROTATED = "signingKey.rotated"
    SIGNING_KEY_RETIRED = "signingKey.retired"
    SANDBOX_RESET = "sandbox.reset"
    SANDBOX_SEEDED = "sandbox.seeded"
    SANDBOX_IMPORTED = "sandbox.imported"


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and the request that carries it (none for a command line)."""

    type: str
    id: str
    request_id: str | None = None
    correlation_id: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ACTOR_TYPES:
            raise ValueError(f"unknown actor type {self.type!r}")


@dataclass(frozen=True)
class AuditEvent:
    id: str
    occurred_at: datetime
    action: str
    actor_type: str
    actor_id: str
    partner_id: str | None
    target_type: str
    target_id: str
    request_id: str | None
    correlation_id: str | None
    details: Mapping[str, object] = field(default_factory=dict)


def audit_event(
    actor: Actor,
    action: Action,
    now: datetime,
    *,
    target_type: str,
    target_id: str,
    partner_id: str | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEvent:
    return AuditEvent(
        id=new_guid(),
        occurred_at=now,
        action=action.value,
        actor_type=actor.type,
        actor_id=actor.id[:255],
        partner_id=partner_id,
        target_type=target_type,
        target_id=target_id[:255],
        request_id=actor.request_id,
        correlation_id=actor.correlation_id,
        details=dict(details or {}),
    )


@dataclass(frozen=True)
class AuditCursor:
    """Where the previous page ended: events strictly older than this one come next."""

    occurred_at: datetime
    event_id: str

    def encode(self) -> str:
        return f"{self.occurred_at.isoformat()}~{self.event_id}"

    @classmethod
    def decode(cls, token: str) -> AuditCursor:
        """Raise `ValueError` for anything `encode` did not write."""
        moment, sep, event_id = token.partition("~")
        if not sep:
            raise ValueError("not an audit continuation token")
        occurred_at = datetime.fromisoformat(moment)
        if occurred_at.tzinfo is None:
            raise ValueError("not an audit continuation token")
        return cls(occurred_at, str(uuid.UUID(event_id)))


@dataclass(frozen=True)
class AuditQuery:
    """Newest first; every filter is optional."""

    partner_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    limit: int = DEFAULT_LIMIT
    after: AuditCursor | None = None


def next_cursor(page: list[AuditEvent], limit: int) -> AuditCursor | None:
    """A cursor when the page is full (there may be more), else None."""
    if len(page) < limit or not page:
        return None
    last = page[-1]
    return AuditCursor(last.occurred_at, last.id)
