"""Whole numbers read from a key-folded JSON body, with Partner Center's 400 on a bad one."""

from __future__ import annotations

from typing import Any

from tenantry.domain.errors import Errors, FieldProblem
from tenantry.http.body import Ambiguous
from tenantry.http.wire import Reader

_LIMIT = 2**31 - 1


def read_int(r: Reader, parent: dict[str, Any] | None, key: str, path: str) -> int | None:
    """A JSON integer (an int32, as Partner Center's models hold it), or None if absent;
    anything else adds a problem to the reader."""
    if parent is None:
        return None
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, Ambiguous):
        reason = "is given more than once with different values"
    elif isinstance(value, bool) or not isinstance(value, int):
        reason = "must be a whole number"
    elif not -_LIMIT <= value <= _LIMIT:
        reason = "is too large"
    else:
        return value
    r.problems.append(
        FieldProblem(Errors.MALFORMED_REQUEST, path, reason, {"reason": f"{path} {reason}"})
    )
    return None
