"""Malformed and hostile bodies: a precise 400 in the envelope, never a 500."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support import payloads
from tests.support.database import query
from tests.support.server import LiveServer


async def _post(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    return await client.post(
        "/v1/customers",
        content=content,
        headers={"Content-Type": "application/json", "MS-RequestId": str(uuid.uuid4())},
    )


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b'{"CompanyProfile": {"Domain": "x.onmicrosoft.com"', "line 1"),
        (b'{\n  "a": 1,\n  "b": tru\n}', "line 3, column 8"),
        (b'{"a": 1}}', "line 1, column 9"),
        (b'{"a": [,]}', "line 1, column 8"),
        (b"", "empty"),
        (b"[1, 2]", "JSON object"),
        (b'"just a string"', "JSON object"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested"),
        (b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}", "nested"),
        (b'{"a": 1' + b"0" * 5000 + b"}", "too large"),
        (
            b'{"CompanyProfile": {"Domain": "a.onmicrosoft.com", "domain": "b.onmicrosoft.com"}}',
            "more than once",
        ),
    ],
    ids=[
        "unclosed",
        "bad-literal",
        "trailing-garbage",
        "lone-comma",
        "empty",
        "array",
        "string",
        "utf16",
        "nan",
        "deep",
        "nested-40",
        "huge-int",
        "duplicate-key",
    ],
)
async def test_malformed_json_says_where(
    client: httpx.AsyncClient, content: bytes, where: str
) -> None:
    response = await _post(client, content)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 800002
    assert where in body["description"]


@pytest.mark.parametrize(
    ("member", "value", "path"),
    [
        ("billingProfile__email", 42, "billingProfile.email"),
        ("billingProfile__defaultAddress", "Redmond", "billingProfile.defaultAddress"),
        ("enableGDAPByDefault", "yes", "enableGDAPByDefault"),
        ("companyProfile", [], "companyProfile"),
        ("billingProfile__companyName", "Wingtip\u0000Toys", "billingProfile.companyName"),
        ("billingProfile__companyName", "Wingtip\u0007Toys", "billingProfile.companyName"),
        ("billingProfile__companyName", "\ud800", "billingProfile.companyName"),
    ],
    ids=[
        "number-for-string",
        "string-for-object",
        "string-for-bool",
        "array-for-object",
        "nul",
        "bell",
        "lone-surrogate",
    ],
)
async def test_wrong_types_and_control_characters(
    client: httpx.AsyncClient, member: str, value: object, path: str
) -> None:
    raw = payloads.dumps(payloads.minimal(**{member: value}))
    response = await _post(client, raw.encode())
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 800002
    assert body["data"][0].startswith(f"{path}: ")


async def test_byte_order_mark_and_hostile_but_valid_text_are_fine(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    name = "\u202eWingtip \u05d0\u05d1 Toys \U0001f600 <script>'; DROP TABLE customers;--"
    body = payloads.minimal(billingProfile__companyName=name[:255])
    response = await _post(client, b"\xef\xbb\xbf" + payloads.dumps(body).encode())
    assert response.status_code == 201, response.text
    assert response.json()["billingProfile"]["companyName"] == name
    assert query(server, "SELECT count(*) FROM customers")[0][0] >= 1


async def test_a_refused_request_leaves_nothing_behind(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    prefix = payloads.unique_prefix("Nothing")
    body = payloads.minimal(prefix, billingProfile__defaultAddress__postalCode="ABC")
    response = await _post(client, payloads.dumps(body).encode())
    assert response.status_code == 400
    assert (
        query(
            server,
            "SELECT count(*) FROM customers WHERE domain_key = :d",
            d=f"{prefix}.onmicrosoft.com".lower(),
        )[0][0]
        == 0
    )
