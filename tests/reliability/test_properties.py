"""Properties of the validators and of body binding, with generated inputs; and generated
hostile text sent to the live server, which must answer with the error envelope.

tests/api/test_body_properties.py covers the JSON reader itself; tests/api/test_hostile.py
the hand-picked malformed bodies. This file adds the validators, the binding of a whole
create body, and what test_hostile.py does not send.
"""

from __future__ import annotations

import json
import string
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenantry.api.schemas.customers import draft_from_wire
from tenantry.domain.errors import Errors
from tenantry.domain.rules.addresses import check_address
from tenantry.domain.rules.domains import (
    PRODUCTION_SUFFIX,
    SANDBOX_SUFFIX,
    check_domain,
    domain_key,
    is_valid_domain,
)
from tenantry.domain.rules.locales import (
    canonical_culture,
    cultures_of,
    is_supported_language,
    known_countries,
    languages_of,
)
from tenantry.domain.rules.registration import (
    check_registration,
    is_registration_required,
    is_valid_registration,
)
from tenantry.http.body import parse_json_object
from tests.support import payloads
from tests.support.database import query
from tests.support.server import LiveServer

ALNUM = string.ascii_letters + string.digits
COUNTRIES = known_countries()
# Any text at all: control characters, NUL, lone surrogates, RTL marks, emoji, long runs.
ANY_TEXT = st.text(st.characters(codec=None), max_size=300)
HOSTILE = st.one_of(
    ANY_TEXT,
    st.sampled_from(
        [
            "\u202e\u202d\u200f\u200e\u2066\u2069",  # bidirectional overrides and isolates
            "\x00",
            "a\x00b",
            "\ud800",
            "\udfff\ud800",
            "\ufeff\u200b\u200d",  # BOM, zero-width space and joiner
            "\r\n\t\x0b\x0c\x1b[31m",
            "x" * 5000,
            "\U0001f600" * 300,
            "%00%ff%c0%af",
            "../../etc/passwd",
            "' OR 1=1 --",
        ]
    ),
)


def _random_case(draw: Any, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.swapcase() if flip else c for c, flip in zip(text, flips, strict=True))


