"""Identifiers as Partner Center writes them."""

from __future__ import annotations

import re

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_guid(value: str) -> bool:
    """The canonical 8-4-4-4-12 form only (no braces, no other hyphenation)."""
    return _GUID.fullmatch(value) is not None
