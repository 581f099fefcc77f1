"""Generated admin passwords: Entra's rules, and choices without bias."""

from __future__ import annotations

import collections
import string

import pytest

from tenantry.domain import passwords
from tenantry.domain.passwords import LENGTH, SYMBOLS, generate_admin_password

CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)


def test_every_password_has_every_class_and_nothing_else() -> None:
    seen = set()
    for _ in range(2000):
        password = generate_admin_password()
        assert len(password) == LENGTH
        assert all(any(c in cls for c in password) for cls in CLASSES), password
        assert set(password) <= set("".join(CLASSES))
        seen.add(password)
    assert len(seen) == 2000


def test_each_class_lands_anywhere() -> None:
    """The guaranteed characters are shuffled: symbols appear at every position."""
    positions: collections.Counter[int] = collections.Counter()
    for _ in range(3000):
        password = generate_admin_password()
        positions.update(i for i, c in enumerate(password) if c in SYMBOLS)
    assert set(positions) == set(range(LENGTH))


def test_bytes_past_the_last_whole_multiple_are_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # For 10 choices the bytes 250..255 would favour 0..5: they are skipped.
    monkeypatch.setattr(passwords.secrets, "token_bytes", lambda n: bytes([255, 250, 249, 13]))
    draws = passwords._Draws()
    assert draws.below(10) == 9  # 255 and 250 skipped, 249 % 10
    assert draws.below(10) == 3


def test_choices_are_uniform() -> None:
    draws = passwords._Draws()
    counts = collections.Counter(draws.below(7) for _ in range(21000))
    assert set(counts) == set(range(7))
    assert all(abs(count - 3000) < 400 for count in counts.values()), counts  # ~8 sd
