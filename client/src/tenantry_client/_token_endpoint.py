"""POSTs to an OAuth 2.0 token endpoint (Microsoft Entra ID's, or Tenantry's own), under
the calling client's retry policy and deadline.

A transport failure, or a 408, 429, 500, 502, 503 or 504, is retried like any call
(`Retry-After` on 429 and 503 obeyed); a grant that must not be presented twice (a
refresh token that may be rotated) is retried only when the request cannot have arrived.
Redirects are never followed: a client secret, assertion or refresh token goes to the
authority's own URL and nowhere else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from tenantry_client._core import USER_AGENT
from tenantry_client._deadline import AsyncLimit
from tenantry_client._errors import CredentialError
from tenantry_client._retry import parse_retry_after
from tenantry_client._tokens import AccessToken, TokenRequestOptions
from tenantry_client._wire import Members, loads

log = logging.getLogger("tenantry_client")

_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "Accept": "application/json",
    "User-Agent": USER_AGENT,
}
# Failures after which the request cannot have reached the token endpoint.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class TokenAnswer:
    """One answer of the token endpoint, read: its status and its JSON members."""

    status: int
    members: Members
    retry_after: float | None = None

    @property
    def error(self) -> str | None:
        """The OAuth error (`invalid_client`, `authorization_pending`, …), if any."""
        return self.members.text("error")

    def refusal(self, what: str = "the token endpoint") -> CredentialError:
        """The CredentialError for an answer that carries no token."""
        error = self.error
        description = self.members.text("error_description") or f"HTTP {self.status}"
        return CredentialError(
            f"{what} refused: {error or self.status}: {description}",
            error=error,
            status=self.status,
        )

    def access_token(self, issued_at: float, what: str = "the token endpoint") -> AccessToken:
        """The token granted, with its expiry; CredentialError if there is none."""
        token = self.members.text("access_token")
        if self.status != 200 or not token:
            raise self.refusal(what)
        raw_lifetime = self.members.get("expires_in")
        try:
            lifetime = float(raw_lifetime)
        except (TypeError, ValueError):
            lifetime = 3600.0
        return AccessToken(token, issued_at + max(lifetime, 0.0))


class _Backoff:
    def __init__(self, delay: float) -> None:
        self.delay = delay


class TokenExchange:
    """One token request across its attempts (sans-I/O: the credentials move the bytes)."""

    def __init__(
        self,
        url: str,
        form: Mapping[str, str],
        options: TokenRequestOptions,
        *,
        resend: bool = True,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.body = urlencode(form).encode()
        self.grant = form.get("grant_type", "")
        self.options = options
        self.resend = resend
        self.attempts = 0
        self._now = now
        self._host = urlsplit(url).hostname or url

    def before_attempt(self, http_timeout: httpx.Timeout) -> httpx.Timeout:
        """Counts the attempt; its time-outs (cut to the deadline), or CredentialError."""
        deadline = self.options.deadline
        if deadline.expired():
            raise CredentialError(
                f"no token from {self.url} within {deadline.describe()} "
                f"({self.attempts} attempt(s))"
            )
        self.attempts += 1
        return deadline.timeout(http_timeout)

    def _retry_wait(self, delay: float) -> float | None:
        policy = self.options.retry
        if self.attempts >= policy.max_attempts or not self.options.deadline.allows_wait(delay):
            return None
        return delay

    def on_response(self, response: httpx.Response) -> TokenAnswer | _Backoff:
        """The answer to read, or a wait before the next attempt."""
        status = response.status_code
        if 300 <= status < 400:
            where = response.headers.get("location", "elsewhere")
            raise CredentialError(
                f"the token endpoint {self.url} redirected to {where}: a credential is only "
                "ever sent to its authority, so the redirect was not followed",
                status=status,
            )
        try:
            parsed: Any = loads(response.content)
        except (ValueError, UnicodeDecodeError):
            parsed = None
        retry_after = None
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._now)
        answer = TokenAnswer(status, Members(parsed), retry_after)
        policy = self.options.retry
        if status in policy.retry_statuses and (self.resend or status == 429):
            delay = retry_after if retry_after is not None else policy.backoff(self.attempts - 1)
            if delay <= policy.max_retry_after:
                wait = self._retry_wait(delay)
                if wait is not None:
                    log.info("token endpoint %s: %d, retrying in %.2f s", self._host, status, wait)
                    return _Backoff(wait)
        return answer

    def on_transport_error(self, exc: Exception) -> _Backoff:
        """A wait before the next attempt, or CredentialError."""
        sent = not isinstance(exc, _UNSENT)
        transient = isinstance(exc, httpx.TransportError)
        if transient and (self.resend or not sent):
            wait = self._retry_wait(self.options.retry.backoff(self.attempts - 1))
            if wait is not None:
                log.info(
                    "token endpoint %s: %s, retrying in %.2f s",
                    self._host,
                    type(exc).__name__,
                    wait,
                )
                return _Backoff(wait)
        raise CredentialError(
            f"the token endpoint {self.url} could not be reached after {self.attempts} "
            f"attempt(s): {type(exc).__name__}: {exc}"
        ) from exc


def post_form(
    http: httpx.Client,
    url: str,
    form: Mapping[str, str],
    options: TokenRequestOptions,
    *,
    resend: bool = True,
) -> TokenAnswer:
    """POST `form` to the token endpoint `url`, retrying as the options say (blocking)."""
    exchange = TokenExchange(url, form, options, resend=resend)
    while True:
        timeout = exchange.before_attempt(http.timeout)
        outcome: TokenAnswer | _Backoff
        try:
            response = http.post(
                url,
                content=exchange.body,
                headers=_HEADERS,
                timeout=timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            outcome = exchange.on_transport_error(exc)
        else:
            outcome = exchange.on_response(response)
        if isinstance(outcome, TokenAnswer):
            return outcome
        options.wait(outcome.delay)


async def post_form_async(
    http: httpx.AsyncClient,
    url: str,
    form: Mapping[str, str],
    options: TokenRequestOptions,
    *,
    resend: bool = True,
) -> TokenAnswer:
    """POST `form` to the token endpoint `url`, retrying as the options say."""
    exchange = TokenExchange(url, form, options, resend=resend)
    while True:
        timeout = exchange.before_attempt(http.timeout)
        outcome: TokenAnswer | _Backoff
        try:
            async with AsyncLimit(options.deadline):
                response = await http.post(
                    url,
                    content=exchange.body,
                    headers=_HEADERS,
                    timeout=timeout,
                    follow_redirects=False,
                )
        except httpx.HTTPError as exc:
            outcome = exchange.on_transport_error(exc)
        else:
            outcome = exchange.on_response(response)
        if isinstance(outcome, TokenAnswer):
            return outcome
        await options.wait_async(outcome.delay)
