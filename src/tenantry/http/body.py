"""Reading request bodies the way Partner Center does.

- at most 64 KiB (400, code 880014, otherwise), a leading UTF-8 byte-order mark tolerated;
- trailing commas before `}` or `]` tolerated (the documented create example has them);
- property names folded to lower case at every level, so PascalCase, camelCase and mixed
  case all bind; explicit nulls mean "not given";
- any other malformed JSON is a 400 (800002) that says where parsing failed.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from tenantry.config import MAX_BODY_BYTES
from tenantry.domain.errors import Errors, ServiceError

BOM = b"\xef\xbb\xbf"  # a UTF-8 byte-order mark
_MAX_DEPTH = 32


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ServiceError(Errors.BODY_TOO_LARGE, {"limit": limit})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ServiceError(Errors.BODY_TOO_LARGE, {"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def _malformed(reason: str) -> ServiceError:
    return ServiceError(Errors.MALFORMED_REQUEST, {"reason": reason})


def blank_trailing_commas(text: str) -> str:
    """Replace each comma that follows a value and directly precedes `}` or `]` with a
    space. `{,}`, `[,]` and `[1,,]` stay invalid.

    Positions are preserved, so a later parse error still points at the right place.
    """
    out = list(text)
    in_string = escaped = False
    pending: int | None = None
    previous = ""  # the last significant character outside strings
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                previous = '"'
            continue
        if ch.isspace():
            continue
        if ch == '"':
            in_string, pending = True, None
        elif ch == ",":
            pending = i if previous not in ("", "{", "[", ",") else None
        elif ch in "}]":
            if pending is not None:
                out[pending] = " "
            pending = None
        else:
            pending = None
        previous = ch
    return "".join(out)


class Ambiguous(list[Any]):
    """A property given more than once (names differing only in case) with different
    values. Harmless unless a bound member reads it; then it is a 400 (800002)."""


def _fold_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    folded: dict[str, Any] = {}
    for key, value in pairs:
        name = key.lower()
        if value is None:
            folded.setdefault(name, None)
            continue
        earlier = folded.get(name)
        if earlier is None or earlier == value:
            folded[name] = value
        elif isinstance(earlier, Ambiguous):
            earlier.append(value)
        else:
            folded[name] = Ambiguous([earlier, value])
    return folded


def _reject_constant(name: str) -> Any:
    raise _malformed(f"'{name}' is not valid JSON")


def _depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth_ok(v, depth + 1) for v in value)
    return True


def _loads(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_fold_keys, parse_constant=_reject_constant)


def _loads_lenient(text: str) -> Any:
    """`text` parsed, its trailing commas tolerated. They are looked for only when the
    text is not plain JSON: the scan is Python code over every character, and plain JSON
    has none to blank."""
    try:
        return _loads(text)
    except json.JSONDecodeError:
        pass
    return _loads(blank_trailing_commas(text))


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The body as a dict with lower-cased keys, or a 400 saying what is wrong."""
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    if not raw.strip():
        raise _malformed("the request body is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(f"the body is not valid UTF-8 (byte {exc.start})") from exc
    try:
        value = _loads_lenient(text)
    except json.JSONDecodeError as exc:
        raise _malformed(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise _malformed("the JSON is nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer literal longer than Python's digit limit
        raise _malformed("a number in the body is too large") from exc
    if not isinstance(value, dict):
        raise _malformed("the body must be a JSON object")
    if not _depth_ok(value):
        raise _malformed("the JSON is nested too deeply")
    return value


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def canonical_bytes(folded: dict[str, Any]) -> bytes:
    """One byte string per meaning: folded keys, nulls dropped, keys sorted."""
    # The stdlib encoder, not orjson: it takes integers of any size and escapes lone
    # surrogates, both of which a hostile body may contain.
    return json.dumps(_without_nulls(folded), sort_keys=True, separators=(",", ":")).encode()
