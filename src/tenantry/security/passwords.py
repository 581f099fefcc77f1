"""Passwords people choose (partner users): argon2id with deliberately chosen parameters.

OWASP's minimum for argon2id (19 MiB, two passes, one lane) takes about 16 ms here: cheap
for a sign-in, costly for an attacker guessing offline. Generated secrets use the fast
hash in `hashing.py` instead (docs/decisions/0002-secret-hashing.md).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the user does not exist, so both paths cost the same. Written out
# rather than hashed at import, which would add its cost to every start; a test checks it
# uses the parameters above.
DUMMY_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$dGi1YqkP9np9sT4QHNAfWQ$"
    "Rf0aZHpGIKoorGP7HUCvmJNb+ITGSYVtgR5prfi4jzc"
)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def current_parameters(hashed: str) -> bool:
    """Whether a stored hash was made with the parameters passwords are hashed with now."""
    return not _HASHER.check_needs_rehash(hashed)


def verify_password(hashed: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(hashed or DUMMY_HASH, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False
