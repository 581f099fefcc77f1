"""Partner Center's timestamps: ISO 8601 in UTC with a `Z`."""

from __future__ import annotations

from datetime import datetime


def utc_text(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
