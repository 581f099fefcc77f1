"""The Add customer wizard's draft, typed; short keys only in the sealed cookie value.

Each wizard (each browser tab that starts one) has a draft of its own, named by its
`draft_id`, which the wizard's links and forms carry. Between steps the draft travels in a
cookie of its own, sealed (AES-GCM) with a key derived from the master key and bound to the
user and the draft id, so that it is neither readable (it holds contact data) nor usable by
another user or under another id. It never holds a password.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from tenantry.security.sealing import Sealer, SealError


def _new_wizard_id() -> str:
    return secrets.token_urlsafe(18)


def _new_draft_id() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, fit for a cookie name


def plausible_draft_id(value: str) -> bool:
    return len(value) == 16 and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


def _bound_to(user_id: str, draft_id: str) -> bytes:
    return f"{user_id}/{draft_id}".encode()


def _strings(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return None
    return value


def sealed_value(sealer: Sealer, payload: Mapping[str, Any], context: bytes) -> str:
    """A wizard cookie's value (a draft, a confirmation): `payload` as JSON, sealed for
    `context`, in base64url."""
    sealed = sealer.seal(orjson.dumps(payload), context)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def opened_value(sealer: Sealer, value: str, context: bytes) -> dict[str, Any] | None:
    """The payload of a `sealed_value` for `context`; None for any other value."""
    try:
        sealed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        payload = orjson.loads(sealer.open(sealed, context))
    except (SealError, ValueError):  # orjson.JSONDecodeError is a ValueError
        return None
    return payload if isinstance(payload, dict) else None


def _opened(sealer: Sealer, user_id: str, draft_id: str, value: str) -> dict[str, Any] | None:
    return opened_value(sealer, value, _bound_to(user_id, draft_id))


@dataclass(frozen=True)
class WizardDraft:
    # Which wizard this is: the id its pages carry (`?wizard=`, a hidden field).
    draft_id: str
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
        """A fresh draft, with a fresh id and idempotency key."""
        return cls(_new_draft_id(), _new_wizard_id(), dict(account))

    def with_new_key(self) -> WizardDraft:
        """The draft under a fresh idempotency key, after a Submit that created nothing."""
        return replace(self, wizard_id=_new_wizard_id())

    @property
    def complete(self) -> bool:
        return self.account_done and self.offers_done

    @property
    def fingerprint(self) -> str:
        """Changes with anything Submit would send: the Review page carries it, so that
        Submit creates only the customer that page showed."""
        content = [self.wizard_id, sorted(self.account.items()), sorted(self.offers.items())]
        return hashlib.sha256(orjson.dumps(content)).hexdigest()[:32]

    def seal(self, sealer: Sealer, user_id: str, expires: int) -> str:
        """The cookie value: sealed for `user_id` and this draft id, valid until `expires`
        (epoch seconds)."""
        payload = {
            "w": self.wizard_id,
            "a": dict(self.account),
            "ok": self.account_done,
            "s": dict(self.offers),
            "sd": self.offers_done,
            "x": expires,
        }
        return sealed_value(sealer, payload, _bound_to(user_id, self.draft_id))

    @classmethod
    def open(
        cls, sealer: Sealer, user_id: str, draft_id: str, value: str, now: float
    ) -> WizardDraft | None:
        """The draft of a cookie value sealed for `user_id` and `draft_id` and not expired at
        `now`; None for a missing, expired, changed or another user's or draft's one."""
        payload = _opened(sealer, user_id, draft_id, value)
        if payload is None:
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
        return cls(draft_id, wizard_id, account, account_done, offers, offers_done)


def expiry(sealer: Sealer, user_id: str, draft_id: str, value: str) -> int:
    """When a draft's cookie value expires (the newest drafts are kept when there are too
    many); 0 for one that does not open."""
    payload = _opened(sealer, user_id, draft_id, value)
    expires = payload.get("x") if payload is not None else None
    return expires if isinstance(expires, int) else 0
