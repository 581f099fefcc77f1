"""The retry policy and the request/answer handling of the core, over httpx's mock transport
(no server): which failures are retried, how long each wait is, which ids are sent.

Needs nothing but the SDK (no Tenantry server, no conftest): it also runs in the venv that
holds the oldest httpx the SDK supports (`./dev test`)."""

from __future__ import annotations

import email.utils
import json
import pickle
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from tenantry_client import (
    AsyncPartnerClient,
    BadInputError,
    ConflictError,
    Customer,
    ForbiddenError,
    NotFoundError,
    PartnerClient,
    PreconditionError,
    RetryPolicy,
    ServerError,
    ServiceError,
    ThrottledError,
    TransportError,
    UnauthorizedError,
)
from tenantry_client._retry import parse_retry_after

BOM = b"\xef\xbb\xbf"
CUSTOMER = {"id": "c1", "companyProfile": {"domain": "a.onmicrosoft.com"}}
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A scripted service: answers (or exceptions) in order, the last one repeated."""

    def __init__(self, *script: httpx.Response | Exception) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step

    @property
    def request_ids(self) -> list[str]:
        return [r.headers["MS-RequestId"] for r in self.requests]


def no_wait() -> tuple[list[float], Callable[[float], Any]]:
    """A recording `sleep` for sync or async clients: retries happen at once."""
    waits: list[float] = []

    def sleep(seconds: float) -> Any:
        waits.append(seconds)
        return _Done()

    return waits, sleep


class _Done:
    """An awaitable that is already finished (and harmless when not awaited)."""

    def __await__(self) -> Iterator[None]:
        return iter(())


def answer(status: int, body: Any = None, **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    names = {k.replace("_", "-"): v for k, v in headers.items()}
    return httpx.Response(status, content=content, headers=names)


def envelope(code: int, description: str = "nope", data: list[str] | None = None) -> bytes:
    body = {"code": code, "description": description, "data": data or [], "source": "PartnerFD"}
    return json.dumps(body).encode()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Driver:
    """Builds a client of one kind over a scripted service and runs its methods."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.waits, self.sleep = no_wait()

    def client(self, service: Recorder, **options: Any) -> Any:
        options.setdefault("sleep", self.sleep)
        options.setdefault("retry", RetryPolicy(jitter=lambda: 1.0))
        transport = httpx.MockTransport(service)
        cls = PartnerClient if self.kind == "sync" else AsyncPartnerClient
        return cls("token", base_url="https://pc.example", transport=transport, **options)

    async def run(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        return await result if self.kind == "async" else result


@pytest.fixture
def driver(kind: str) -> Driver:
    return Driver(kind)


def customer() -> Customer:
    return Customer.from_wire(CUSTOMER)


async def test_every_attempt_of_a_call_has_the_same_request_id(driver: Driver) -> None:
    service = Recorder(
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        answer(503, envelope(880016)),
        answer(201, CUSTOMER),
    )
    client = driver.client(service, retry=RetryPolicy(max_attempts=5, jitter=lambda: 1.0))
    created = await driver.run(client.customers.create, customer())
    assert created.id == "c1"
    ids = service.request_ids
    assert len(ids) == 5
    assert len(set(ids)) == 1
    assert uuid.UUID(ids[0]).version == 4
    assert driver.waits == [0.5, 1.0, 2.0, 4.0]

    await driver.run(client.customers.create, customer())
    assert service.request_ids[-1] != ids[0]  # a fresh id for the next call


async def test_headers_on_the_wire(driver: Driver) -> None:
    service = Recorder(answer(201, CUSTOMER))
    client = driver.client(service, correlation_id="corr-1", locale="fr-FR")
    await driver.run(client.customers.create, customer(), request_id="req-1")
    await driver.run(client.customers.get, "c1", correlation_id="corr-2")
    post, get = service.requests
    assert post.url == "https://pc.example/v1/customers"
    assert post.headers["Authorization"] == "Bearer token"
    assert post.headers["Accept"] == "application/json"
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["MS-RequestId"] == "req-1"
    assert post.headers["MS-CorrelationId"] == "corr-1"
    assert post.headers["X-Locale"] == "fr-FR"
    assert post.headers["User-Agent"].startswith("tenantry-client/")
    assert json.loads(post.content) == CUSTOMER
    assert get.url == "https://pc.example/v1/customers/c1"
    assert get.headers["MS-CorrelationId"] == "corr-2"
    assert "Content-Type" not in get.headers


async def test_a_fresh_correlation_id_per_client(driver: Driver) -> None:
    one, two = driver.client(Recorder(answer(200))), driver.client(Recorder(answer(200)))
    assert one.correlation_id != two.correlation_id
    assert uuid.UUID(one.correlation_id)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried(driver: Driver, status: int) -> None:
    service = Recorder(answer(status, b"busy"), answer(200, CUSTOMER))
    fetched = await driver.run(driver.client(service).customers.get, "c1")
    assert fetched.id == "c1"
    assert len(service.requests) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadInputError),
        (401, UnauthorizedError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (412, PreconditionError),
        (428, PreconditionError),
        (422, ServiceError),
        (501, ServerError),
    ],
)
async def test_other_statuses_raise_at_once(
    driver: Driver, status: int, error: type[ServiceError]
) -> None:
    service = Recorder(answer(status, envelope(1234, "what went wrong", ["a: b"])))
    with pytest.raises(error) as caught:
        await driver.run(driver.client(service).customers.get, "c1")
    assert type(caught.value) is error
    assert (caught.value.status, caught.value.code) == (status, 1234)
    assert caught.value.description == "what went wrong"
    assert caught.value.data == ["a: b"]
    assert len(service.requests) == 1  # 501 is not in the retryable list either


