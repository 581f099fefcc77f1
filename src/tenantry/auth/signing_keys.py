"""RS256 signing keys, generated at first start and kept (sealed) in the database.

Every node of a deployment signs with the newest key and verifies with any stored key. A
key created by another node is picked up the first time one of its tokens arrives; every
node also re-reads the keys at a fixed interval (`reload_forever`, `--key-reload`), so a
rotated key signs everywhere, and a retired key verifies nowhere, within that interval.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from tenantry.auth.errors import AdministrationError
from tenantry.auth.ports import KeyWorkFactory, StoredSigningKey
from tenantry.domain.audit import Action, Actor, AuditEvent, audit_event
from tenantry.domain.clock import Clock, SystemClock
from tenantry.security.sealing import Sealer

_RELOAD_INTERVAL_SECONDS = 5.0  # at most this often for a key id not known here
_KEY_SIZE = 2048
log = logging.getLogger("tenantry")


def _generate() -> RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)


class _Pregenerated:
    """One key made ahead in a thread, for a start that is sure to need one (a fresh
    sandbox): OpenSSL releases the GIL, so it is made while Python imports the rest."""

    def __init__(self) -> None:
        self._key: RSAPrivateKey | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._make, name="signing-key", daemon=True)
            self._thread.start()

    def _make(self) -> None:
        self._key = _generate()

    def take(self) -> RSAPrivateKey | None:
        """The key made ahead, once (waiting for it if it is still being made)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return None
        thread.join()
        key, self._key = self._key, None
        return key


_pregenerated = _Pregenerated()


def pregenerate() -> None:
    """Start making the first signing key now, in a thread; the store takes it when it
    creates its first key."""
    _pregenerated.start()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: RSAPrivateKey
    public_key: RSAPublicKey
    created_at: datetime


class RetiringTooSoon(AdministrationError):
    """A token the key signed may still be valid; `safe_at` is when none can be."""

    def __init__(self, kid: str, safe_at: datetime) -> None:
        self.kid = kid
        self.safe_at = safe_at
        super().__init__(
            f"tokens signed by {kid} may still be valid until {safe_at:%Y-%m-%d %H:%M:%S}Z "
            "(the token lifetime and the key reload interval after the next key began to "
            "sign); retiring it now ends them early. Retire it after that time, or now with "
            "--force"
        )


class NoSigningKey(AdministrationError):
    """The database holds no signing key yet."""


