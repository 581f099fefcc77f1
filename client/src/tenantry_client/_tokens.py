"""Access tokens, the options a client gives the sign-in, and the token cache.

The cache keeps one token per key (the token endpoint, the tenant, the client and the
scope), and fetches a missing or expiring token once however many callers ask for it at
the same moment ("single flight"): the first caller fetches, the others wait for its
result, or its error. It serves threads (the blocking client) and asyncio tasks alike.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from tenantry_client._deadline import Deadline
from tenantry_client._errors import CredentialError
from tenantry_client._retry import RetryPolicy

# Renew a token this long before it expires (but not before half its life has passed).
REFRESH_MARGIN = 300.0


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and when it expires (seconds since the epoch).

    Shaped like azure-core's `AccessToken` (`token`, `expires_on`), so either one can be
    handed to the other's code.
    """

    token: str
    expires_on: float

    def __repr__(self) -> str:
        return f"AccessToken(token=<hidden>, expires_on={self.expires_on!r})"


def refresh_time(issued_at: float, expires_on: float, margin: float = REFRESH_MARGIN) -> float:
    """When to fetch a new token: `margin` seconds before it expires, but not before half
    of a short-lived token's life has passed."""
    lifetime = max(0.0, expires_on - issued_at)
    return issued_at + max(lifetime - margin, lifetime / 2)


@dataclass(frozen=True)
class TokenRequestOptions:
    """What a client lends the sign-in of one call: its retry policy, what waits between
    attempts (None: `time.sleep`, or `asyncio.sleep` on the asyncio path), and the call's
    deadline."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], object] | None = None
    deadline: Deadline = field(default_factory=lambda: Deadline(None))

    def wait(self, seconds: float) -> None:
        """Wait before the next attempt (blocking)."""
        if self.sleep is None:
            time.sleep(seconds)
        else:
            self.sleep(seconds)

    async def wait_async(self, seconds: float) -> None:
        """Wait before the next attempt."""
        if self.sleep is None:
            await asyncio.sleep(seconds)
            return
        waited = self.sleep(seconds)
        if inspect.isawaitable(waited):
            await waited


@dataclass
class _Entry:
    token: AccessToken
    refresh_on: float


class _Flight:
    """One fetch in progress, that threads other than the fetching one wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.token: AccessToken | None = None
        self.error: BaseException | None = None


def _shared(error: BaseException) -> BaseException:
    """The error a waiter raises for the fetch it waited for: a copy of a CredentialError
    (each raise gets its own traceback), the error itself otherwise."""
    if isinstance(error, CredentialError):
        copy = CredentialError(str(error), error=error.error, status=error.status)
        copy.__cause__ = error
        return copy
    return error


class TokenCache:
    """Tokens by key, each fetched by one caller at a time (see the module docstring)."""

    def __init__(
        self, now: Callable[[], float] = time.time, *, margin: float = REFRESH_MARGIN
    ) -> None:
        self._now = now
        self._margin = margin
        self._lock = threading.Lock()
        self._entries: dict[Hashable, _Entry] = {}
        self._flights: dict[Hashable, _Flight] = {}
        self._async_flights: dict[tuple[Hashable, int], asyncio.Future[AccessToken]] = {}

    def cached(self, key: Hashable) -> AccessToken | None:
        """The token kept for `key` while it is not due for renewal."""
        with self._lock:
            return self._fresh(key)

    def clear(self) -> None:
        """Forget every token (the next call of each key fetches a new one)."""
        with self._lock:
            self._entries.clear()

    def _fresh(self, key: Hashable) -> AccessToken | None:
        entry = self._entries.get(key)
        if entry is None or self._now() >= entry.refresh_on:
            return None
        return entry.token

    def _keep(self, key: Hashable, token: AccessToken, issued_at: float) -> None:
        self._entries[key] = _Entry(token, refresh_time(issued_at, token.expires_on, self._margin))

    def get(self, key: Hashable, fetch: Callable[[], AccessToken]) -> AccessToken:
        """The token for `key`, fetched with `fetch` (blocking) unless one is cached."""
        while True:
            with self._lock:
                token = self._fresh(key)
                if token is not None:
                    return token
                flight = self._flights.get(key)
                leader = flight is None
                if flight is None:
                    flight = self._flights[key] = _Flight()
            if not leader:
                flight.done.wait()
                if flight.token is not None:
                    return flight.token
                if isinstance(flight.error, Exception):
                    raise _shared(flight.error)
                continue  # the fetching thread was interrupted: fetch in this one
            issued_at = self._now()
            try:
                token = fetch()
            except BaseException as exc:
                with self._lock:
                    del self._flights[key]
                flight.error = exc
                flight.done.set()
                raise
            with self._lock:
                self._keep(key, token, issued_at)
                del self._flights[key]
            flight.token = token
            flight.done.set()
            return token

    async def get_async(
        self, key: Hashable, fetch: Callable[[], Awaitable[AccessToken]]
    ) -> AccessToken:
        """The token for `key`, fetched with `fetch` unless one is cached. Tasks of one
        event loop share a fetch; other loops and threads fetch on their own."""
        loop_key = (key, id(asyncio.get_running_loop()))
        while True:
            with self._lock:
                token = self._fresh(key)
                if token is not None:
                    return token
                future = self._async_flights.get(loop_key)
                leader = future is None
                if future is None:
                    future = asyncio.get_running_loop().create_future()
                    self._async_flights[loop_key] = future
            if not leader:
                try:
                    return await asyncio.shield(future)
                except asyncio.CancelledError:
                    current = asyncio.current_task()
                    if future.cancelled() and (current is None or not current.cancelling()):
                        continue  # the fetching task was cancelled, not this one: fetch here
                    raise
                except CredentialError as error:
                    raise _shared(error) from error
            issued_at = self._now()
            try:
                token = await fetch()
            except BaseException as exc:
                with self._lock:
                    del self._async_flights[loop_key]
                if isinstance(exc, Exception):
                    future.set_exception(exc)
                    future.exception()  # retrieved: no "never retrieved" warning if unshared
                else:
                    future.cancel()
                raise
            with self._lock:
                self._keep(key, token, issued_at)
                del self._async_flights[loop_key]
            future.set_result(token)
            return token
