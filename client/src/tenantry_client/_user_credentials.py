"""A signed-in user's credentials (App+User): `RefreshTokenCredential`, from a refresh
token obtained earlier, and `DeviceCodeCredential`, the device code sign-in. Both renew
their tokens with the refresh token each answer brings (see `_credentials` for what all
OAuth credentials share)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from tenantry_client._credentials import PARTNER_CENTER_USER_SCOPE, _OAuthCredential
from tenantry_client._deadline import Deadline
from tenantry_client._errors import CredentialError
from tenantry_client._token_endpoint import TokenAnswer, post_form, post_form_async
from tenantry_client._tokens import REFRESH_MARGIN, AccessToken, TokenRequestOptions

__all__ = ["DeviceCode", "DeviceCodeCredential", "RefreshTokenCredential"]

_DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class _UserCredential(_OAuthCredential):
    """A signed-in user's tokens (App+User), renewed with the refresh token each answer
    brings. Refresh tokens may be rotated (the one presented is then spent), so a refresh
    is retried only when it cannot have reached the token endpoint."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        refresh_token: str | None,
        client_secret: str | None,
        on_refresh_token: Callable[[str], object] | None,
        authority: str | None,
        scope: str,
        refresh_margin: float,
        now: Callable[[], float],
    ) -> None:
        super().__init__(
            tenant_id,
            client_id,
            authority=authority,
            scope=scope,
            refresh_margin=refresh_margin,
            now=now,
        )
        self._refresh_token = refresh_token
        self._secret = client_secret
        self._on_refresh_token = on_refresh_token
        self._refresh_lock = threading.Lock()

    @property
    def refresh_token(self) -> str | None:
        """The newest refresh token (to keep for the next run), None before sign-in."""
        return self._refresh_token

    def _client_form(self) -> dict[str, str]:
        form = {"client_id": self.client_id}
        if self._secret is not None:
            form["client_secret"] = self._secret
        return form

    def _refresh_form(self, refresh_token: str) -> dict[str, str]:
        return {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "scope": f"{self.scope} offline_access",
            **self._client_form(),
        }

    def _granted(self, answer: TokenAnswer, started: float) -> AccessToken:
        token = answer.access_token(started)
        successor = answer.members.text("refresh_token")
        if successor and successor != self._refresh_token:
            with self._refresh_lock:
                self._refresh_token = successor
            if self._on_refresh_token is not None:
                self._on_refresh_token(successor)
        return token

    def _sign_in(self, http: httpx.Client, url: str, options: TokenRequestOptions) -> AccessToken:
        raise CredentialError(f"{type(self).__name__} has no refresh token")

    async def _sign_in_async(
        self, http: httpx.AsyncClient, url: str, options: TokenRequestOptions
    ) -> AccessToken:
        raise CredentialError(f"{type(self).__name__} has no refresh token")

    # A refresh token the authority no longer takes (expired, revoked): sign in afresh if
    # the flow can (the device code flow), else the error stands.
    _signs_in = False

    def _refused_refresh(self, error: CredentialError) -> bool:
        if self._signs_in and error.error == "invalid_grant":
            self._refresh_token = None
            return True
        return False

    def _fetch(self, http: httpx.Client, url: str, options: TokenRequestOptions) -> AccessToken:
        refresh_token = self._refresh_token
        if refresh_token is not None:
            started = self._now()
            form = self._refresh_form(refresh_token)
            try:
                return self._granted(post_form(http, url, form, options, resend=False), started)
            except CredentialError as error:
                if not self._refused_refresh(error):
                    raise
        return self._sign_in(http, url, options)

    async def _fetch_async(
        self, http: httpx.AsyncClient, url: str, options: TokenRequestOptions
    ) -> AccessToken:
        refresh_token = self._refresh_token
        if refresh_token is not None:
            started = self._now()
            form = self._refresh_form(refresh_token)
            try:
                answer = await post_form_async(http, url, form, options, resend=False)
                return self._granted(answer, started)
            except CredentialError as error:
                if not self._refused_refresh(error):
                    raise
        return await self._sign_in_async(http, url, options)


class RefreshTokenCredential(_UserCredential):
    """App+User tokens from a refresh token obtained earlier (the `refresh_token` grant).

    Each answer may bring a new refresh token, which replaces the one given (Tenantry
    rotates them; Entra ID may); `on_refresh_token(new)` is called with it, to store it for
    the next run. `client_secret` is for confidential apps; `scope` defaults to Partner
    Center's `user_impersonation`. The authority defaults as for `ClientSecretCredential`.
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        refresh_token: str,
        *,
        client_secret: str | None = None,
        on_refresh_token: Callable[[str], object] | None = None,
        authority: str | None = None,
        scope: str = PARTNER_CENTER_USER_SCOPE,
        refresh_margin: float = REFRESH_MARGIN,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not refresh_token:
            raise ValueError("refresh_token must not be empty")
        super().__init__(
            tenant_id,
            client_id,
            refresh_token=refresh_token,
            client_secret=client_secret,
            on_refresh_token=on_refresh_token,
            authority=authority,
            scope=scope,
            refresh_margin=refresh_margin,
            now=now,
        )


@dataclass(frozen=True)
class DeviceCode:
    """What the user is told to do: open `verification_uri` and enter `user_code`.
    `message` is Entra ID's own sentence saying so; `expires_on` is when the code lapses."""

    user_code: str
    verification_uri: str
    message: str
    expires_on: float


