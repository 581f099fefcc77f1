"""The master key and the purpose-bound keys derived from it.

The master key is 32 random bytes. In sandbox mode a server creates it on first start in
the data directory (`master.key`, mode 0600); `TENANTRY_MASTER_KEY` (base64, or a file named
by `TENANTRY_MASTER_KEY_FILE`) overrides it and is mandatory in production, where every node
of a deployment must share it. The operator's commands never create one.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_FILE = "master.key"
_HOW_TO_GIVE_IT = (
    "set TENANTRY_MASTER_KEY or TENANTRY_MASTER_KEY_FILE (or master_key_file in the config "
    "file) to the deployment's key; `tenantry keygen` prints a new one"
)


class MasterKeyError(RuntimeError):
    """The master key is missing or malformed."""


class MasterKey:
    """Derives independent 32-byte keys per purpose with HKDF-SHA256."""

    def __init__(self, material: bytes) -> None:
        if len(material) < 32:
            raise MasterKeyError("the master key must be at least 32 bytes")
        self._material = material

    def derive(self, purpose: str) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
        return hkdf.derive(self._material)

    @classmethod
    def from_base64(cls, text: str) -> MasterKey:
        try:
            return cls(base64.b64decode(text.strip(), validate=True))
        except (binascii.Error, ValueError) as exc:
            raise MasterKeyError("TENANTRY_MASTER_KEY is not valid base64") from exc

    @classmethod
    def load_or_create(cls, data_dir: Path) -> MasterKey:
        """Read `master.key` from the data dir, creating it (0600) on first start."""
        path = data_dir / KEY_FILE
        if path.exists():
            return cls.from_base64(path.read_text())
        data_dir.mkdir(parents=True, exist_ok=True)
        text = base64.b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)
        return cls.from_base64(text)


def master_key(given: str | None, data_dir: Path, *, sandbox: bool, create: bool) -> MasterKey:
    """The key given (base64), else a sandbox's `master.key` in the data dir, made there
    only when `create` is set (a sandbox server's first start). `MasterKeyError` says how
    to give the key when there is none."""
    if given:
        return MasterKey.from_base64(given)
    if not sandbox:
        raise MasterKeyError(
            f"production mode needs the master key: {_HOW_TO_GIVE_IT}. "
            "Every node must use the same key."
        )
    if create or (data_dir / KEY_FILE).exists():
        return MasterKey.load_or_create(data_dir)
    raise MasterKeyError(
        f"no master key, and this command does not create one: {_HOW_TO_GIVE_IT} (or start "
        f"`tenantry serve --mode sandbox` once: it makes {data_dir / KEY_FILE})"
    )


def generate_master_key() -> str:
    """A new base64 master key, for `TENANTRY_MASTER_KEY`."""
    return base64.b64encode(secrets.token_bytes(32)).decode()
