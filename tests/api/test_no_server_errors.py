"""Generated requests of every kind: Tenantry answers each one, and never with a 5xx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenantry.auth.development import DEV_TENANT_ID
from tests.support.server import LiveServer

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(max_size=300),
    st.sampled_from(["", " ", "\u0000", "\u202e", "ß" * 255, "İ" * 100, "𝔘" * 60, "\ufeff"]),
)
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
plausible = {
    "domain": st.one_of(
        st.from_regex(r"[A-Za-z0-9]{1,27}\.onmicrosoft\.com", fullmatch=True), leaf
    ),
    "country": st.one_of(st.sampled_from(["US", "us", "UK", "GB", "IN", "CN", "BR", "XK"]), leaf),
    "state": st.one_of(st.sampled_from(["WA", "ZZ", "BJ", "CMX"]), leaf),
    "postalCode": st.one_of(st.sampled_from(["98052", "560001", "ABC"]), leaf),
    "culture": st.one_of(st.sampled_from(["en-US", "EN-us", "zh-CN", "xx"]), leaf),
}


def _field(name: str) -> st.SearchStrategy[Any]:
    return plausible.get(name, leaf)


address = st.fixed_dictionaries(
    {},
    optional={
        k: _field(k)
        for k in (
            "country",
            "city",
            "state",
            "addressLine1",
            "addressLine2",
            "postalCode",
            "firstName",
            "middleName",
            "lastName",
            "phoneNumber",
            "region",
        )
    },
)
billing = st.fixed_dictionaries(
    {},
    optional={
        "email": st.one_of(st.emails(), leaf),
        "culture": _field("culture"),
        "language": st.one_of(st.sampled_from(["en", "En", "zh"]), leaf),
        "companyName": leaf,
        "firstName": leaf,
        "defaultAddress": st.one_of(address, leaf),
    },
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "companyProfile": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"domain": _field("domain"), "organizationRegistrationNumber": leaf}
            ),
            leaf,
        ),
        "billingProfile": st.one_of(billing, leaf),
        "enableGDAPByDefault": leaf,
        "userCredentials": leaf,
        "associatedPartnerId": leaf,
        "Id": leaf,
    },
)


@pytest.fixture
def http(server: LiveServer, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        yield client


def _assert_answered(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.request.method != "HEAD" and response.status_code >= 400:
        assert set(response.json()) >= {"code", "description"} or "error" in response.json()


@FUZZ
@given(body=bodies)
def test_create_with_generated_bodies(http: httpx.Client, body: dict[str, Any]) -> None:
    response = http.post(
        "/v1/customers",
        json=body,
        headers={"MS-RequestId": str(uuid.uuid4()), "X-Locale": "zh-TW"},
    )
    _assert_answered(response)


@FUZZ
@given(raw=st.binary(max_size=400))
def test_create_with_generated_bytes(http: httpx.Client, raw: bytes) -> None:
    _assert_answered(http.post("/v1/customers", content=raw))


@FUZZ
@given(segment=st.text(min_size=1, max_size=300))
def test_reads_with_generated_path_segments(http: httpx.Client, segment: str) -> None:
    encoded = quote(segment, safe="")
    _assert_answered(http.get(f"/v1/customers/{encoded}"))
    _assert_answered(http.head(f"/v1/domains/{encoded}"))


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(["grant_type", "client_id", "client_secret", "scope", "resource"]),
        st.text(max_size=80),
    ),
    tenant=st.one_of(st.just(DEV_TENANT_ID), st.text(min_size=1, max_size=60)),
)
def test_token_endpoint_with_generated_forms(
    http: httpx.Client, form: dict[str, str], tenant: str
) -> None:
    response = http.post(f"/{quote(tenant, safe='')}/oauth2/v2.0/token", data=form)
    _assert_answered(response)


@FUZZ
@given(
    headers=st.dictionaries(
        st.sampled_from(["MS-RequestId", "MS-CorrelationId", "MS-CV", "X-Locale", "Authorization"]),
        # HTTP strips surrounding whitespace from values; the client refuses to send it.
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200).map(
            str.strip
        ),
    )
)
def test_generated_headers(server: LiveServer, headers: dict[str, str]) -> None:
    response = httpx.get(f"{server.base_url}/v1/customers/{uuid.uuid4()}", headers=headers)
    _assert_answered(response)
