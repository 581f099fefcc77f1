"""RS256 signing keys, generated at first start and kept (sealed) in the database.

Every node of a deployment signs with the newest key and verifies with any stored key, so
a key created by another node is picked up the first time one of its tokens arrives.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tenantry.security.sealing import Sealer
from tenantry.storage.tables import signing_keys

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


# Called with the transaction that adds or removes a key, and the key's id: what it writes
# (the audit trail) commits with the change or not at all.
KeyChange = Callable[[AsyncConnection, str], Awaitable[None]]


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: RSAPrivateKey
    public_key: RSAPublicKey
    created_at: datetime


class SigningKeyStore:
    def __init__(self, engine: AsyncEngine, sealer: Sealer) -> None:
        self._engine = engine
        self._sealer = sealer
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
        async with self._lock, self._engine.connect() as conn:
            self._last_reload = time.monotonic()
            rows = (await conn.execute(select(signing_keys))).all()
        if not rows:
            return  # never drop every key: an emptied table is a mistake, not a rotation
        keys = {}
        for row in rows:
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

    async def rotate(self, on_change: KeyChange | None = None) -> SigningKey:
        """A new key, which signs from now on; tokens signed by older keys still verify
        until those keys are retired. Other nodes switch at their next reload."""
        await self._create(on_change)
        await self.reload()
        return self.current

    async def retire(self, kid: str, on_change: KeyChange | None = None) -> None:
        """Remove a key: tokens it signed stop verifying once each node reloads. The newest
        key cannot be retired (rotate first)."""
        await self.reload()
        if kid not in self._keys:
            raise KeyError(kid)
        if kid == self.current.kid:
            raise ValueError("the newest key signs new tokens: rotate before retiring it")
        async with self._engine.begin() as conn:
            await conn.execute(delete(signing_keys).where(signing_keys.c.kid == kid))
            if on_change is not None:
                await on_change(conn, kid)
        await self.reload()

    def listing(self) -> list[SigningKey]:
        return sorted(self._keys.values(), key=lambda k: k.created_at)

    async def _create(self, on_change: KeyChange | None = None) -> None:
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
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(signing_keys).values(
                    kid=kid,
                    private_key_sealed=self._sealer.seal(pem, kid.encode()),
                    public_key_pem=public_pem.decode(),
                    created_at=datetime.now(UTC),
                )
            )
            if on_change is not None:
                await on_change(conn, kid)
