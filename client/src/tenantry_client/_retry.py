"""When to try a call again, and how long to wait first.

Exponential back-off with full jitter (a random wait between 0 and `backoff_factor * 2**n`,
capped by `backoff_max`), except that a `Retry-After` header on 429 or 503 is obeyed.
Which failures may be retried depends on the call (see `core.Retryable`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

# Jitter only needs to spread clients apart, not to be unpredictable.
_jitter = random.Random()  # noqa: S311


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How a client retries.

    `max_attempts` counts the first try (1 disables retries). A `Retry-After` longer than
    `max_retry_after` seconds is not waited for: the error is raised instead, with its
    `retry_after`. `jitter` returns a number in [0, 1), for tests that want fixed waits.
    """

    max_attempts: int = 4
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 120.0
    retry_statuses: frozenset[int] = RETRYABLE_STATUSES
    jitter: Callable[[], float] = field(default=_jitter.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_attempts=1)

    def backoff(self, retries_so_far: int) -> float:
        """Seconds to wait before retry number `retries_so_far + 1` (full jitter)."""
        ceiling = min(self.backoff_max, self.backoff_factor * (2.0**retries_so_far))
        return ceiling * self.jitter()


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """`Retry-After` in seconds: a whole number, or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            return None
        return max(0.0, when.timestamp() - now())
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return seconds
