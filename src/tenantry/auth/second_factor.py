"""The second factor of a partner user's sign-in: time-based one-time passwords (RFC 6238).

Secrets are sealed (AES-GCM) before they reach the database. A user's `mfa` setting says
how the second factor is checked: "totp"; "sandbox", where the sandbox vouches for it (as
it stands in for the identity provider); or "none", whose tokens carry no MFA claim, so
that clients can test how they handle a partner user without MFA.
"""

from __future__ import annotations

import hmac
import time

import pyotp

from tenantry.security.sealing import Sealer

TOTP = "totp"
SANDBOX = "sandbox"
NONE = "none"
METHODS = (TOTP, SANDBOX, NONE)
ISSUER = "Tenantry"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user_principal_name: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user_principal_name, issuer_name=ISSUER)


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


class SecondFactor:
    def __init__(self, sealer: Sealer, *, sandbox: bool) -> None:
        self._sealer = sealer
        self._sandbox = sandbox

    def seal(self, secret: str, user_id: str) -> bytes:
        return self._sealer.seal(secret.encode(), user_id.encode())

    def reveal(self, sealed: bytes, user_id: str) -> str:
        return self._sealer.open(sealed, user_id.encode()).decode()

    def matched_step(self, sealed: bytes | None, user_id: str, code: str) -> int | None:
        """The time step (RFC 6238) whose code `code` is, or None. One 30-second step of
        clock skew either way is tolerated; the caller accepts each step once."""
        if sealed is None or not code.isdigit() or len(code) != 6:
            return None
        totp = pyotp.TOTP(self.reveal(sealed, user_id))
        now = totp.timecode(time.time())
        for step in (now - 1, now, now + 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    def needs_code(self, method: str) -> bool:
        return method == TOTP

    def vouched(self, method: str) -> bool:
        """Whether a sign-in without a code counts as multi-factor: only the sandbox's own."""
        return method == SANDBOX and self._sandbox
