"""Sign-in against Microsoft Entra ID and Partner Center, both played by httpx's mock
transport: where a secret goes, the token cache and its single flight, retries of the token
endpoint, azure-core credentials, certificates, the device code and refresh token flows,
and the total deadline of a call.

Needs nothing but the SDK (no Tenantry server, no conftest): it also runs in the venv that
holds the oldest httpx the SDK supports (`./dev test`)."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import parse_qs

import httpx
import pytest
from tenantry_client import (
    ENTRA_AUTHORITY,
    PARTNER_CENTER_SCOPE,
    PARTNER_CENTER_USER_SCOPE,
    AsyncPartnerClient,
    AzureCredential,
    CertificateCredential,
    ClientSecretCredential,
    CredentialError,
    DeviceCode,
    DeviceCodeCredential,
    PartnerClient,
    RefreshTokenCredential,
    RetryPolicy,
    ServerError,
    TransportError,
)
from tenantry_client._credentials import authority_for

CUSTOMER = {"id": "c1"}
PC = "https://api.partnercenter.microsoft.com"
ENTRA_TOKEN_URL = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
NO_RETRY_WAIT = RetryPolicy(jitter=lambda: 1.0)


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


class Waits:
    """A recording `sleep` for either client: waits happen at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> Any:
        self.waits.append(seconds)
        return _Done()


class _Done:
    def __await__(self) -> Iterator[None]:
        return iter(())


