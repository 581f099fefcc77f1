"""RS256 signing keys, generated at first start and kept (sealed) in the database.

Every node of a deployment signs with the newest key and verifies with any stored key, so
a key created by another node is picked up the first time one of its tokens arrives.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.security.sealing import Sealer
from tenantry.storage.tables import signing_keys

_RELOAD_INTERVAL_SECONDS = 5.0


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
        async with self._lock, self._engine.connect() as conn:
            self._last_reload = time.monotonic()
            rows = (await conn.execute(select(signing_keys))).all()
        for row in rows:
            if row.kid in self._keys:
                continue
            pem = self._sealer.open(row.private_key_sealed, row.kid.encode())
            private = serialization.load_pem_private_key(pem, password=None)
            assert isinstance(private, RSAPrivateKey)
            created = row.created_at
            self._keys[row.kid] = SigningKey(row.kid, private, private.public_key(), created)

    async def _create(self) -> None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
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
