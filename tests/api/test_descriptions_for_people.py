"""Under a Chinese `X-Locale`, a create field's problem reads as a Chinese sentence that names
the field, gives an example, and shows a country's name: no library English, no pattern.
English descriptions stay the documented wire texts."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support import payloads

# Regular-expression syntax, and an English sentence (three Latin words in a row).
REGEX_SYNTAX = re.compile(r"\^|\(\?:|\\d|\[\^")
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")

CASES: dict[str, tuple[dict[str, Any], int, dict[str, str]]] = {
    "bad email": (
        {"billingProfile__email": "gena@-wingtiptoys"},
        880005,
        {"zh-CN": "电子邮件", "zh-TW": "電子郵件"},
    ),
    "bad postal code": (
        {"billingProfile__defaultAddress__postalCode": "9805"},
        2007,
        {"zh-CN": "邮政编码", "zh-TW": "郵遞區號"},
    ),
    "missing state": (
        {"billingProfile__defaultAddress__state": payloads.DELETE},
        2007,
        {"zh-CN": "州", "zh-TW": "州"},
    ),
}
UNITED_STATES = {"zh-CN": "美国", "zh-TW": "美國"}


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW"])
@pytest.mark.parametrize("case", list(CASES))
async def test_chinese_descriptions_are_sentences_naming_the_field(
    client: httpx.AsyncClient, case: str, locale: str
) -> None:
    overrides, code, field = CASES[case]
    body = payloads.minimal(**overrides)
    response = await client.post("/v1/customers", json=body, headers={"X-Locale": locale})

    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == code
    description = answer["description"]
    assert field[locale] in description
    assert description.endswith("。")
    assert REGEX_SYNTAX.search(description) is None, description
    assert ENGLISH_RUN.search(description) is None, description
    assert all(ENGLISH_RUN.search(item) is None for item in answer["data"]), answer["data"]
    if code == 2007:
        assert UNITED_STATES[locale] in description  # the country's name, not "US"
        assert "US" not in description


async def test_a_postal_code_example_replaces_the_pattern(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(billingProfile__defaultAddress__postalCode="9805")
    response = await client.post("/v1/customers", json=body, headers={"X-Locale": "zh-CN"})

    assert "95014" in response.json()["description"]


async def test_english_descriptions_keep_the_wire_texts(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(billingProfile__email="gena@-wingtiptoys")
    response = await client.post("/v1/customers", json=body)

    assert response.json()["description"].startswith("The e-mail address is not valid: ")
