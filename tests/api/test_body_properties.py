"""Properties of the request-body reader, checked with generated inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenantry.domain.errors import ServiceError
from tenantry.http.body import blank_trailing_commas, canonical_bytes, parse_json_object

# Partner Center's property names are ASCII; case folding of other scripts is not a goal.
keys = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8
)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)
objects = st.dictionaries(keys, documents, max_size=5)


def _swap_case(value: Any) -> Any:
    if isinstance(value, dict):
        return {k.swapcase(): _swap_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_case(v) for v in value]
    return value


def _with_trailing_commas(value: Any) -> str:
    """JSON with a comma after the last member of every non-empty object and array."""
    if isinstance(value, dict):
        members = "".join(
            f"{json.dumps(k)}: {_with_trailing_commas(v)}, " for k, v in value.items()
        )
        return "{" + members + "}"
    if isinstance(value, list):
        return "[" + "".join(f"{_with_trailing_commas(v)}, " for v in value) + "]"
    return json.dumps(value)


def _unique_folded_keys(value: Any) -> bool:
    if isinstance(value, dict):
        folded = [k.lower() for k in value]
        return len(folded) == len(set(folded)) and all(
            _unique_folded_keys(v) for v in value.values()
        )
    if isinstance(value, list):
        return all(_unique_folded_keys(v) for v in value)
    return True


@given(objects)
def test_valid_json_is_left_untouched(doc: dict[str, Any]) -> None:
    text = json.dumps(doc)
    assert blank_trailing_commas(text) == text


@given(objects)
def test_trailing_commas_parse_like_the_clean_document(doc: dict[str, Any]) -> None:
    if not _unique_folded_keys(doc):
        return
    messy = _with_trailing_commas(doc)
    assert parse_json_object(messy.encode()) == parse_json_object(json.dumps(doc).encode())


@given(objects)
def test_canonical_form_ignores_key_case(doc: dict[str, Any]) -> None:
    if not _unique_folded_keys(doc):
        return
    plain = parse_json_object(json.dumps(doc).encode())
    swapped = parse_json_object(json.dumps(_swap_case(doc)).encode())
    assert canonical_bytes(plain) == canonical_bytes(swapped)


def _outcome(raw: bytes) -> str | int:
    try:
        parse_json_object(raw)
    except ServiceError as error:
        return error.spec.code
    return "parsed"


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_parse_or_fail_with_800002(raw: bytes) -> None:
    assert _outcome(raw) in ("parsed", 800002)


@pytest.mark.parametrize("text", ['{"a": "x,}"}', '{"a": "\\",]"}'])
def test_commas_inside_strings_are_kept(text: str) -> None:
    assert blank_trailing_commas(text) == text
