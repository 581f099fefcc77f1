"""The portal's session cookie, typed; short keys only in the signed value.

The value names the partner user, their partner, the session's CSRF token, an expiry and
the session's id, signed (`Signer`) so that it cannot be forged or changed. The id is what
the server checks (`auth/portal_sessions.py`): the server keeps only its digest and can end
the session. A cookie without an id, written before sessions were kept, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from tenantry.domain.ports import Signer

# The portal's signer also signs pending code steps (b"p") and list cursors (b"c").
SESSION_KIND = b"s"


@dataclass(frozen=True)
class SessionTicket:
    user_id: str
    partner_id: str
    csrf: str
    expires: int  # seconds since the epoch
    session_id: str  # random; the server keeps its digest

    def live(self, now: float) -> bool:
        return self.expires > now

    def to_token(self, signer: Signer) -> str:
        payload = {
            "u": self.user_id,
            "p": self.partner_id,
            "c": self.csrf,
            "x": self.expires,
            "i": self.session_id,
        }
        return signer.wrap(SESSION_KIND + orjson.dumps(payload))

    @classmethod
    def from_token(cls, signer: Signer, token: str) -> SessionTicket | None:
        """The ticket of an intact cookie value; None for a changed, foreign or malformed one."""
        raw = signer.unwrap(token)
        if raw is None or not raw.startswith(SESSION_KIND):
            return None
        try:
            payload = orjson.loads(raw[len(SESSION_KIND) :])
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict):
            return None
        user_id, partner_id = payload.get("u"), payload.get("p")
        csrf, expires, session_id = payload.get("c"), payload.get("x"), payload.get("i")
        if not (
            isinstance(user_id, str)
            and isinstance(partner_id, str)
            and isinstance(csrf, str)
            and isinstance(expires, int)
            and isinstance(session_id, str)
        ):
            return None
        return cls(user_id, partner_id, csrf, expires, session_id)
