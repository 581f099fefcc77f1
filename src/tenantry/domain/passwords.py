"""Generated admin passwords that meet Microsoft Entra complexity rules."""

from __future__ import annotations

import secrets
import string

LENGTH = 16
# Symbols Entra accepts, minus quotes, backslash and space, which break copy and paste.
SYMBOLS = "!#$%&*+-.:;=?@^_~"
_CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)
_ALPHABET = "".join(_CLASSES)
_BATCH = 64  # random bytes read at a time: one password needs about 45


class _Draws:
    """Uniform choices from random bytes read from the OS in batches (`secrets.choice`
    reads the OS once per choice: 31 system calls a password)."""

    def __init__(self) -> None:
        self._bytes = b""
        self._at = 0

    def below(self, n: int) -> int:
        """A uniform integer in [0, n), for 0 < n <= 256: bytes at or above the largest
        multiple of n are rejected, so that no value is likelier than another."""
        limit = 256 - 256 % n
        while True:
            if self._at == len(self._bytes):
                self._bytes, self._at = secrets.token_bytes(_BATCH), 0
            value = self._bytes[self._at]
            self._at += 1
            if value < limit:
                return value % n

    def choice(self, seq: str) -> str:
        return seq[self.below(len(seq))]


def generate_admin_password() -> str:
    """16 characters with every class present (Entra needs three of the four)."""
    draws = _Draws()
    chars = [draws.choice(cls) for cls in _CLASSES]
    chars += [draws.choice(_ALPHABET) for _ in range(LENGTH - len(chars))]
    # Fisher-Yates with a CSPRNG so the guaranteed characters are not at fixed positions.
    for i in range(len(chars) - 1, 0, -1):
        j = draws.below(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)
