"""The sans-I/O core shared by the sync and the async client.

An `Operation` says what to send and how to read the answer. A `Call` is one use of an
operation: it fixes the `MS-RequestId` once, before the first attempt, builds each attempt's
request, and turns each answer or transport failure into a value, an error, or a `Backoff`
(wait, then try again). The clients only move bytes and sleep.
"""

from __future__ import annotations

import enum
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import quote, urlencode

import httpx

from tenantry_client._deadline import Deadline
from tenantry_client._errors import TransportError, service_error
from tenantry_client._retry import RetryPolicy, parse_retry_after
from tenantry_client._version import __version__

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.partnercenter.microsoft.com"
DEFAULT_TIMEOUT = 60.0  # seconds, for each connect, read and write of one attempt
DEFAULT_DEADLINE = 180.0  # seconds, for a whole call: attempts, waits and sign-in
USER_AGENT = f"tenantry-client/{__version__}"

log = logging.getLogger("tenantry_client")


class Retryable(enum.Enum):
    """Which failures of an operation may be retried."""

    ALWAYS = "always"
    """Repeating it is harmless: reads, and creates (the service replays the first answer
    to a repeated `MS-RequestId`)."""
    UNSENT = "unsent"
    """Only when it cannot have been acted on: the connection was never made, or the
    answer was 429 (throttling is decided before anything is done)."""


class UnreadableAnswer(ValueError):
    """A success answer whose body is not what the operation expects (e.g. cut short)."""


@dataclass(frozen=True)
class WireRequest:
    """One HTTP request, as bytes to send."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


@dataclass(frozen=True)
class WireResponse:
    """One HTTP answer; header names are lower case."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    reason: str = ""

    @classmethod
    def from_httpx(cls, response: httpx.Response) -> WireResponse:
        """Copy a fully read httpx answer."""
        headers = {name.lower(): value for name, value in response.headers.items()}
        return cls(response.status_code, headers, response.content, response.reason_phrase)


@dataclass(frozen=True)
class Operation(Generic[T]):
    """What to send (`path` is `/v1/...` or an absolute URL) and how to read the answer.

    `accept` lists error statuses that `parse` reads itself (a HEAD's 404, for one).
    """

    method: str
    path: str
    parse: Callable[[WireResponse], T]
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    retryable: Retryable = Retryable.ALWAYS
    accept: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ClientConfig:
    """What every request of one client shares."""

    base_url: str
    correlation_id: str
    locale: str | None
    retry: RetryPolicy
    deadline: float | None = DEFAULT_DEADLINE
    user_agent: str = USER_AGENT

    def url(self, path: str, params: tuple[tuple[str, str], ...] = ()) -> str:
        """An absolute URL for `path`, with `params` appended to any query it has."""
        url = path if "://" in path else self.base_url.rstrip("/") + path
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, quote_via=quote)
        return url


@dataclass(frozen=True)
class Backoff:
    """Wait `delay` seconds, then send the call's next attempt."""

    delay: float


# httpx failures after which the request cannot have reached the service.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# httpx failures worth another attempt at all.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class Call(Generic[T]):
    """One call of an operation, across all of its attempts."""

    def __init__(
        self,
        operation: Operation[T],
        config: ClientConfig,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
        now: Callable[[], float] = time.time,
        deadline: Deadline | None = None,
    ) -> None:
        self.operation = operation
        self.config = config
        self.request_id = request_id or str(uuid.uuid4())  # the same on every attempt
        self.correlation_id = correlation_id or config.correlation_id
        self.attempts = 0
        self._now = now
        # Fixed now, before the first attempt (and before its sign-in).
        self.deadline = deadline if deadline is not None else Deadline(config.deadline)

    def before_attempt(self) -> None:
        """Raises `TransportError` when the call's deadline has passed before an attempt
        could start (the sign-in took the time that was left)."""
        if self.deadline.expired():
            raise TransportError(
                f"{self.operation.method} {self.operation.path}: {self.deadline.describe()} "
                f"passed after {self.attempts} attempt(s)",
                request_id=self.request_id,
                correlation_id=self.correlation_id,
            )

    def request(self, token: str | None) -> WireRequest:
        """The next attempt's request, signed with `token` (None: no Authorization)."""
        self.attempts += 1
        op = self.operation
        headers = {
            "Accept": "application/json",
            "MS-RequestId": self.request_id,
            "MS-CorrelationId": self.correlation_id,
            "User-Agent": self.config.user_agent,
        }
        if self.config.locale:
            headers["X-Locale"] = self.config.locale
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if op.body is not None:
            headers["Content-Type"] = "application/json"
        headers.update(op.headers)
        return WireRequest(op.method, self.config.url(op.path, op.params), headers, op.body)

    def _retries_left(self) -> bool:
        return self.attempts < self.config.retry.max_attempts

    def on_response(self, response: WireResponse) -> T | Backoff:
        """The operation's value, or a `Backoff`; raises a `ServiceError` subclass."""
        status = response.status
        if 200 <= status < 300 or status in self.operation.accept:
            try:
                return self.operation.parse(response)
            except UnreadableAnswer as exc:
                return self._failed(exc, sent=True)
        policy = self.config.retry
        retry_after = None
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._now)
        allowed = self.operation.retryable is Retryable.ALWAYS or status == 429
        if allowed and status in policy.retry_statuses and self._retries_left():
            delay = retry_after if retry_after is not None else policy.backoff(self.attempts - 1)
            if delay <= policy.max_retry_after and self.deadline.allows_wait(delay):
                log.info(
                    "%s %s: %d, retrying in %.2f s (MS-RequestId %s)",
                    self.operation.method,
                    self.operation.path,
                    status,
                    delay,
                    self.request_id,
                )
                return Backoff(delay)
        raise service_error(
            status,
            response.reason,
            response.body,
            request_id=response.headers.get("ms-requestid", self.request_id),
            correlation_id=response.headers.get("ms-correlationid", self.correlation_id),
            retry_after=retry_after,
        )

    def on_transport_error(self, exc: Exception) -> Backoff:
        """A `Backoff` if the failure is worth another attempt; raises `TransportError`."""
        return self._failed(exc, sent=not isinstance(exc, _UNSENT))

    def _failed(self, exc: Exception, *, sent: bool) -> Backoff:
        transient = isinstance(exc, (*_TRANSIENT, UnreadableAnswer))
        allowed = self.operation.retryable is Retryable.ALWAYS or not sent
        delay = self.config.retry.backoff(self.attempts - 1)
        in_time = self.deadline.allows_wait(delay)
        if transient and allowed and self._retries_left() and in_time:
            log.info(
                "%s %s: %s, retrying in %.2f s (MS-RequestId %s)",
                self.operation.method,
                self.operation.path,
                type(exc).__name__,
                delay,
                self.request_id,
            )
            return Backoff(delay)
        what = "no answer" if not isinstance(exc, UnreadableAnswer) else "an unreadable answer"
        message = (
            f"{self.operation.method} {self.operation.path}: {what} after "
            f"{self.attempts} attempt(s): {type(exc).__name__}: {exc}"
        )
        if transient and allowed and not in_time:
            message += f" ({self.deadline.describe()} leaves no time for another)"

        raise TransportError(
            message, request_id=self.request_id, correlation_id=self.correlation_id
        ) from exc
