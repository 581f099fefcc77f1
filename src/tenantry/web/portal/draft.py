"""The Add customer wizard's draft, typed; short keys only in the sealed cookie value.

Between steps the draft travels in a cookie sealed (AES-GCM) with a key derived from the
master key and bound to the user, so that it is neither readable (it holds contact data)
nor usable by another user. It never holds a password. Its format is the one the wizard
has always written, so a draft started before an upgrade goes on.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from tenantry.security.sealing import Sealer, SealError


def _new_wizard_id() -> str:
    return secrets.token_urlsafe(18)


def _strings(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return None
    return value


@dataclass(frozen=True)
class WizardDraft:
    # The idempotency key of this wizard's Submit: a double submit creates one customer.
    wizard_id: str
    # The account form's values by input name, as last posted.
    account: Mapping[str, str]
    account_done: bool = False
    # Licence counts by chosen offer id, as typed (checked once `offers_done`).
    offers: Mapping[str, str] = field(default_factory=dict)
    offers_done: bool = False

    @classmethod
    def start(cls, account: Mapping[str, str]) -> WizardDraft:
        """A fresh draft, with a fresh idempotency key."""
        return cls(_new_wizard_id(), dict(account))

    def with_new_key(self) -> WizardDraft:
        """The draft under a fresh idempotency key, after a Submit that created nothing."""
        return replace(self, wizard_id=_new_wizard_id())

    @property
    def complete(self) -> bool:
        return self.account_done and self.offers_done

    def seal(self, sealer: Sealer, user_id: str, expires: int) -> str:
        """The cookie value: sealed for `user_id`, valid until `expires` (epoch seconds)."""
        payload = {
            "w": self.wizard_id,
            "a": dict(self.account),
            "ok": self.account_done,
            "s": dict(self.offers),
            "sd": self.offers_done,
            "x": expires,
        }
        sealed = sealer.seal(orjson.dumps(payload), user_id.encode())
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    @classmethod
    def open(cls, sealer: Sealer, user_id: str, value: str, now: float) -> WizardDraft | None:
        """The draft of a cookie value sealed for `user_id` and not expired at `now`; None
        for a missing, expired, changed or another user's one."""
        try:
            sealed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            payload = orjson.loads(sealer.open(sealed, user_id.encode()))
        except (SealError, ValueError):  # orjson.JSONDecodeError is a ValueError
            return None
        if not isinstance(payload, dict):
            return None
        wizard_id, expires = payload.get("w"), payload.get("x")
        account, offers = _strings(payload.get("a")), _strings(payload.get("s"))
        account_done, offers_done = payload.get("ok"), payload.get("sd")
        if (
            not isinstance(wizard_id, str)
            or not isinstance(expires, int)
            or account is None
            or offers is None
            or not isinstance(account_done, bool)
            or not isinstance(offers_done, bool)
        ):
            return None
        if expires < now:
            return None
        return cls(wizard_id, account, account_done, offers, offers_done)