def _print_device_code(code: DeviceCode) -> None:
    print(code.message, file=sys.stderr, flush=True)


class DeviceCodeCredential(_UserCredential):
    """App+User sign-in with the device code flow, for tools without a browser: the user
    opens a page anywhere, enters the code shown, and signs in (multi-factor included).

    `prompt(DeviceCode)` shows the code (default: Entra ID's message on standard error).
    The first call waits for the user until the code expires (15 minutes at Entra ID), not
    for the call's deadline; later tokens come from the refresh token the sign-in brought
    (`refresh_token`, `on_refresh_token` as in `RefreshTokenCredential`), or from
    `refresh_token=` of an earlier run without a new sign-in.
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        prompt: Callable[[DeviceCode], object] = _print_device_code,
        refresh_token: str | None = None,
        on_refresh_token: Callable[[str], object] | None = None,
        authority: str | None = None,
        scope: str = PARTNER_CENTER_USER_SCOPE,
        refresh_margin: float = REFRESH_MARGIN,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            tenant_id,
            client_id,
            refresh_token=refresh_token,
            client_secret=None,
            on_refresh_token=on_refresh_token,
            authority=authority,
            scope=scope,
            refresh_margin=refresh_margin,
            now=now,
        )
        self._prompt = prompt

    _signs_in = True

    def _device_form(self) -> dict[str, str]:
        return {"client_id": self.client_id, "scope": f"{self.scope} offline_access"}

    def _code(self, answer: TokenAnswer, started: float) -> tuple[DeviceCode, str, float]:
        m = answer.members
        device_code, user_code = m.text("device_code"), m.text("user_code")
        uri = m.text("verification_uri") or m.text("verification_url")
        if answer.status != 200 or not device_code or not user_code or not uri:
            raise answer.refusal("the device code endpoint")
        try:
            lifetime = float(m.get("expires_in"))
        except (TypeError, ValueError):
            lifetime = 900.0
        try:
            interval = max(float(m.get("interval")), 1.0)
        except (TypeError, ValueError):
            interval = 5.0
        message = m.text("message") or f"To sign in, open {uri} and enter the code {user_code}."
        code = DeviceCode(user_code, uri, message, started + lifetime)
        return code, device_code, interval

    def _poll_options(self, options: TokenRequestOptions, code: DeviceCode) -> TokenRequestOptions:
        # The user takes as long as they take: the code's own expiry bounds the polling.
        left = max(code.expires_on - self._now(), 1.0)
        return replace(options, deadline=Deadline(left))

    @staticmethod
    def _next_interval(answer: TokenAnswer, interval: float) -> float | None:
        """The wait before the next poll, or None when the answer ends the sign-in."""
        if answer.error == "authorization_pending":
            return interval
        if answer.error == "slow_down":
            return interval + 5.0
        return None

    def _sign_in(self, http: httpx.Client, url: str, options: TokenRequestOptions) -> AccessToken:
        started = self._now()
        codes = self._endpoint_near(url, "devicecode")
        code, device_code, interval = self._code(
            post_form(http, codes, self._device_form(), options), started
        )
        self._prompt(code)
        poll = self._poll_options(options, code)
        form = self._poll_form(device_code)
        while True:
            self._check_expiry(code)
            poll.wait(interval)
            started = self._now()
            answer = post_form(http, url, form, poll)
            wait = self._next_interval(answer, interval)
            if wait is None:
                return self._granted(answer, started)
            interval = wait

    async def _sign_in_async(
        self, http: httpx.AsyncClient, url: str, options: TokenRequestOptions
    ) -> AccessToken:
        started = self._now()
        codes = self._endpoint_near(url, "devicecode")
        answer = await post_form_async(http, codes, self._device_form(), options)
        code, device_code, interval = self._code(answer, started)
        self._prompt(code)
        poll = self._poll_options(options, code)
        form = self._poll_form(device_code)
        while True:
            self._check_expiry(code)
            await poll.wait_async(interval)
            started = self._now()
            answer = await post_form_async(http, url, form, poll)
            wait = self._next_interval(answer, interval)
            if wait is None:
                return self._granted(answer, started)
            interval = wait

    def _poll_form(self, device_code: str) -> dict[str, str]:
        return {
            "grant_type": _DEVICE_CODE_GRANT,
            "device_code": device_code,
            "client_id": self.client_id,
        }

    def _check_expiry(self, code: DeviceCode) -> None:
        if self._now() >= code.expires_on:
            raise CredentialError(
                "the device code expired before the user signed in", error="expired_token"
            )

    @staticmethod
    def _endpoint_near(token_url: str, name: str) -> str:
        return token_url.rsplit("/", 1)[0] + "/" + name
