"""Every error code Tenantry answers, produced over HTTP, in the Partner Center envelope."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import httpx
import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_TENANT_ID
from tenantry.domain.models import PartnerType
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.database import sync_url
from tests.support.partners import add_partner
from tests.support.server import LiveServer


def _headers(token: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "MS-RequestId": str(uuid.uuid4())}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def assert_envelope(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "description", "data", "source"}
    assert body["code"] == code
    assert body["source"] == "PartnerFD"
    assert isinstance(body["description"], str)
    assert 0 < len(body["description"]) <= 1024
    assert isinstance(body["data"], list)
    return body


def india_body(**overrides: Any) -> dict[str, Any]:
    body = payloads.minimal(
        billingProfile__culture="en-IN",
        billingProfile__defaultAddress__country="IN",
        billingProfile__defaultAddress__city="Bengaluru",
        billingProfile__defaultAddress__state="Karnataka",
        billingProfile__defaultAddress__postalCode="560001",
        billingProfile__defaultAddress__phoneNumber="9876543210",
        companyProfile__organizationRegistrationNumber="AAPFU0939F",
    )
    for path, value in overrides.items():
        target = body
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        if value is payloads.DELETE:
            target.pop(leaf)
        else:
            target[leaf] = value
    return body


@pytest.fixture(scope="module")
def india(server: LiveServer) -> str:
    _, token = add_partner(server, "IN")
    return token


# --- authentication -------------------------------------------------------------------


async def test_800001_without_a_token(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post("/v1/customers", json=payloads.minimal())
    assert_envelope(response, 401, 800001)
    assert response.headers["www-authenticate"].startswith("Bearer realm=")
    assert "error=" not in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Basic Zm9vOmJhcg==", "Bearer", "Bearer eyJhbGciOiJub25lIn0.e30."],
)
async def test_400_for_a_bad_token(server: LiveServer, authorization: str) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get(
            f"/v1/customers/{uuid.uuid4()}", headers={"Authorization": authorization}
        )
    assert_envelope(response, 401, 400)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_400_for_a_token_signed_by_someone_else(server: LiveServer) -> None:
    """Everything right but the signature: the claims name the real partner and app."""
    import time

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = jwt.encode(
        {
            "aud": "https://api.partnercenter.microsoft.com",
            "tid": DEV_TENANT_ID,
            "azp": DEV_CLIENT_ID,
            "idtyp": "app",
            "iat": now,
            "exp": now + 600,
        },
        forger,
        algorithm="RS256",
        headers={"kid": server.runtime.tokens.keys.current.kid},
    )
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get(
            f"/v1/customers/{uuid.uuid4()}", headers={"Authorization": f"Bearer {forged}"}
        )
    body = assert_envelope(response, 401, 400)
    assert "signature" in body["description"]


async def test_400_for_a_wrong_audience_and_for_an_expired_token(server: LiveServer) -> None:
    import time

    import jwt

    key = server.runtime.tokens.keys.current
    now = int(time.time())
    base = {
        "tid": DEV_TENANT_ID,
        "azp": DEV_CLIENT_ID,
        "idtyp": "app",
        "iss": f"https://login.microsoftonline.com/{DEV_TENANT_ID}/v2.0",
    }
    wrong_audience = jwt.encode(
        {**base, "aud": "https://graph.microsoft.com", "iat": now, "exp": now + 600},
        key.private_key,
        algorithm="RS256",
        headers={"kid": key.kid},
    )
    expired = jwt.encode(
        {
            **base,
            "aud": "https://api.partnercenter.microsoft.com",
            "iat": now - 7200,
            "exp": now - 3600,
        },
        key.private_key,
        algorithm="RS256",
        headers={"kid": key.kid},
    )
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        for token, words in ((wrong_audience, "audience"), (expired, "expired")):
            response = await http.get(
                f"/v1/customers/{uuid.uuid4()}", headers={"Authorization": f"Bearer {token}"}
            )
            body = assert_envelope(response, 401, 400)
            assert words in body["description"]


async def test_900329_indirect_create_with_an_app_only_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/customers", content=payloads.seed_003(), headers=_headers())
    assert_envelope(response, 403, 900329)


# --- reading customers ----------------------------------------------------------------


async def test_60003_for_an_unknown_customer(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/customers/{uuid.uuid4()}")
    assert_envelope(response, 404, 60003)


@pytest.mark.parametrize(
    "customer_id",
    [
        "not-a-guid",
        "1234",
        "x" * 300,
        "%00",
        "--0123456789abcdef0123456789abcdef",
        "{0a4ce58a-6f96-4273-8035-d9c7d31b9ba4}",
    ],
)
async def test_900118_for_a_customer_id_that_is_not_a_guid(
    client: httpx.AsyncClient, customer_id: str
) -> None:
    response = await client.get(f"/v1/customers/{customer_id}")
    assert_envelope(response, 400, 900118)


async def test_20002_for_another_partners_customer(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    created = await client.post("/v1/customers", json=payloads.minimal(), headers=_headers())
    _, other_token = add_partner(server, "US")
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get(
            f"/v1/customers/{created.json()['id']}",
            headers={"Authorization": f"Bearer {other_token}"},
        )
    assert_envelope(response, 403, 20002)


# --- create: authorization and country rules ------------------------------------------


async def test_2030_customer_outside_the_partners_market(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(
        billingProfile__culture="de-DE",
        billingProfile__defaultAddress__country="DE",
        billingProfile__defaultAddress__city="Berlin",
        billingProfile__defaultAddress__state=None,
        billingProfile__defaultAddress__postalCode="10115",
    )
    response = await client.post("/v1/customers", json=body, headers=_headers())
    body = assert_envelope(response, 403, 2030)
    assert "DE" in body["description"]


async def test_india_customer_is_created_by_an_india_partner(
    server: LiveServer, india: str
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post("/v1/customers", json=india_body(), headers=_headers(india))
    assert response.status_code == 201, response.text
    customer = response.json()
    assert customer["companyProfile"]["organizationRegistrationNumber"] == "AAPFU0939F"
    assert customer["billingProfile"]["culture"] == "en-IN"


@pytest.mark.parametrize(
    ("overrides", "code", "path"),
    [
        (
            {"companyProfile__organizationRegistrationNumber": payloads.DELETE},
            600049,
            "companyProfile.organizationRegistrationNumber",
        ),
        (
            {"companyProfile__organizationRegistrationNumber": "12345"},
            600050,
            "companyProfile.organizationRegistrationNumber",
        ),
        (
            {"billingProfile__defaultAddress__phoneNumber": ""},
            600051,
            "billingProfile.defaultAddress.phoneNumber",
        ),
        (
            {"billingProfile__defaultAddress__phoneNumber": "12"},
            880015,
            "billingProfile.defaultAddress.phoneNumber",
        ),
        (
            {"billingProfile__defaultAddress__postalCode": "ABC"},
            2007,
            "billingProfile.defaultAddress.postalCode",
        ),
    ],
    ids=["600049", "600050", "600051", "880015", "2007"],
)
async def test_country_rules(
    server: LiveServer, india: str, overrides: dict[str, Any], code: int, path: str
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            "/v1/customers", json=india_body(**overrides), headers=_headers(india)
        )
    body = assert_envelope(response, 400, code)
    assert any(line.startswith(f"{path}: ") for line in body["data"]), body


async def test_2007_state_not_in_the_us_list(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(billingProfile__defaultAddress__state="ZZ")
    response = await client.post("/v1/customers", json=body, headers=_headers())
    data = assert_envelope(response, 400, 2007)["data"]
    assert any(line.startswith("billingProfile.defaultAddress.state: ") for line in data)


# --- create: field rules --------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"companyProfile__domain": "bad_domain.onmicrosoft.com"}, 880002),
        ({"companyProfile__domain": "contoso.com"}, 880002),
        ({"billingProfile__culture": "de-DE"}, 880003),
        ({"billingProfile__language": "fr"}, 880004),
        ({"billingProfile__email": "not-an-email"}, 880005),
        ({"billingProfile__email": "someone@microsoft.com"}, 880005),
        ({"billingProfile__companyName": "LLC"}, 880006),
        ({"billingProfile__companyName": "!!!"}, 880006),
        ({"userCredentials": {"userName": "admin", "password": "Chosen-by-me-1"}}, 880007),
        ({"userCredentials": {"password": ""}}, 880007),
        ({"userCredentials": {"password": 12345}}, 880007),
        ({"billingProfile__defaultAddress__addressLine1": "x" * 201}, 880008),
        ({"billingProfile__defaultAddress__firstName": "x" * 51}, 880008),
        ({"billingProfile__email": payloads.DELETE}, 880009),
        ({"billingProfile__defaultAddress__lastName": "   "}, 880009),
        ({"billingProfile__defaultAddress__city": "   "}, 2007),
        ({"billingProfile__defaultAddress__country": "UK"}, 880010),
        ({"billingProfile__defaultAddress__country": "uſ"}, 880010),  # long s: not "US"
        ({"billingProfile__culture": "en-uſ"}, 880003),
        ({"billingProfile__defaultAddress__state": "ıd"}, 2007),  # dotless i: not "ID"
    ],
)
async def test_field_rules(client: httpx.AsyncClient, overrides: dict[str, Any], code: int) -> None:
    response = await client.post(
        "/v1/customers", json=payloads.minimal(**overrides), headers=_headers()
    )
    assert_envelope(response, 409 if code == 880001 else 400, code)


async def test_uk_answer_suggests_gb(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(billingProfile__defaultAddress__country="UK")
    response = await client.post("/v1/customers", json=body, headers=_headers())
    envelope = assert_envelope(response, 400, 880010)
    assert "GB" in " ".join(envelope["data"])


async def test_all_problems_are_listed_in_data(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(
        billingProfile__email=payloads.DELETE,
        billingProfile__culture="xx-YY",
        billingProfile__defaultAddress__postalCode="ABCDE",
    )
    response = await client.post("/v1/customers", json=body, headers=_headers())
    envelope = assert_envelope(response, 400, 880009)
    paths = [line.split(":")[0] for line in envelope["data"]]
    assert paths[0] == "billingProfile.email"
    assert "billingProfile.culture" in paths
    assert "billingProfile.defaultAddress.postalCode" in paths


async def test_880001_domain_taken_across_partners(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    prefix = payloads.unique_prefix("Taken")
    first = await client.post("/v1/customers", json=payloads.minimal(prefix), headers=_headers())
    assert first.status_code == 201
    _, other = add_partner(server, "US", PartnerType.INDIRECT_PROVIDER)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            "/v1/customers", json=payloads.minimal(prefix.upper()), headers=_headers(other)
        )
    body = assert_envelope(response, 409, 880001)
    assert prefix.upper() in body["description"]


# --- protocol errors ------------------------------------------------------------------


async def test_1000_for_an_unknown_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/no-such-thing")
    assert_envelope(response, 404, 1000)


async def test_880013_for_a_method_the_route_does_not_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/customers")
    assert_envelope(response, 405, 880013)
    assert "POST" in response.headers["allow"]


async def test_880014_for_a_body_over_64_kib(client: httpx.AsyncClient) -> None:
    body = payloads.minimal(billingProfile__companyName="x" * 70_000)
    response = await client.post("/v1/customers", json=body, headers=_headers())
    assert_envelope(response, 400, 880014)


async def test_880014_for_a_chunked_body_over_64_kib(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(70):
            yield b" " * 1024

    response = await client.post("/v1/customers", content=chunks(), headers=_headers())
    assert_envelope(response, 400, 880014)


async def test_800002_for_a_missing_header_in_strict_mode(server_factory: ServerFactory) -> None:
    strict = server_factory(strict_headers=True)
    token = strict.token()
    async with httpx.AsyncClient(base_url=strict.base_url) as http:
        response = await http.get(
            f"/v1/customers/{uuid.uuid4()}",
            headers={"Authorization": f"Bearer {token}", "MS-CorrelationId": str(uuid.uuid4())},
        )
        assert_envelope(response, 400, 800002)
        assert "MS-RequestId" in response.json()["description"]
        ok = await http.get(
            f"/v1/customers/{uuid.uuid4()}",
            headers={
                "Authorization": f"Bearer {token}",
                "MS-RequestId": str(uuid.uuid4()),
                "MS-CorrelationId": str(uuid.uuid4()),
            },
        )
        assert ok.json()["code"] == 60003


async def test_800015_and_800016_for_indirect_creates(
    user_client: httpx.AsyncClient, server: LiveServer
) -> None:
    unknown = await user_client.post(
        "/v1/customers",
        content=payloads.seed_003(reseller_id=str(uuid.uuid4())),
        headers=_headers(),
    )
    assert_envelope(unknown, 404, 800015)
    reseller, _ = add_partner(server, "US", PartnerType.INDIRECT_RESELLER)
    unrelated = await user_client.post(
        "/v1/customers",
        content=payloads.seed_003(reseller_id=reseller.tenant_id),
        headers=_headers(),
    )
    assert_envelope(unrelated, 400, 800016)


async def test_a_trailing_slash_routes_like_the_plain_path(client: httpx.AsyncClient) -> None:
    """Not redirected (a 307 helps no client) and not a 404: the documented PATCH URI ends
    in `/`, and clients join paths with extra slashes."""
    response = await client.post("/v1/customers/", json=payloads.minimal())
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/customers/{response.json()['id']}"


async def test_800003_for_an_unexpected_failure(
    server_factory: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> None:
        raise RuntimeError("secret internal detail")

    broken = server_factory(extra_routes={"/v1/explode": explode})
    correlation = str(uuid.uuid4())
    with caplog.at_level(logging.ERROR, logger="tenantry.api"):
        async with httpx.AsyncClient(base_url=broken.base_url) as http:
            response = await http.get("/v1/explode", headers={"MS-CorrelationId": correlation})
    assert any(correlation in record.getMessage() for record in caplog.records)
    body = assert_envelope(response, 500, 800003)
    assert correlation in body["description"]
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["ms-correlationid"] == correlation


async def test_880016_when_the_database_stays_locked(server_factory: ServerFactory) -> None:
    busy = server_factory(lock_wait_seconds=0.3)
    if busy.backend == "sqlite":
        pytest.skip("SQLite readers never wait for writers in WAL mode")
    import psycopg

    token = busy.token()
    with psycopg.connect(sync_url(busy)) as conn:
        conn.execute("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
        async with httpx.AsyncClient(base_url=busy.base_url) as http:
            response = await http.get(
                f"/v1/customers/{uuid.uuid4()}", headers={"Authorization": f"Bearer {token}"}
            )
        conn.rollback()
    assert_envelope(response, 503, 880016)
    assert response.headers["retry-after"] == "1"