class Service:
    """Token endpoints (any host, any tenant) and Partner Center's API behind one mock
    transport. `token_script` answers the token requests in order (the last one repeated,
    None: a fresh token); the API answers with the customer, recording the bearer token."""

    def __init__(self, name: str = "tok", *token_script: httpx.Response | Exception | None):
        self.name = name
        self.script: list[httpx.Response | Exception | None] = list(token_script) or [None]
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []
        self.issued = 0
        self.token_delay = 0.0
        self._lock = threading.Lock()

    @property
    def api_tokens(self) -> list[str]:
        return [r.headers["Authorization"] for r in self.api_requests]

    def _token(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.token_requests.append(request)
            step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
            if step is None:
                self.issued += 1
                step = httpx.Response(
                    200,
                    json={
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "access_token": f"{self.name}{self.issued}",
                    },
                )
        if isinstance(step, Exception):
            raise step
        return step

    def _is_token_route(self, request: httpx.Request) -> bool:
        return request.url.path.endswith("/oauth2/v2.0/token")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self._is_token_route(request):
            if self.token_delay:
                time.sleep(self.token_delay)
            return self._token(request)
        self.api_requests.append(request)
        return httpx.Response(200, json=CUSTOMER)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        if self._is_token_route(request) and self.token_delay:
            await asyncio.sleep(self.token_delay)
            return self._token(request)
        return self(request)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def client_of(kind: str, credential: Any, service: Service, **options: Any) -> Any:
    if kind == "sync":
        return PartnerClient(credential, transport=httpx.MockTransport(service), **options)
    transport = httpx.MockTransport(service.handle_async)
    return AsyncPartnerClient(credential, transport=transport, **options)


async def run(kind: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    result = method(*args, **kwargs)
    return await result if kind == "async" else result


# Where the secret goes.


def test_the_authority_of_partner_center_is_entra_id() -> None:
    assert authority_for(PC) == ENTRA_AUTHORITY
    assert authority_for("https://api.partnercenter.microsoft.com/") == ENTRA_AUTHORITY
    assert authority_for("https://API.PartnerCenter.Microsoft.com") == ENTRA_AUTHORITY
    for elsewhere in (
        "http://127.0.0.1:8000",
        "https://tenantry.example",
        "https://partnercenter.microsoft.com.evil.example",
        "https://evilpartnercenter.microsoft.com",
    ):
        assert authority_for(elsewhere) == elsewhere


async def test_against_partner_center_the_secret_goes_to_entra_id_only(kind: str) -> None:
    service = Service()
    credential = ClientSecretCredential("tenant-1", "app-1", "s3cret")
    client = client_of(kind, credential, service)  # the default base URL: Partner Center
    await run(kind, client.customers.get, "c1")
    (token_request,) = service.token_requests
    assert str(token_request.url) == ENTRA_TOKEN_URL
    assert form_of(token_request)["client_secret"] == "s3cret"
    assert form_of(token_request)["scope"] == PARTNER_CENTER_SCOPE
    (api_request,) = service.api_requests
    assert str(api_request.url) == f"{PC}/v1/customers/c1"
    assert b"s3cret" not in api_request.content
    assert "s3cret" not in str(api_request.headers)
    assert api_request.headers["Authorization"] == "Bearer tok1"
    await run(kind, client.close)


async def test_a_tenantry_base_url_is_its_own_authority_unless_one_is_named(kind: str) -> None:
    service = Service()
    own = ClientSecretCredential("tenant-1", "app-1", "s3cret")
    await run(kind, client_of(kind, own, service, base_url="http://t.test/").customers.get, "c1")
    named = ClientSecretCredential("tenant-1", "app-1", "s3cret", authority=ENTRA_AUTHORITY)
    await run(kind, client_of(kind, named, service, base_url="http://t.test").customers.get, "c1")
    urls = [str(r.url) for r in service.token_requests]
    assert urls == ["http://t.test/tenant-1/oauth2/v2.0/token", ENTRA_TOKEN_URL]


async def test_a_redirect_from_the_token_endpoint_is_not_followed(kind: str) -> None:
    redirect = httpx.Response(307, headers={"Location": "https://collector.example/token"})
    service = Service("tok", redirect)
    credential = ClientSecretCredential("tenant-1", "app-1", "s3cret")
    transport = httpx.MockTransport(service if kind == "sync" else service.handle_async)
    # Even an HTTP client that follows redirects does not carry the secret elsewhere.
    if kind == "sync":
        with (
            httpx.Client(transport=transport, follow_redirects=True) as http,
            pytest.raises(CredentialError, match="redirect") as caught,
        ):
            PartnerClient(credential, http_client=http).customers.get("c1")
    else:
        async with httpx.AsyncClient(transport=transport, follow_redirects=True) as ahttp:
            with pytest.raises(CredentialError, match="redirect") as caught:
                await AsyncPartnerClient(credential, http_client=ahttp).customers.get("c1")
    assert caught.value.status == 307
    assert [r.url.host for r in service.token_requests] == ["login.microsoftonline.com"]
    assert service.api_requests == []


# The token cache: per authority, tenant, client and scope.


async def test_one_credential_against_two_services_keeps_their_tokens_apart(kind: str) -> None:
    one, two = Service("one-"), Service("two-")
    credential = ClientSecretCredential("tenant-1", "app-1", "s3cret")
    first = client_of(kind, credential, one, base_url="http://one.test")
    second = client_of(kind, credential, two, base_url="http://two.test")
    for _ in range(2):
        await run(kind, first.customers.get, "c1")
        await run(kind, second.customers.get, "c1")
    assert one.api_tokens == ["Bearer one-1", "Bearer one-1"]
    assert two.api_tokens == ["Bearer two-1", "Bearer two-1"]
    assert [r.url.host for r in one.token_requests] == ["one.test"]
    assert [r.url.host for r in two.token_requests] == ["two.test"]


async def test_twenty_concurrent_first_calls_fetch_one_token_async() -> None:
    service = Service()
    service.token_delay = 0.05  # long enough for all twenty to be waiting
    credential = ClientSecretCredential("tenant-1", "app-1", "s3cret")
    async with AsyncPartnerClient(
        credential, base_url="http://t.test", transport=httpx.MockTransport(service.handle_async)
    ) as client:
        await asyncio.gather(*(client.customers.get("c1") for _ in range(20)))
    assert len(service.token_requests) == 1
    assert service.api_tokens == ["Bearer tok1"] * 20


def test_twenty_concurrent_first_calls_fetch_one_token_in_threads() -> None:
    service = Service()
    service.token_delay = 0.1
    credential = ClientSecretCredential("tenant-1", "app-1", "s3cret")
    with (
        PartnerClient(
            credential, base_url="http://t.test", transport=httpx.MockTransport(service)
        ) as client,
        ThreadPoolExecutor(max_workers=20) as pool,
    ):
        list(pool.map(lambda _: client.customers.get("c1"), range(20)))
    assert len(service.token_requests) == 1
    assert service.api_tokens == ["Bearer tok1"] * 20


async def test_waiters_share_the_refusal_of_the_one_fetch() -> None:
    refusal = httpx.Response(401, json={"error": "invalid_client", "error_description": "bad"})
    service = Service("tok", refusal)
    service.token_delay = 0.05
    credential = ClientSecretCredential("tenant-1", "app-1", "wrong")
    async with AsyncPartnerClient(
        credential, base_url="http://t.test", transport=httpx.MockTransport(service.handle_async)
    ) as client:
        results = await asyncio.gather(
            *(client.customers.get("c1") for _ in range(5)), return_exceptions=True
        )
    assert all(isinstance(r, CredentialError) and r.error == "invalid_client" for r in results)
    assert len(service.token_requests) == 1
    # A later call tries again.
    async with AsyncPartnerClient(
        credential, base_url="http://t.test", transport=httpx.MockTransport(service.handle_async)
    ) as client:
        with pytest.raises(CredentialError):
            await client.customers.get("c1")
    assert len(service.token_requests) == 2


# The token endpoint is retried under the client's policy.


async def test_a_503_then_a_token(kind: str) -> None:
    busy = httpx.Response(
        503, json={"error": "temporarily_unavailable"}, headers={"Retry-After": "7"}
    )
    service = Service("tok", busy, None)
    waits = Waits()
    credential = ClientSecretCredential("tenant-1", "app-1", "s3cret")
    client = client_of(kind, credential, service, base_url="http://t.test", sleep=waits)
    assert (await run(kind, client.customers.get, "c1")).id == "c1"
    assert len(service.token_requests) == 2
    assert waits.waits == [7.0]  # Retry-After obeyed, with the client's own sleep
    assert service.api_tokens == ["Bearer tok1"]


async def test_token_endpoint_failures_follow_the_retry_policy(kind: str) -> None:
    service = Service(
        "tok",
        httpx.ConnectError("refused"),
        httpx.Response(500, text="oops"),
        httpx.Response(429, headers={"Retry-After": "2"}),
        None,
    )
    waits = Waits()
    client = client_of(
        kind,
        ClientSecretCredential("tenant-1", "app-1", "s3cret"),
        service,
        base_url="http://t.test",
        sleep=waits,
        retry=RetryPolicy(max_attempts=4, jitter=lambda: 1.0),
    )
    await run(kind, client.customers.get, "c1")
    assert waits.waits == [0.5, 1.0, 2.0]
    assert len(service.token_requests) == 4

    down = Service("tok", httpx.Response(503))
    never = client_of(
        kind,
        ClientSecretCredential("tenant-1", "app-1", "s3cret"),
        down,
        base_url="http://t.test",
        sleep=Waits(),
        retry=RetryPolicy(max_attempts=3, jitter=lambda: 1.0),
    )
    with pytest.raises(CredentialError) as caught:
        await run(kind, never.customers.get, "c1")
    assert caught.value.status == 503
    assert len(down.token_requests) == 3


async def test_refusals_are_not_retried(kind: str) -> None:
    refusal = httpx.Response(
        400, json={"error": "invalid_client", "error_description": "AADSTS7000215: bad"}
    )
    service = Service("tok", refusal)
    waits = Waits()
    client = client_of(
        kind, ClientSecretCredential("t", "a", "s"), service, base_url="http://t.test", sleep=waits
    )
    with pytest.raises(CredentialError, match="AADSTS7000215") as caught:
        await run(kind, client.customers.get, "c1")
    assert (caught.value.error, caught.value.status) == ("invalid_client", 400)
    assert len(service.token_requests) == 1
    assert waits.waits == []


# azure-core credentials (azure-identity's), by a stand-in of the same shape.


class AzureAccessToken(NamedTuple):
    """azure.core.credentials.AccessToken."""

    token: str
    expires_on: int


class AzureShaped:
    """Shaped like azure-identity's credentials: `get_token(*scopes, ...) -> AccessToken`."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.fail = fail

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AzureAccessToken:
        if self.fail is not None:
            raise self.fail
        self.calls.append(scopes)
        return AzureAccessToken(f"az{len(self.calls)}", int(time.time()) + 3600)


class AsyncAzureShaped(AzureShaped):
    """Shaped like azure.identity.aio's credentials."""

    async def get_token(  # type: ignore[override]
        self, *scopes: str, **kwargs: Any
    ) -> AzureAccessToken:
        return super().get_token(*scopes, **kwargs)


async def test_an_azure_credential_sends_its_token_not_its_repr(kind: str) -> None:
    azure = AzureShaped() if kind == "sync" else AsyncAzureShaped()
    service = Service()
    client = client_of(kind, azure, service)
    await run(kind, client.customers.get, "c1")
    await run(kind, client.customers.get, "c1")
    assert service.api_tokens == ["Bearer az1", "Bearer az1"]  # cached until near expiry
    assert azure.calls == [(PARTNER_CENTER_SCOPE,)]
    assert service.token_requests == []


async def test_a_blocking_azure_credential_serves_the_asyncio_client_too() -> None:
    azure = AzureShaped()
    service = Service()
    async with client_of("async", azure, service) as client:
        await asyncio.gather(*(client.customers.get("c1") for _ in range(10)))
    assert azure.calls == [(PARTNER_CENTER_SCOPE,)]
    assert service.api_tokens == ["Bearer az1"] * 10


def test_an_asyncio_azure_credential_is_refused_by_the_blocking_client() -> None:
    with pytest.raises(TypeError, match="AsyncPartnerClient"):
        PartnerClient(AsyncAzureShaped())
    with pytest.raises(TypeError, match="credential must be"):
        PartnerClient(object())  # type: ignore[arg-type]


async def test_azure_failures_and_other_scopes(kind: str) -> None:
    broken = AzureShaped(fail=RuntimeError("ClientAuthenticationError: no identity"))
    client = client_of(kind, broken, Service())
    with pytest.raises(CredentialError, match="no identity"):
        await run(kind, client.customers.get, "c1")

    azure = AzureShaped() if kind == "sync" else AsyncAzureShaped()
    custom = AzureCredential(azure, scope="api://other/.default")
    await run(kind, client_of(kind, custom, Service()).customers.get, "c1")
    assert azure.calls == [("api://other/.default",)]


async def test_a_credential_that_returns_no_string_is_refused(kind: str) -> None:
    class Odd:
        def get_token(self, http: httpx.Client, *, base_url: str) -> Any:
            return 42

        async def get_token_async(self, http: httpx.AsyncClient, *, base_url: str) -> Any:
            return 42

    service = Service()
    with pytest.raises(CredentialError, match="not a token"):
        await run(kind, client_of(kind, Odd(), service).customers.get, "c1")
    assert service.api_requests == []


# Certificates: the client assertion.


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _self_signed() -> tuple[Any, Any]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tenantry-client test app")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


@pytest.fixture(scope="module")
def app_certificate() -> tuple[Any, Any, bytes]:
    key, certificate = _self_signed()
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + certificate.public_bytes(serialization.Encoding.PEM)
    return key, certificate, pem


async def test_a_certificate_signs_the_client_assertion(
    kind: str, app_certificate: tuple[Any, Any, bytes]
) -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    _, certificate, pem = app_certificate
    service = Service()
    credential = CertificateCredential("tenant-1", "app-1", pem)
    before = int(time.time())
    await run(kind, client_of(kind, credential, service).customers.get, "c1")
    (request,) = service.token_requests
    assert str(request.url) == ENTRA_TOKEN_URL  # Partner Center's authority: Entra ID
    form = form_of(request)
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == "app-1"
    assert form["scope"] == PARTNER_CENTER_SCOPE
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert "client_secret" not in form

    header_part, claims_part, signature_part = form["client_assertion"].split(".")
    header = json.loads(_b64decode(header_part))
    claims = json.loads(_b64decode(claims_part))
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    assert _b64decode(header["x5t"]) == certificate.fingerprint(hashes.SHA1())  # noqa: S303
    assert _b64decode(header["x5t#S256"]) == certificate.fingerprint(hashes.SHA256())
    assert "x5c" not in header
    assert claims["aud"] == ENTRA_TOKEN_URL
    assert claims["iss"] == claims["sub"] == "app-1"
    assert before <= claims["nbf"] <= claims["iat"] <= int(time.time())
    assert claims["exp"] - claims["nbf"] == 600
    assert len(claims["jti"]) == 36
    certificate.public_key().verify(  # raises InvalidSignature if it does not verify
        _b64decode(signature_part),
        f"{header_part}.{claims_part}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert credential.thumbprint == certificate.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
    assert der  # the chain, when sent, starts with this certificate
    assert service.api_tokens == ["Bearer tok1"]


def test_certificate_files_pkcs12_chains_and_mistakes(
    app_certificate: tuple[Any, Any, bytes], tmp_path: Any
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, certificate, pem = app_certificate
    pfx = pkcs12.serialize_key_and_certificates(
        b"app", key, certificate, None, serialization.BestAvailableEncryption(b"pw")
    )
    path = tmp_path / "app.pfx"
    path.write_bytes(pfx)
    from_file = CertificateCredential("t", "app-1", path, password="pw")
    from_pem = CertificateCredential("t", "app-1", pem, send_certificate_chain=True)
    assert from_file.thumbprint == from_pem.thumbprint

    service = Service()
    with PartnerClient(from_pem, transport=httpx.MockTransport(service)) as client:
        client.customers.get("c1")
    header = json.loads(
        _b64decode(form_of(service.token_requests[0])["client_assertion"].split(".")[0])
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert header["x5c"] == [base64.b64encode(der).decode()]

    only_certificate = certificate.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(CredentialError, match="private key"):
        CertificateCredential("t", "app-1", only_certificate)
    with pytest.raises(CredentialError, match="could not be read"):
        CertificateCredential("t", "app-1", pfx, password="wrong")
    with pytest.raises(CredentialError, match="cannot read"):
        CertificateCredential("t", "app-1", tmp_path / "missing.pem")


# App+User: the device code and refresh token flows.


class DeviceFlow:
    """Entra ID's device code endpoint and token endpoint, for one user signing in."""

    def __init__(self, *polls: httpx.Response) -> None:
        self.polls = list(polls)
        self.requests: list[httpx.Request] = []
        self.refreshed = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        form = form_of(request)
        if path.endswith("/devicecode"):
            return httpx.Response(
                200,
                json={
                    "device_code": "device-secret",
                    "user_code": "ABCD-EFGH",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 5,
                    "message": "To sign in, open https://microsoft.com/devicelogin and enter "
                    "the code ABCD-EFGH to authenticate.",
                },
            )
        if path.endswith("/token") and form["grant_type"].endswith("device_code"):
            return self.polls.pop(0)
        if path.endswith("/token") and form["grant_type"] == "refresh_token":
            if form["refresh_token"] == "revoked":
                return httpx.Response(400, json={"error": "invalid_grant"})
            self.refreshed += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"user-renewed-{self.refreshed}",
                    "refresh_token": f"refresh-{self.refreshed + 1}",
                    "expires_in": 3600,
                },
            )
        return httpx.Response(200, json=CUSTOMER)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return self(request)

    def grants(self) -> list[str]:
        return [
            form_of(r).get("grant_type", "device code request")
            for r in self.requests
            if "/oauth2/" in r.url.path
        ]


def _pending(error: str = "authorization_pending") -> httpx.Response:
    return httpx.Response(400, json={"error": error, "error_description": "AADSTS70016"})


def signed_in() -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": "user-1", "refresh_token": "refresh-1", "expires_in": 3600}
    )


async def test_device_code_sign_in_then_refresh(kind: str) -> None:
    flow = DeviceFlow(_pending(), _pending("slow_down"), signed_in())
    shown: list[DeviceCode] = []
    kept: list[str] = []
    clock = [1_000.0]
    credential = DeviceCodeCredential(
        "tenant-1",
        "app-1",
        prompt=shown.append,
        on_refresh_token=kept.append,
        now=lambda: clock[0],
    )
    waits = Waits()
    handler = flow if kind == "sync" else flow.handle_async
    transport = httpx.MockTransport(handler)
    cls = PartnerClient if kind == "sync" else AsyncPartnerClient
    client: Any = cls(credential, transport=transport, sleep=waits)
    if kind == "sync":
        client.customers.get("c1")
    else:
        await asyncio.gather(*(client.customers.get("c1") for _ in range(5)))  # one sign-in
    (code,) = shown
    assert (code.user_code, code.verification_uri) == (
        "ABCD-EFGH",
        "https://microsoft.com/devicelogin",
    )
    assert code.expires_on == 1_900.0
    assert waits.waits == [5.0, 5.0, 10.0]  # the interval, then 5 s more after slow_down
    device_request = flow.requests[0]
    assert str(device_request.url) == (
        "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/devicecode"
    )
    assert form_of(device_request) == {
        "client_id": "app-1",
        "scope": f"{PARTNER_CENTER_USER_SCOPE} offline_access",
    }
    poll = form_of(flow.requests[1])
    assert poll == {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": "device-secret",
        "client_id": "app-1",
    }
    assert credential.refresh_token == "refresh-1"

    clock[0] += 3_400  # within five minutes of expiry: renewed with the refresh token
    await run(kind, client.customers.get, "c1")
    refresh = form_of(flow.requests[-2])
    assert refresh["grant_type"] == "refresh_token"
    assert refresh["refresh_token"] == "refresh-1"
    assert kept == ["refresh-1", "refresh-2"]
    api = [r.headers["Authorization"] for r in flow.requests if r.url.path.startswith("/v1/")]
    assert set(api[:-1]) == {"Bearer user-1"}
    assert api[-1] == "Bearer user-renewed-1"
    assert len(shown) == 1
    await run(kind, client.close)


async def test_a_declined_or_lapsed_device_code_is_a_credential_error(kind: str) -> None:
    for error in ("authorization_declined", "expired_token"):
        flow = DeviceFlow(_pending(), _pending(error))
        credential = DeviceCodeCredential("tenant-1", "app-1", prompt=lambda code: None)
        handler = flow if kind == "sync" else flow.handle_async
        client = (PartnerClient if kind == "sync" else AsyncPartnerClient)(
            credential, transport=httpx.MockTransport(handler), sleep=Waits()
        )
        with pytest.raises(CredentialError) as caught:
            await run(kind, client.customers.get, "c1")
        assert caught.value.error == error


async def test_a_revoked_refresh_token_signs_in_again_with_a_device_code(kind: str) -> None:
    flow = DeviceFlow(signed_in())
    shown: list[DeviceCode] = []
    credential = DeviceCodeCredential(
        "tenant-1", "app-1", prompt=shown.append, refresh_token="revoked"
    )
    handler = flow if kind == "sync" else flow.handle_async
    client = (PartnerClient if kind == "sync" else AsyncPartnerClient)(
        credential, transport=httpx.MockTransport(handler), sleep=Waits()
    )
    await run(kind, client.customers.get, "c1")
    assert flow.grants() == [
        "refresh_token",
        "device code request",
        "urn:ietf:params:oauth:grant-type:device_code",
    ]
    assert len(shown) == 1


async def test_refresh_tokens_rotate_and_are_handed_back(kind: str) -> None:
    flow = DeviceFlow()
    kept: list[str] = []
    clock = [1_000.0]
    credential = RefreshTokenCredential(
        "tenant-1",
        "app-1",
        "refresh-1",
        client_secret="s3cret",
        on_refresh_token=kept.append,
        authority="http://t.test",
        now=lambda: clock[0],
    )
    client = (PartnerClient if kind == "sync" else AsyncPartnerClient)(
        credential,
        transport=httpx.MockTransport(flow if kind == "sync" else flow.handle_async),
    )
    await run(kind, client.customers.get, "c1")
    clock[0] += 3_500
    await run(kind, client.customers.get, "c1")
    presented = [form_of(r)["refresh_token"] for r in flow.requests if r.url.path.endswith("token")]
    assert presented == ["refresh-1", "refresh-2"]
    assert kept == ["refresh-2", "refresh-3"]
    assert credential.refresh_token == "refresh-3"
    first = form_of(flow.requests[0])
    assert first["client_secret"] == "s3cret"
    assert first["scope"] == f"{PARTNER_CENTER_USER_SCOPE} offline_access"
    assert str(flow.requests[0].url) == "http://t.test/tenant-1/oauth2/v2.0/token"

    revoked = RefreshTokenCredential("tenant-1", "app-1", "revoked", authority="http://t.test")
    client = (PartnerClient if kind == "sync" else AsyncPartnerClient)(
        revoked, transport=httpx.MockTransport(flow if kind == "sync" else flow.handle_async)
    )
    with pytest.raises(CredentialError) as caught:
        await run(kind, client.customers.get, "c1")
    assert caught.value.error == "invalid_grant"


async def test_a_refresh_token_is_presented_again_only_if_it_never_left(kind: str) -> None:
    lost = Service("tok", httpx.ReadTimeout("answer lost"), None)
    waits = Waits()
    credential = RefreshTokenCredential("t", "app-1", "refresh-1", authority="http://t.test")
    client = client_of(kind, credential, lost, base_url="http://t.test", sleep=waits)
    with pytest.raises(CredentialError, match="ReadTimeout"):
        await run(kind, client.customers.get, "c1")
    assert len(lost.token_requests) == 1  # it may have been spent: not sent twice

    refused = Service("tok", httpx.ConnectError("refused"), None)
    credential = RefreshTokenCredential("t", "app-1", "refresh-1", authority="http://t.test")
    client = client_of(kind, credential, refused, base_url="http://t.test", sleep=waits)
    await run(kind, client.customers.get, "c1")
    assert len(refused.token_requests) == 2


# The total deadline of a call.


async def test_the_deadline_cuts_every_attempts_time_outs(kind: str) -> None:
    seen: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.extensions["timeout"]))
        return httpx.Response(503, headers={"Retry-After": "0"})

    cls = PartnerClient if kind == "sync" else AsyncPartnerClient
    client: Any = cls("t", transport=httpx.MockTransport(handler), deadline=5, sleep=Waits())
    with pytest.raises(ServerError):
        await run(kind, client.customers.get, "c1")
    assert len(seen) == 4
    for timeouts in seen:
        assert set(timeouts) == {"connect", "read", "write", "pool"}
        assert all(0 < value <= 5 for value in timeouts.values())
    unlimited: Any = cls("t", transport=httpx.MockTransport(handler), deadline=None, sleep=Waits())
    with pytest.raises(ServerError):
        await run(kind, unlimited.customers.get, "c1")
    assert all(value == 60 for value in seen[-1].values())
    with pytest.raises(ValueError, match="deadline"):
        cls("t", deadline=0)


