"""Partner Center's JSON vocabulary, shared by every edge: typed reads from a folded JSON
object, links, and the address members."""

from __future__ import annotations

import unicodedata
from typing import Any

from tenantry.domain.errors import Errors, FieldProblem
from tenantry.http.body import Ambiguous

# Partner Center's address members: (wire name, field of Address / AddressDraft), in the order
# answers list them. Bodies, answers, seeds and the OpenAPI document all read this one list.
ADDRESS_MEMBERS: tuple[tuple[str, str], ...] = (
    ("country", "country"),
    ("region", "region"),
    ("city", "city"),
    ("state", "state"),
    ("addressLine1", "address_line1"),
    ("addressLine2", "address_line2"),
    ("postalCode", "postal_code"),
    ("firstName", "first_name"),
    ("middleName", "middle_name"),
    ("lastName", "last_name"),
    ("phoneNumber", "phone_number"),
)


class Reader:
    """Reads typed members from a key-folded JSON object, collecting type problems."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def _problem(self, path: str, reason: str) -> None:
        # 800002's description names the first offending member.
        params = {"reason": f"{path} {reason}"}
        self.problems.append(FieldProblem(Errors.MALFORMED_REQUEST, path, reason, params))

    def _get(self, parent: dict[str, Any], key: str, path: str) -> Any:
        value = parent.get(key)
        if isinstance(value, Ambiguous):
            self._problem(path, "is given more than once with different values")
            return None
        return value

    def obj(self, parent: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
        value = self._get(parent, key, path)
        if value is None or isinstance(value, dict):
            return value
        self._problem(path, "must be a JSON object")
        return None

    def string(self, parent: dict[str, Any] | None, key: str, path: str) -> str | None:
        if parent is None:
            return None
        value = self._get(parent, key, path)
        if value is None:
            return None
        if not isinstance(value, str):
            self._problem(path, "must be a string")
            return None
        if not is_clean_text(value):
            self._problem(path, "contains control characters or invalid Unicode")
            return None
        return value

    def boolean(self, parent: dict[str, Any], key: str, path: str) -> bool | None:
        value = self._get(parent, key, path)
        if value is None or isinstance(value, bool):
            return value
        self._problem(path, "must be true or false")
        return None


def is_clean_text(value: str) -> bool:
    """No control characters (NUL included) and no lone surrogates."""
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc" or category == "Cs":
            return False
    return True


def link(uri: str) -> dict[str, object]:
    return {"uri": uri, "method": "GET", "headers": []}
