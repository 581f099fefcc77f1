"""What a sign-in carries between its steps, typed; short keys only in the signed token.

Neither sign-in keeps server-side state: the OAuth page's whole authorization request
(`AuthorizeFlow`) travels in a hidden form field, the portal's pending code step
(`PendingCode`) likewise. Both are signed (`Signer`), so a changed value is refused, and
carry their own expiry. The token format is the one these pages have always written, so a
form rendered before an upgrade still posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from tenantry.domain.ports import Signer

# The portal's signer also signs sessions (b"s") and list cursors (b"c"): the first byte
# keeps one kind of token from being accepted as another.
PENDING_CODE_KIND = b"p"


class _Malformed(Exception):
    pass


def _load(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        loaded = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return loaded if isinstance(loaded, dict) else None


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise _Malformed(key)
    return value


def _int(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Malformed(key)
    return value


def _optional_text(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    if value is not None and not isinstance(value, str):
        raise _Malformed(key)
    return value


@dataclass(frozen=True)
class AuthorizeFlow:
    """An authorization request on its way through the OAuth sign-in page."""

    tenant: str
    client_id: str
    app_name: str
    redirect_uri: str
    response_mode: str  # "query", "fragment" or "form_post"
    state: str  # the app's `state`, given back with the code ("" when it sent none)
    nonce: str | None
    code_challenge: str
    v1: bool  # came through the v1 endpoint (`resource=`), not v2 (`scope=`)
    scope: str
    audience: str
    expires: int  # seconds since the epoch
    csrf_digest: str = ""  # of the cookie set with the form (login CSRF)
    user_id: str | None = None  # set once the password was right: the code step is next

    def live(self, now: float) -> bool:
        return self.expires >= now

    def to_token(self, signer: Signer) -> str:
        payload: dict[str, Any] = {
            "t": self.tenant,
            "c": self.client_id,
            "an": self.app_name,
            "r": self.redirect_uri,
            "m": self.response_mode,
            "st": self.state,
            "n": self.nonce,
            "ch": self.code_challenge,
            "v1": self.v1,
            "s": self.scope,
            "a": self.audience,
            "x": self.expires,
            "k": self.csrf_digest,
        }
        if self.user_id is not None:
            payload["u"] = self.user_id
        return signer.wrap(orjson.dumps(payload))

    @classmethod
    def from_token(cls, signer: Signer, token: str) -> AuthorizeFlow | None:
        """The flow of an intact token; None for a changed, foreign or malformed one."""
        payload = _load(signer.unwrap(token))
        if payload is None or not isinstance(payload.get("v1"), bool):
            return None
        try:
            return cls(
                tenant=_text(payload, "t"),
                client_id=_text(payload, "c"),
                app_name=_text(payload, "an"),
                redirect_uri=_text(payload, "r"),
                response_mode=_text(payload, "m"),
                state=_text(payload, "st"),
                nonce=_optional_text(payload, "n"),
                code_challenge=_text(payload, "ch"),
                v1=payload["v1"],
                scope=_text(payload, "s"),
                audience=_text(payload, "a"),
                expires=_int(payload, "x"),
                csrf_digest=_optional_text(payload, "k") or "",
                user_id=_optional_text(payload, "u"),
            )
        except _Malformed:
            return None


@dataclass(frozen=True)
class PendingCode:
    """The portal's sign-in between a right password and the user's one-time code."""

    user_id: str
    expires: int  # seconds since the epoch
    login_cookie: str  # the login-CSRF cookie the password was posted with

    def live(self, now: float) -> bool:
        return self.expires >= now

    def to_token(self, signer: Signer) -> str:
        payload = {"u": self.user_id, "x": self.expires, "k": self.login_cookie}
        return signer.wrap(PENDING_CODE_KIND + orjson.dumps(payload))

    @classmethod
    def from_token(cls, signer: Signer, token: str) -> PendingCode | None:
        """The pending step of an intact token; None for a changed, foreign or malformed one."""
        raw = signer.unwrap(token)
        if raw is None or not raw.startswith(PENDING_CODE_KIND):
            return None
        payload = _load(raw[len(PENDING_CODE_KIND) :])
        if payload is None:
            return None
        try:
            return cls(
                user_id=_text(payload, "u"),
                expires=_int(payload, "x"),
                login_cookie=_text(payload, "k"),
            )
        except _Malformed:
            return None
