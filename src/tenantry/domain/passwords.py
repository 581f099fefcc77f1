"""Generated admin passwords that meet Microsoft Entra complexity rules."""

from __future__ import annotations

import secrets
import string

LENGTH = 16
# Symbols Entra accepts, minus quotes, backslash and space, which break copy and paste.
SYMBOLS = "!#$%&*+-.:;=?@^_~"
_CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)
_ALPHABET = "".join(_CLASSES)


def generate_admin_password() -> str:
    """16 characters with every class present (Entra needs three of the four)."""
    chars = [secrets.choice(cls) for cls in _CLASSES]
    chars += [secrets.choice(_ALPHABET) for _ in range(LENGTH - len(chars))]
    # Fisher-Yates with a CSPRNG so the guaranteed characters are not at fixed positions.
    for i in range(len(chars) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)
