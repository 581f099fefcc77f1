"""JSON on the wire: decoding (a leading byte-order mark tolerated), encoding, and lenient
reads of Partner Center objects whose member names may come in any case."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

JsonObject = dict[str, Any]

BOM = b"\xef\xbb\xbf"


def loads(body: bytes) -> Any:
    """Parse a JSON body; the sandbox and the real service may prefix a UTF-8 BOM."""
    if body.startswith(BOM):
        body = body[len(BOM) :]
    return json.loads(body.decode("utf-8"))


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as sent in request bodies."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Members:
    """Reads one JSON object by case-insensitive member name, and keeps what was not read.

    `unread()` returns the members no reader asked for, so that models can carry fields a
    newer service adds and send them back unchanged.
    """

    def __init__(self, obj: Any) -> None:
        self._obj: Mapping[str, Any] = obj if isinstance(obj, Mapping) else {}
        self._folded = {str(key).lower(): key for key in self._obj}
        self._read: set[str] = set()

    def get(self, name: str) -> Any:
        key = self._folded.get(name.lower())
        if key is None:
            return None
        self._read.add(key)
        return self._obj[key]

    def text(self, name: str) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def flag(self, name: str) -> bool | None:
        value = self.get(name)
        return value if isinstance(value, bool) else None

    def number(self, name: str) -> int | None:
        """An integer member (a whole number sent as text is read too)."""
        value = self.get(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        return None

    def obj(self, name: str) -> Members:
        return Members(self.get(name))

    def has(self, name: str) -> bool:
        return isinstance(self.get(name), Mapping)

    def array(self, name: str) -> list[Any]:
        value = self.get(name)
        return list(value) if isinstance(value, list) else []

    def texts(self, *names: str) -> list[str]:
        """The first of `names` that is a list of strings or a `{"value": [...]}` object."""
        for name in names:
            value = self.get(name)
            if isinstance(value, Mapping):
                value = Members(value).get("value")
            if isinstance(value, list):
                return [str(item) for item in value]
        return []

    def skip(self, *names: str) -> None:
        """Mark members as read without using them (links, attributes, ...)."""
        for name in names:
            self.get(name)

    def unread(self) -> JsonObject:
        return {key: value for key, value in self._obj.items() if key not in self._read}


def timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 date and time (`Z` for UTC), or None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def utc_text(value: datetime) -> str:
    """A date and time as Partner Center sends it: UTC, `Z`; a naive one is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def compact(
    members: Iterable[tuple[str, Any]], extra: Mapping[str, Any] | None = None
) -> JsonObject:
    """A wire object without null members, followed by preserved unknown members."""
    out: JsonObject = {name: value for name, value in members if value is not None}
    for name, value in (extra or {}).items():
        if name.lower() not in {key.lower() for key in out}:
            out[name] = value
    return out