async def test_a_wait_beyond_the_deadline_is_not_made(kind: str) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, headers={"Retry-After": "30"})

    waits = Waits()
    cls = PartnerClient if kind == "sync" else AsyncPartnerClient
    client: Any = cls("t", transport=httpx.MockTransport(handler), deadline=10, sleep=waits)
    with pytest.raises(ServerError) as caught:
        await run(kind, client.customers.get, "c1")
    assert caught.value.retry_after == 30
    assert (len(calls), waits.waits) == (1, [])

    # The sign-in is bounded by the same deadline.
    busy = Service("tok", httpx.Response(503, headers={"Retry-After": "30"}))
    signing_in = client_of(
        kind,
        ClientSecretCredential("t", "a", "s"),
        busy,
        base_url="http://t.test",
        deadline=10,
        sleep=waits,
    )
    with pytest.raises(CredentialError) as refused:
        await run(kind, signing_in.customers.get, "c1")
    assert refused.value.status == 503
    assert (len(busy.token_requests), waits.waits) == (1, [])


async def test_a_slow_answer_is_cut_off_at_the_deadline_async() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return httpx.Response(200, json=CUSTOMER)

    async with AsyncPartnerClient(
        "t", transport=httpx.MockTransport(slow), deadline=0.3, sleep=Waits()
    ) as client:
        started = time.monotonic()
        with pytest.raises(TransportError, match="deadline") as caught:
            await client.customers.get("c1")
        assert time.monotonic() - started < 3
    assert caught.value.request_id


def test_a_silent_server_is_given_up_on_at_the_deadline() -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        client = PartnerClient(
            "t", base_url=f"http://127.0.0.1:{port}", timeout=60, deadline=0.5, sleep=Waits()
        )
        started = time.monotonic()
        with pytest.raises(TransportError, match="deadline") as caught:
            client.customers.get("c1")
        elapsed = time.monotonic() - started
        client.close()
    assert elapsed < 5  # not 4 attempts of 60 s
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
