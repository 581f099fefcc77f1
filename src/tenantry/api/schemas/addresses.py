"""The Address utility resource on the wire, and `AddressValidationResponse`.

A bare Address body (`POST /v1/validations/address`) binds exactly like the create body's
`billingProfile.defaultAddress`: the same binder runs, and only the JSON paths in its
problems lose their prefix (`country`, not `<prefix>.country`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tenantry.api.schemas.customers import _address_draft
from tenantry.domain.address_validation import AddressValidation
from tenantry.domain.errors import FieldProblem, ServiceError
from tenantry.domain.models import AddressDraft
from tenantry.http.wire import ADDRESS_MEMBERS, Reader

_BASE = "address"


def address_from_wire(body: dict[str, Any]) -> AddressDraft:
    """Bind a key-folded Address body; 800002 when a member has the wrong type."""
    reader = Reader()
    draft = _address_draft(reader, body, _BASE)
    if reader.problems:
        raise ServiceError.from_problems([_rebased(p) for p in reader.problems])
    return draft


def _rebased(problem: FieldProblem) -> FieldProblem:
    path = problem.path.removeprefix(f"{_BASE}.")
    return replace(
        problem, path=path, params={**problem.params, "reason": f"{path} {problem.reason}"}
    )


def address_draft_wire(a: AddressDraft) -> dict[str, Any]:
    """An address as given (camelCase, members that were not given omitted)."""
    members = {wire: getattr(a, field) for wire, field in ADDRESS_MEMBERS}
    return {name: value for name, value in members.items() if value is not None}


def address_validation_wire(original: AddressDraft, result: AddressValidation) -> dict[str, Any]:
    """Partner Center's `AddressValidationResponse`; `suggestedAddresses` is always present."""
    body: dict[str, Any] = {
        "originalAddress": address_draft_wire(original),
        "suggestedAddresses": [address_draft_wire(s) for s in result.suggestions],
        "status": result.status.value,
    }
    if result.message is not None:
        body["validationMessage"] = result.message
    body["attributes"] = {"objectType": "AddressValidationResponse"}
    return body