class SigningKeyStore:
    """The keys every node signs and verifies with; rotating and retiring them are the
    operator's use cases (`tenantry keys`), each audited in the transaction of the change."""

    def __init__(self, uow: KeyWorkFactory, sealer: Sealer, clock: Clock | None = None) -> None:
        self._uow = uow
        self._sealer = sealer
        self._clock = clock or SystemClock()
        self._keys: dict[str, SigningKey] = {}
        self._retired: set[str] = set()  # key ids dropped by a reload while running
        self._lock = asyncio.Lock()
        self._last_reload = float("-inf")

    @property
    def current(self) -> SigningKey:
        if not self._keys:
            raise NoSigningKey(
                "this database has no signing key yet: start `tenantry serve` once, or run "
                "`tenantry keys rotate`"
            )
        return max(self._keys.values(), key=lambda k: k.created_at)

    def verifies(self, kid: str) -> bool:
        """Whether tokens signed by this key are accepted now (a dict lookup, no query)."""
        return kid in self._keys

    def was_retired(self, kid: str) -> bool:
        """Whether a reload in this process dropped this key (retired on some node)."""
        return kid in self._retired

    def public_keys(self) -> list[tuple[str, RSAPublicKey]]:
        """Every key id with its public key, for the JWKS document."""
        return [(kid, key.public_key) for kid, key in self._keys.items()]

    def public_key(self, kid: str) -> RSAPublicKey | None:
        key = self._keys.get(kid)
        return None if key is None else key.public_key

    async def load_or_create(self) -> None:
        """Load every stored key; create the first one if there is none."""
        await self.reload()
        if not self._keys:
            await self._create()
            await self.reload()

    async def reload_if_due(self) -> None:
        """Reload for an unknown key id at most every few seconds: such ids come from
        anyone who sends a token, and must not turn into a query per request."""
        if time.monotonic() - self._last_reload >= _RELOAD_INTERVAL_SECONDS:
            await self.reload()

    async def reload_forever(self, interval_seconds: float) -> None:
        """Re-read the keys every `interval_seconds` until cancelled; a failed reload keeps
        the keys as they were and is tried again at the next interval."""
        while True:
            await asyncio.sleep(interval_seconds)
            try:
                await self.reload()
            except Exception as exc:  # the database may be away for a while
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                log.warning("signing keys not reloaded (will retry): %s", first)

    async def reload(self) -> None:
        """Take the stored keys as they are now: new ones are added, retired ones dropped."""
        async with self._lock, self._uow() as work:
            self._last_reload = time.monotonic()
            stored = await work.signing_keys.all()
        if not stored:
            return  # never drop every key: an emptied table is a mistake, not a rotation
        keys = {}
        for row in stored:
            known = self._keys.get(row.kid)
            if known is None:
                pem = self._sealer.open(row.private_key_sealed, row.kid.encode())
                # OpenSSL's consistency check of an RSA key costs ~50 ms, at every start
                # and for every key. These keys were made here and come back through
                # AES-GCM, which already proves they are byte for byte what was stored.
                private = serialization.load_pem_private_key(
                    pem, password=None, unsafe_skip_rsa_key_validation=True
                )
                assert isinstance(private, RSAPrivateKey)
                known = SigningKey(row.kid, private, private.public_key(), row.created_at)
            keys[row.kid] = known
        self._retired = (self._retired | (self._keys.keys() - keys.keys())) - keys.keys()
        self._keys = keys

    async def rotate(self, actor: Actor) -> SigningKey:
        """A new key, which signs from now on; tokens signed by older keys still verify
        until those keys are retired. Other nodes switch at their next reload."""
        await self._create(actor)
        await self.reload()
        return self.current

    async def retire(self, kid: str, actor: Actor, *, tokens_live: timedelta) -> None:
        """Remove a key: tokens it signed stop verifying once each node reloads. The newest
        key cannot be retired (rotate first). While a token it signed may still be valid
        (`tokens_live` after the next key was made: the token lifetime plus the time the
        nodes take to switch; zero to force), it is refused with `RetiringTooSoon`."""
        await self.reload()
        if kid not in self._keys:
            raise AdministrationError(f"there is no signing key {kid!r}")
        if kid == self.current.kid:
            raise AdministrationError("the newest key signs new tokens: rotate before retiring it")
        safe_at = self.stopped_signing_at(kid) + tokens_live
        if self._clock.now() < safe_at:
            raise RetiringTooSoon(kid, safe_at)
        async with self._uow() as work:
            await work.signing_keys.remove(kid)
            await work.audit.record(self._event(actor, Action.SIGNING_KEY_RETIRED, kid))
            await work.commit()
        await self.reload()

    def listing(self) -> list[SigningKey]:
        return sorted(self._keys.values(), key=lambda k: k.created_at)

    def stopped_signing_at(self, kid: str) -> datetime:
        """When the key after this one was made: from then on (and once every node has
        reloaded) it signs nothing new."""
        made = self._keys[kid].created_at
        later = [k.created_at for k in self._keys.values() if k.created_at >= made and k.kid != kid]
        return min(later, default=made)

    async def _create(self, actor: Actor | None = None) -> None:
        private = _pregenerated.take()
        if private is None:
            private = await asyncio.to_thread(_generate)
        kid = uuid.uuid4().hex
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        stored = StoredSigningKey(
            kid, self._sealer.seal(pem, kid.encode()), public_pem.decode(), self._clock.now()
        )
        async with self._uow() as work:
            await work.signing_keys.add(stored)
            if actor is not None:
                await work.audit.record(self._event(actor, Action.SIGNING_KEY_ROTATED, kid))
            await work.commit()

    def _event(self, actor: Actor, action: Action, kid: str) -> AuditEvent:
        return audit_event(
            actor, action, self._clock.now(), target_type="signingKey", target_id=kid
        )
