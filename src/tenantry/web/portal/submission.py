"""Submitting the wizard: one idempotent create, and what is kept for its replay.

The wizard's id is the idempotency key (the API's `MS-RequestId`), made when the wizard
starts: a double click or a resubmitted page replays the first answer instead of creating
a second customer. The answer is kept sealed, as the API's is. A replay reveals the admin
password only within `REVEAL_SECONDS` of the creation (the twin of a double click).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson

from tenantry.domain.errors import Errors, ErrorSpec, FieldProblem, ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import NewCustomer

ROUTE = "/portal/customers/new"
REVEAL_SECONDS = 60


@dataclass(frozen=True)
class Created:
    customer_id: str
    admin_user: str
    password: str | None  # None once it may no longer be shown


def key_of(secret: bytes, partner_id: str, wizard_id: str) -> IdempotencyKey:
    return IdempotencyKey.of(secret, partner_id, "POST", ROUTE, wizard_id, b"")


class PortalRenderer:
    """What the portal keeps of a create's outcome: enough to show it again."""

    def created(self, new: NewCustomer) -> StoredResponse:
        body = {
            "id": new.customer.id,
            "user": new.admin.user_principal_name,
            "password": new.admin_password,
            "at": time.time(),
        }
        return StoredResponse(201, (), orjson.dumps(body))

    def failed(self, error: ServiceError) -> StoredResponse:
        body = {
            "code": error.spec.code,
            "params": dict(error.params),
            "problems": [[p.spec.code, p.path, p.reason, dict(p.params)] for p in error.problems],
        }
        return StoredResponse(error.spec.status, (), orjson.dumps(body, default=str))


def _spec(code: int) -> ErrorSpec:
    for value in vars(Errors).values():
        if isinstance(value, ErrorSpec) and value.code == code:
            return value
    return Errors.MALFORMED_REQUEST


def outcome(stored: StoredResponse) -> Created | ServiceError:
    body: dict[str, Any] = orjson.loads(stored.body)
    if stored.status != 201:
        problems = tuple(
            FieldProblem(_spec(code), path, reason, params)
            for code, path, reason, params in body["problems"]
        )
        return ServiceError(_spec(body["code"]), body["params"], problems)
    fresh = not stored.replayed or time.time() - float(body["at"]) <= REVEAL_SECONDS
    return Created(body["id"], body["user"], body["password"] if fresh else None)
