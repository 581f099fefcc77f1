"""Identifiers as Partner Center writes them."""

from __future__ import annotations

import os
import re

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_guid(value: str) -> bool:
    """The canonical 8-4-4-4-12 form only (no braces, no other hyphenation)."""
    return _GUID.fullmatch(value) is not None


def new_guids(count: int) -> list[str]:
    """`count` random (version 4) GUIDs in their usual text form, as `str(uuid.uuid4())`
    writes them, from one read of the system's random source (`uuid4` reads it once per
    GUID, and builds a `UUID` object on the way)."""
    raw = bytearray(os.urandom(16 * count))
    guids = []
    for at in range(0, 16 * count, 16):
        raw[at + 6] = (raw[at + 6] & 0x0F) | 0x40  # version 4
        raw[at + 8] = (raw[at + 8] & 0x3F) | 0x80  # the RFC 4122 variant
        text = raw[at : at + 16].hex()
        guids.append(f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}")
    return guids


def new_guid() -> str:
    """One random (version 4) GUID in its usual text form."""
    return new_guids(1)[0]
