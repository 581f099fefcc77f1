"""RS256 signing keys, generated at first start and kept (sealed) in the database.

Every node of a deployment signs with the newest key and verifies with any stored key, so
a key created by another node is picked up the first time one of its tokens arrives.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from tenantry.auth.errors import AdministrationError
from tenantry.auth.ports import KeyWorkFactory, StoredSigningKey
from tenantry.domain.audit import Action, Actor, AuditEvent, audit_event
from tenantry.domain.clock import Clock, SystemClock
from tenantry.security.sealing import Sealer

_RELOAD_INTERVAL_SECONDS = 5.0
_KEY_SIZE = 2048


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


class SigningKeyStore:
    """The keys every node signs and verifies with; rotating and retiring them are the
    operator's use cases (`tenantry keys`), each audited in the transaction of the change."""

    def __init__(self, uow: KeyWorkFactory, sealer: Sealer, clock: Clock | None = None) -> None:
        self._uow = uow
        self._sealer = sealer
        self._clock = clock or SystemClock()
        self._keys: dict[str, SigningKey] = {}
        self._lock = asyncio.Lock()
        self._last_reload = float("-inf")

    @property
    def current(self) -> SigningKey:
        return max(self._keys.values(), key=lambda k: k.created_at)

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
        self._keys = keys

    async def rotate(self, actor: Actor) -> SigningKey:
        """A new key, which signs from now on; tokens signed by older keys still verify
        until those keys are retired. Other nodes switch at their next reload."""
        await self._create(actor)
        await self.reload()
        return self.current

    async def retire(self, kid: str, actor: Actor) -> None:
        """Remove a key: tokens it signed stop verifying once each node reloads. The newest
        key cannot be retired (rotate first)."""
        await self.reload()
        if kid not in self._keys:
            raise AdministrationError(f"there is no signing key {kid!r}")
        if kid == self.current.kid:
            raise AdministrationError("the newest key signs new tokens: rotate before retiring it")
        async with self._uow() as work:
            await work.signing_keys.remove(kid)
            await work.audit.record(self._event(actor, Action.SIGNING_KEY_RETIRED, kid))
            await work.commit()
        await self.reload()

    def listing(self) -> list[SigningKey]:
        return sorted(self._keys.values(), key=lambda k: k.created_at)

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