@st.composite
def recased(draw: Any, value: Any) -> Any:
    """`value` with every member name in a random casing (values untouched)."""
    if isinstance(value, dict):
        return {_random_case(draw, k): draw(recased(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [draw(recased(v)) for v in value]
    return value


# --- domain -------------------------------------------------------------------------


@given(
    prefix=st.text(ALNUM, min_size=1, max_size=27),
    suffix=st.sampled_from([PRODUCTION_SUFFIX, SANDBOX_SUFFIX]),
    data=st.data(),
)
def test_every_well_formed_domain_is_valid_in_any_case(
    prefix: str, suffix: str, data: st.DataObject
) -> None:
    domain = prefix + _random_case(data.draw, suffix)
    assert is_valid_domain(domain, sandbox=True)
    assert check_domain(domain, sandbox=True) == []
    assert is_valid_domain(domain, sandbox=False) == (suffix == PRODUCTION_SUFFIX)
    # Uniqueness ignores case: every casing has the same key.
    assert domain_key(domain) == domain_key(domain.swapcase()) == domain_key(domain.upper())


@given(domain=ANY_TEXT)
def test_a_domain_is_valid_exactly_when_it_is_a_short_alphanumeric_prefix(domain: str) -> None:
    lowered = domain.lower()
    expected = any(
        lowered.endswith(suffix)
        and 1 <= len(domain) - len(suffix) <= 27
        and all(c in ALNUM for c in domain[: -len(suffix)])
        for suffix in (PRODUCTION_SUFFIX, SANDBOX_SUFFIX)
    )
    assert is_valid_domain(domain, sandbox=True) == expected
    problems = check_domain(domain, sandbox=True)
    assert [p.spec.code for p in problems] == ([] if expected else [Errors.DOMAIN_INVALID.code])


@given(prefix=st.text(ALNUM, min_size=28, max_size=60))
def test_a_prefix_longer_than_27_is_refused(prefix: str) -> None:
    assert not is_valid_domain(prefix + PRODUCTION_SUFFIX, sandbox=True)


# --- culture and language -----------------------------------------------------------


@given(country=st.sampled_from(COUNTRIES), data=st.data())
def test_a_listed_culture_is_accepted_in_any_case(country: str, data: st.DataObject) -> None:
    cultures = cultures_of(country)
    assert cultures, country
    culture = data.draw(st.sampled_from(cultures))
    assert canonical_culture(country, _random_case(data.draw, culture)) == culture
    language = data.draw(st.sampled_from(languages_of(country)))
    assert is_supported_language(country, _random_case(data.draw, language))


@given(country=st.sampled_from(COUNTRIES), culture=ANY_TEXT)
def test_an_unlisted_culture_is_refused(country: str, culture: str) -> None:
    listed = {c.casefold() for c in cultures_of(country)}
    found = canonical_culture(country, culture)
    if culture.isascii() and culture.casefold() in listed:
        assert found is not None
        assert found.casefold() == culture.casefold()
    else:
        assert found is None


@given(country=st.sampled_from(COUNTRIES), language=ANY_TEXT)
def test_a_language_is_two_ascii_letters_of_the_country(country: str, language: str) -> None:
    if is_supported_language(country, language):
        assert len(language) == 2
        assert language.isascii()
        assert language.isalpha()
        assert language.lower() in languages_of(country)


# --- registration number ------------------------------------------------------------


@given(country=st.sampled_from(COUNTRIES), number=ANY_TEXT, pad=st.sampled_from(["", " ", "\t"]))
def test_registration_check_is_total_and_ignores_surrounding_blanks(
    country: str, number: str, pad: str
) -> None:
    problems = check_registration(country, number)
    assert check_registration(country, pad + number + pad) == problems
    codes = [p.spec.code for p in problems]
    if not is_registration_required(country):
        assert codes == []
    elif not number.strip():
        assert codes == [Errors.REGISTRATION_NUMBER_MISSING.code]
    else:
        expected = (
            []
            if is_valid_registration(country, number)
            else [Errors.REGISTRATION_NUMBER_INVALID.code]
        )
        assert codes == expected


# --- address ------------------------------------------------------------------------


@given(
    country=st.sampled_from(COUNTRIES),
    state=st.none() | ANY_TEXT,
    city=st.none() | ANY_TEXT,
    postal_code=st.none() | ANY_TEXT,
)
def test_address_check_is_total_and_only_reports_address_problems(
    country: str, state: str | None, city: str | None, postal_code: str | None
) -> None:
    problems = check_address(country, state=state, city=city, postal_code=postal_code)
    assert {p.spec.code for p in problems} <= {Errors.ADDRESS_INVALID.code}
    padded = None if postal_code is None else f"  {postal_code}\t"
    assert check_address(country, state=state, city=city, postal_code=padded) == problems


@given(data=st.data())
def test_the_seed_address_is_valid_with_any_postal_code_padding(data: st.DataObject) -> None:
    pad = data.draw(st.text(" \t", max_size=3))
    assert check_address("US", state="WA", city="Redmond", postal_code=f"{pad}98052{pad}") == []


# --- case-insensitive binding ---------------------------------------------------------

SEED_BODIES = [
    payloads.seed_000("fixed"),
    payloads.seed_001("fixed"),
    payloads.seed_003("fixed"),
    payloads.dumps(payloads.minimal("fixed", companyProfile__organizationRegistrationNumber="1")),
]


@given(seed=st.sampled_from(SEED_BODIES), data=st.data())
def test_member_names_bind_in_any_casing(seed: str, data: st.DataObject) -> None:
    variant = data.draw(recased(json.loads(seed)))
    expected = draft_from_wire(parse_json_object(seed.encode()))
    assert draft_from_wire(parse_json_object(json.dumps(variant).encode())) == expected
    assert expected.domain == "fixed.onmicrosoft.com"


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_recased_retry_is_the_same_customer(
    data: st.DataObject, server: LiveServer, token: str
) -> None:
    body = payloads.minimal(enableGDAPByDefault=True)
    variant = data.draw(recased(body))
    request_id = str(uuid.uuid4())
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        first = http.post("/v1/customers", json=body, headers={"MS-RequestId": request_id})
        again = http.post("/v1/customers", json=variant, headers={"MS-RequestId": request_id})
    assert first.status_code == 201, first.text
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    key = body["companyProfile"]["domain"].lower()
    assert query(server, "SELECT count(*) FROM customers WHERE domain_key = :d", d=key) == [(1,)]


# --- hostile text, live -------------------------------------------------------------

MEMBERS = [
    "companyProfile__domain",
    "companyProfile__organizationRegistrationNumber",
    "billingProfile__email",
    "billingProfile__culture",
    "billingProfile__language",
    "billingProfile__companyName",
    "billingProfile__defaultAddress__country",
    "billingProfile__defaultAddress__state",
    "billingProfile__defaultAddress__city",
    "billingProfile__defaultAddress__postalCode",
    "billingProfile__defaultAddress__addressLine1",
    "billingProfile__defaultAddress__phoneNumber",
    "associatedPartnerId",
]


def _assert_envelope_or_created(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code == 201:
        return
    assert set(body) == {"code", "description", "data", "source"}, body
    assert isinstance(body["code"], int)
    assert body["source"] == "PartnerFD"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(member=st.sampled_from(MEMBERS), value=HOSTILE, key_noise=st.sampled_from(["", "\x00"]))
def test_hostile_text_in_any_member_gets_the_envelope(
    member: str, value: str, key_noise: str, server: LiveServer, token: str
) -> None:
    body = payloads.minimal(**{member: value})
    if key_noise:
        body[f"extra{key_noise}member"] = value
    raw = json.dumps(body)  # lone surrogates travel as \\udXXX escapes, as any JSON encoder
    response = httpx.post(
        f"{server.base_url}/v1/customers",
        content=raw.encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "MS-RequestId": str(uuid.uuid4()),
        },
        timeout=30,
    )
    _assert_envelope_or_created(response)


VALID = payloads.dumps(payloads.minimal("hostile")).encode()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        # invalid UTF-8 in the middle of a string, overlong encodings, a lone continuation byte
        (VALID.replace(b"Wingtip", b"Wing\xc3\x28tip"), 800002),
        (VALID.replace(b"Wingtip", b"Wing\xc0\xaftip"), 800002),
        (VALID.replace(b"Wingtip", b"Wing\x80tip"), 800002),
        (VALID.replace(b"Wingtip", b"Wing\xed\xa0\x80tip"), 800002),  # a surrogate as UTF-8
        # a raw NUL and a raw newline inside a JSON string (not escaped)
        (VALID.replace(b"Wingtip", b"Wing\x00tip"), 800002),
        (VALID.replace(b"Wingtip", b"Wing\ntip"), 800002),
        # deep nesting of objects (test_hostile nests arrays) in a member nobody reads
        (VALID[:-1] + b', "x": ' + b'{"a": ' * 200 + b"1" + b"}" * 200 + b"}", 800002),
        # a value long enough to exceed the body limit, and one just under it
        (VALID.replace(b"Wingtip", b"W" * 70_000), 880014),
        (VALID.replace(b"Wingtip", b"W" * 60_000), None),
        # an RTL override and a zero-width space in the domain
        (VALID.replace(b'"hostile', b'"\\u202ehostile'), 880002),
        (VALID.replace(b'"hostile', b'"host\\u200bile'), 880002),
    ],
    ids=[
        "invalid-utf8",
        "overlong-utf8",
        "lone-continuation",
        "utf8-surrogate",
        "raw-nul",
        "raw-newline",
        "deep-objects",
        "over-limit",
        "long-value",
        "rtl-domain",
        "zero-width-domain",
    ],
)
def test_hostile_bodies_get_the_envelope(
    server: LiveServer, token: str, content: bytes, code: int | None
) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/customers",
        content=content,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "MS-RequestId": str(uuid.uuid4()),
        },
        timeout=30,
    )
    _assert_envelope_or_created(response)
    assert response.status_code != 201
    if code is not None:
        assert response.json()["code"] == code, response.text


@pytest.mark.parametrize(
    "path",
    [
        "/v1/customers/%00",
        "/v1/customers/%E2%80%AE" + "a" * 36,
        "/v1/customers/" + "a" * 5000,
        "/v1/customers/%ff%fe/profiles/billing",
        "/v1/countryvalidationrules/%00%0d%0a",
        "/v1/countryvalidationrules/" + "Z" * 5000,
        "/v1/customers/%2e%2e%2f%2e%2e%2fetc",
    ],
    ids=["nul", "rtl", "long", "invalid-utf8", "crlf", "long-country", "dot-dot"],
)
def test_hostile_path_parameters_get_the_envelope(
    server: LiveServer, token: str, path: str
) -> None:
    response = httpx.get(
        f"{server.base_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert set(body) == {"code", "description", "data", "source"}
