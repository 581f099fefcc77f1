"""The total time one call may take: every attempt, every wait and the sign-in together.

`Deadline` is fixed when a call starts. Each attempt's httpx time-outs are cut to what is
left of it, a retry whose wait would not end before it is not made (the last failure is
raised instead), and the asyncio client also cancels an attempt that is still running when
it passes (`AsyncLimit`): httpx's time-outs bound each connect, read and write, not their
sum, so a server that trickles its answer is stopped only by the cancellation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType

import httpx


class DeadlinePassed(httpx.TimeoutException):
    """The call's deadline passed while an attempt (or the sign-in) was still running."""


class Deadline:
    """A point in time (on a monotonic clock) that a call must end by; None: no limit."""

    def __init__(
        self, seconds: float | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if seconds is not None and not seconds > 0:
            raise ValueError("a deadline must be a positive number of seconds (or None)")
        self.seconds = seconds
        self._clock = clock
        self._at = None if seconds is None else clock() + seconds

    def remaining(self) -> float | None:
        """Seconds left (never negative); None when there is no limit."""
        if self._at is None:
            return None
        return max(0.0, self._at - self._clock())

    def expired(self) -> bool:
        """True once the deadline has passed."""
        left = self.remaining()
        return left is not None and left <= 0.0

    def allows_wait(self, delay: float) -> bool:
        """True when waiting `delay` seconds still leaves time for another attempt."""
        left = self.remaining()
        return left is None or delay < left

    def timeout(self, configured: httpx.Timeout) -> httpx.Timeout:
        """`configured`, each of its limits cut to the time that is left."""
        left = self.remaining()
        if left is None:
            return configured
        left = max(left, 0.001)  # httpx reads 0 as "fail at once" on some back-ends only

        def cut(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=cut(configured.connect),
            read=cut(configured.read),
            write=cut(configured.write),
            pool=cut(configured.pool),
        )

    def describe(self) -> str:
        """`the call's deadline of 30 s`, for error messages."""
        return f"the call's deadline of {self.seconds:g} s"


class AsyncLimit:
    """`async with AsyncLimit(deadline):` cancels the block when the deadline passes, and
    raises `DeadlinePassed` then (nothing at all without a deadline)."""

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        left = deadline.remaining()
        self._timeout = None if left is None else asyncio.timeout(left)

    async def __aenter__(self) -> None:
        if self._timeout is not None:
            await self._timeout.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._timeout is None:
            return
        try:
            await self._timeout.__aexit__(exc_type, exc, traceback)
        except TimeoutError as timed_out:
            raise DeadlinePassed(f"{self._deadline.describe()} passed") from timed_out


class Limit:
    """The blocking twin of `AsyncLimit`: nothing can be cancelled, so it only relies on
    the time-outs that `Deadline.timeout` cut."""

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None
