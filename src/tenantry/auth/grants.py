"""Authorization codes (with PKCE) and refresh tokens of the App+User sign-in.

A code is handed to the app's redirect URI after the user signs in; the app redeems it once,
proving with the PKCE verifier (RFC 7636, S256) that it is the app that started the flow.
Refresh tokens rotate: each use returns a new one, and presenting a used token again (a
sign that it leaked) revokes every token descended from the same sign-in (RFC 9700 §4.14).
Only SHA-256 digests of codes and tokens are stored: they are 256-bit random values, so a
digest cannot be reversed, and a database dump yields nothing usable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from datetime import timedelta

from tenantry.auth.ports import GrantStore, SignIn
from tenantry.domain.clock import Clock

CODE_LIFETIME = timedelta(minutes=10)
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")


class GrantRejected(Exception):
    """The code or refresh token cannot be redeemed; `aadsts` is Entra's number for it."""

    def __init__(self, aadsts: int, description: str) -> None:
        super().__init__(description)
        self.aadsts = aadsts
        self.description = description


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_valid_challenge(challenge: str) -> bool:
    """An S256 challenge is the unpadded base64url of a SHA-256 digest: 43 characters."""
    return _CHALLENGE.fullmatch(challenge) is not None


def pkce_matches(verifier: str, challenge: str) -> bool:
    if _VERIFIER.fullmatch(verifier) is None:
        return False
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return hmac.compare_digest(computed, challenge.encode())


class GrantService:
    def __init__(self, store: GrantStore, clock: Clock, refresh_lifetime: timedelta) -> None:
        self._store = store
        self._clock = clock
        self._refresh_lifetime = refresh_lifetime

    async def issue_code(self, sign_in: SignIn, redirect_uri: str, code_challenge: str) -> str:
        code = secrets.token_urlsafe(32)
        await self._store.add_code(
            digest(code),
            str(uuid.uuid4()),
            sign_in,
            redirect_uri,
            code_challenge,
            self._clock.now() + CODE_LIFETIME,
        )
        return code

    async def redeem_code(
        self, code: str, client_id: str, redirect_uri: str, verifier: str
    ) -> tuple[SignIn, str]:
        """The sign-in behind a code, and the refresh-token family it starts."""
        now = self._clock.now()
        stored = await self._store.redeem_code(digest(code), now) if len(code) <= 512 else None
        if stored is None or stored.sign_in.client_id != client_id:
            raise GrantRejected(
                9002313, "The authorization code is not valid for this application."
            )
        if stored.redeemed_before:
            # A second redemption means the code leaked: whatever it bought is withdrawn.
            await self._store.revoke_family(stored.family_id, now)
            raise GrantRejected(54005, "The authorization code was already redeemed.")
        if stored.expires_at <= now:
            raise GrantRejected(70008, "The authorization code has expired.")
        if stored.redirect_uri != redirect_uri:
            raise GrantRejected(
                50011,
                "The redirect_uri does not match the one of the authorization request.",
            )
        if not pkce_matches(verifier, stored.code_challenge):
            raise GrantRejected(
                50148,
                "The code_verifier does not match the code_challenge of the authorization request.",
            )
        return stored.sign_in, stored.family_id

    async def issue_refresh(self, sign_in: SignIn, family_id: str) -> str:
        token = secrets.token_urlsafe(48)
        now = self._clock.now()
        await self._store.add_refresh(
            digest(token), family_id, sign_in, now, now + self._refresh_lifetime
        )
        return token

    async def rotate(self, refresh_token: str, client_id: str) -> tuple[SignIn, str]:
        """Use a refresh token: the sign-in it stands for and its successor."""
        now = self._clock.now()
        stored = None
        if len(refresh_token) <= 512:
            stored = await self._store.use_refresh(digest(refresh_token), now)
        if stored is None or stored.sign_in.client_id != client_id:
            raise GrantRejected(9002313, "The refresh token is not valid for this application.")
        if stored.used_before:
            await self._store.revoke_family(stored.family_id, now)
            raise GrantRejected(
                70043,
                "The refresh token was already used; every token of this sign-in is now "
                "revoked. Sign in again.",
            )
        if stored.expires_at <= now:
            raise GrantRejected(700082, "The refresh token has expired. Sign in again.")
        successor = await self.issue_refresh(stored.sign_in, stored.family_id)
        return stored.sign_in, successor

    async def end_sign_ins(self, user_id: str) -> None:
        """Every refresh token of the user stops working (after a credentials reset)."""
        await self._store.revoke_user(user_id, self._clock.now())

    async def purge(self) -> None:
        await self._store.purge(self._clock.now())