async def test_attempts_are_limited(driver: Driver) -> None:
    service = Recorder(answer(500, envelope(800003)))
    client = driver.client(service, retry=RetryPolicy(max_attempts=3, jitter=lambda: 1.0))
    with pytest.raises(ServerError):
        await driver.run(client.customers.get, "c1")
    assert len(service.requests) == 3
    assert driver.waits == [0.5, 1.0]

    never = driver.client(service, retry=RetryPolicy.none())
    with pytest.raises(ServerError):
        await driver.run(never.customers.get, "c1")
    assert len(service.requests) == 4


async def test_backoff_has_full_jitter_and_a_ceiling(driver: Driver) -> None:
    service = Recorder(httpx.ConnectError("refused"))
    policy = RetryPolicy(max_attempts=6, backoff_factor=1.0, backoff_max=5.0, jitter=lambda: 0.5)
    with pytest.raises(TransportError):
        await driver.run(driver.client(service, retry=policy).customers.get, "c1")
    assert driver.waits == [0.5, 1.0, 2.0, 2.5, 2.5]
    jittered = RetryPolicy()
    assert all(0 <= jittered.backoff(3) <= 4.0 for _ in range(100))
    assert len({jittered.backoff(3) for _ in range(20)}) > 1


async def test_retry_after_in_seconds_and_as_a_date(driver: Driver) -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    service = Recorder(
        answer(429, {"statusCode": 429, "message": "Rate limit"}, retry_after="7"),
        answer(503, envelope(880016), retry_after=later),
        answer(429, b"", retry_after="soon"),  # unreadable: back-off instead
        answer(200, CUSTOMER),
    )
    await driver.run(driver.client(service).customers.get, "c1")
    assert driver.waits[0] == 7.0
    assert 27 < driver.waits[1] <= 30
    assert driver.waits[2] == 2.0


async def test_a_retry_after_beyond_the_limit_is_not_waited_for(driver: Driver) -> None:
    service = Recorder(answer(429, {"statusCode": 429, "message": "Slow down"}, retry_after="900"))
    with pytest.raises(ThrottledError) as caught:
        await driver.run(driver.client(service).customers.get, "c1")
    assert caught.value.retry_after == 900.0
    assert caught.value.code is None
    assert caught.value.description == "Slow down"
    assert driver.waits == []
    assert len(service.requests) == 1


async def test_updates_and_deletes_retry_only_what_cannot_have_happened(driver: Driver) -> None:
    service = Recorder(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"))
    client = driver.client(service)
    with pytest.raises(TransportError) as caught:
        await driver.run(client.customers.delete, "c1")
    assert len(service.requests) == 2  # connect failure retried, lost answer not
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)

    throttled = Recorder(answer(429, b"", retry_after="1"), answer(500), answer(204, b""))
    with pytest.raises(ServerError):
        await driver.run(driver.client(throttled).customers.delete, "c1")
    assert len(throttled.requests) == 2


async def test_a_cut_off_answer_is_retried_then_a_transport_error(driver: Driver) -> None:
    service = Recorder(answer(200, b'{"id": "c1", "compa'), answer(200, CUSTOMER))
    assert (await driver.run(driver.client(service).customers.get, "c1")).id == "c1"
    broken = Recorder(answer(200, b"[1, 2]"))
    with pytest.raises(TransportError, match="unreadable answer"):
        await driver.run(driver.client(broken).customers.get, "c1")
    assert len(broken.requests) == 4


async def test_byte_order_marks_and_odd_error_bodies(driver: Driver) -> None:
    service = Recorder(
        answer(200, BOM + json.dumps(CUSTOMER).encode()),
        answer(404, BOM + envelope(60003, "gone")),
        answer(400, b"<html>Bad Request</html>"),
        answer(400, b""),
    )
    client = driver.client(service)
    assert (await driver.run(client.customers.get, "c1")).id == "c1"
    with pytest.raises(NotFoundError) as bom:
        await driver.run(client.customers.get, "c1")
    assert (bom.value.code, bom.value.description) == (60003, "gone")
    with pytest.raises(BadInputError) as html:
        await driver.run(client.customers.get, "c1")
    assert html.value.code is None
    assert "Bad Request" in html.value.description
    with pytest.raises(BadInputError) as empty:
        await driver.run(client.customers.get, "c1")
    assert empty.value.description == "Bad Request"  # the reason phrase


async def test_pages_follow_links_next(driver: Driver) -> None:
    def page(ids: list[str], next_uri: str | None) -> httpx.Response:
        body: dict[str, Any] = {"totalCount": len(ids), "items": [{"id": i} for i in ids]}
        body["links"] = {"self": {"uri": "/customers"}}
        if next_uri:
            body["links"]["next"] = {
                "uri": next_uri,
                "method": "GET",
                "headers": [{"key": "MS-ContinuationToken", "value": f"after-{ids[-1]}"}],
            }
        return answer(200, body)

    service = Recorder(
        page(["a", "b"], "/customers?size=2&seekOperation=Next"),
        page(["c", "d"], "https://pc.example/v1/customers?seekOperation=Next"),
        page(["e"], None),
    )
    client = driver.client(service)
    pager = client.customers.list(size=2)
    assert service.requests == []  # nothing until iterated
    ids = [c.id for c in pager] if driver.kind == "sync" else [c.id async for c in pager]
    assert ids == ["a", "b", "c", "d", "e"]
    first, second, third = service.requests
    assert str(first.url) == "https://pc.example/v1/customers?size=2"
    assert "MS-ContinuationToken" not in first.headers
    assert str(second.url) == "https://pc.example/v1/customers?size=2&seekOperation=Next"
    assert second.headers["MS-ContinuationToken"] == "after-b"
    assert third.headers["MS-ContinuationToken"] == "after-d"
    assert len({r.headers["MS-RequestId"] for r in service.requests}) == 3


async def test_search_sends_partner_centers_filter(driver: Driver) -> None:
    service = Recorder(answer(200, {"totalCount": 0, "items": []}))
    pager = driver.client(service).customers.search(company_name="Wingtip & Co", size=5)
    if driver.kind == "sync":
        assert list(pager) == []
    else:
        assert [c async for c in pager] == []
    (request,) = service.requests
    assert request.url.params["size"] == "5"
    assert json.loads(request.url.params["filter"]) == {
        "Field": "CompanyName",
        "Value": "Wingtip & Co",
        "Operator": "starts_with",
    }


async def test_the_credential_is_asked_before_every_attempt(driver: Driver) -> None:
    issued: list[str] = []

    class Rotating:
        def next(self) -> str:
            issued.append(f"t{len(issued)}")
            return issued[-1]

        def get_token(self, http: httpx.Client, *, base_url: str) -> str:
            return self.next()

        async def get_token_async(self, http: httpx.AsyncClient, *, base_url: str) -> str:
            return self.next()

    service = Recorder(answer(503, b""), answer(200, CUSTOMER))
    transport = httpx.MockTransport(service)
    cls = PartnerClient if driver.kind == "sync" else AsyncPartnerClient
    client: Any = cls(Rotating(), transport=transport, sleep=driver.sleep)
    await driver.run(client.customers.get, "c1")
    assert [r.headers["Authorization"] for r in service.requests] == ["Bearer t0", "Bearer t1"]
    assert str(service.requests[0].url).startswith("https://api.partnercenter.microsoft.com/v1/")


async def test_injected_http_clients_are_not_closed(kind: str) -> None:
    service = Recorder(answer(200, CUSTOMER))
    if kind == "sync":
        with httpx.Client(transport=httpx.MockTransport(service)) as http:
            with PartnerClient("t", http_client=http) as client:
                client.customers.get("c1")
            assert not http.is_closed
    else:
        async with httpx.AsyncClient(transport=httpx.MockTransport(service)) as ahttp:
            async with AsyncPartnerClient("t", http_client=ahttp) as aclient:
                await aclient.customers.get("c1")
            assert not ahttp.is_closed
    with httpx.Client() as other, pytest.raises(ValueError, match="not both"):
        PartnerClient("t", transport=httpx.MockTransport(service), http_client=other)


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    date = email.utils.formatdate(now + 90, usegmt=True)
    assert parse_retry_after(date, lambda: now) == 90.0
    past = email.utils.formatdate(now - 90, usegmt=True)
    assert parse_retry_after(past, lambda: now) == 0.0
    for bad in (None, "", "-1", "nan", "tomorrow", "Wed, 99 Foo 2026 00:00:00"):
        assert parse_retry_after(bad) is None
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)


async def test_a_refused_connection_is_retried_then_a_transport_error(driver: Driver) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cls = PartnerClient if driver.kind == "sync" else AsyncPartnerClient
    client: Any = cls(
        "t",
        base_url=f"http://127.0.0.1:{port}",
        retry=RetryPolicy(max_attempts=3, jitter=lambda: 1.0),
        sleep=driver.sleep,
    )
    with pytest.raises(TransportError, match="3 attempt") as caught:
        await driver.run(client.customers.get, "c1")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert driver.waits == [0.5, 1.0]
    await driver.run(client.close)


def test_errors_survive_pickling() -> None:
    errors = [
        ThrottledError(
            status=429,
            code=None,
            description="Rate limit",
            data=["a"],
            request_id="r",
            correlation_id="c",
            body=b"{}",
            retry_after=3.0,
        ),
        TransportError("lost", request_id="r", correlation_id="c"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert copy.__dict__ == error.__dict__
