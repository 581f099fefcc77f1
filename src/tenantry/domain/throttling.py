"""Throttling per partner and resource, as Partner Center does for the customer resource
(500 requests a minute per partner tenant, by default).

Fixed one-minute windows counted in the database, so every process of a deployment shares
one budget; past it, Partner Center's 429 with `Retry-After`.

A process does not write once per request: it reserves a lease of several hits at a time
from the shared count and spends it locally (decision 0007). Leases shrink as the window's
budget runs out, down to one hit each, so the budget is never exceeded and a single process
is exact; with several processes, hits a process reserved but did not spend in a window (at
most two leases: the one it spends and the next, reserved when half of it is spent) are the
most by which a partner can be refused early.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field
from typing import Protocol

from tenantry.domain.models import Partner

log = logging.getLogger("tenantry")

CUSTOMER = "customer"
WINDOW_SECONDS = 60
# A lease is at most this many hits, and at most 1/LEASE_SHARE of the budget the process
# last saw left, so that hits reserved but not spent stay few near the limit.
MAX_LEASE = 32
LEASE_SHARE = 8


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class HitCounter(Protocol):
    async def hit(self, partner_id: str, resource: str, window_start: int, n: int = 1) -> int:
        """Count n requests in the window and return the window's count so far."""
        ...


@dataclass
class _Lease:
    """What this process holds in one window: hits it may still spend, and the shared count
    it saw last."""

    spare: int = 0
    seen: int = 0
    size: int = 0  # of the last reservation
    exhausted: bool = False  # a reservation found the window's budget spent
    # One reservation at a time per process. Requests that find nothing spare all await
    # it and all go on when it is done: queued one by one behind a lock, each waited a
    # turn of the event loop after the one before it (a convoy: at 32 connections the
    # last waited about 50 ms while the median request took 4 ms).
    pending: asyncio.Task[None] | None = None


@dataclass
class Throttle:
    counter: HitCounter
    per_minute: dict[str, int]  # resource -> limit; 0 or absent = no limit
    _leases: dict[tuple[str, str], tuple[int, _Lease]] = field(default_factory=dict)
    # Reservations still running, a lease of an ended window's among them: held here so
    # that none is collected half-way.
    _running: set[asyncio.Task[None]] = field(default_factory=set)

    async def check(self, partner: Partner, resource: str, now: float) -> None:
        limit = self.per_minute.get(resource, 0)
        if limit <= 0:
            return
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        lease = self._lease(partner.tenant_id, resource, window)
        while lease.spare == 0:
            if lease.exhausted:
                raise Throttled(max(1, math.ceil(window + WINDOW_SECONDS - now)))
            reservation = self._reservation(lease, partner.tenant_id, resource, window, limit)
            # Shielded: a waiter whose client goes away does not cancel it for the others.
            await asyncio.shield(reservation)
        lease.spare -= 1  # no await between the test above and this
        if lease.spare == lease.size // 2 and lease.size > 1:
            # Half spent: reserve the next lease now, so that requests do not all wait for
            # one database write (a commit) when this one runs out.
            self._reservation(lease, partner.tenant_id, resource, window, limit)

    def _reservation(
        self, lease: _Lease, partner_id: str, resource: str, window: int, limit: int
    ) -> asyncio.Task[None]:
        """The reservation in flight, started now if there is none."""
        if lease.pending is None:
            task = asyncio.create_task(self._reserve(lease, partner_id, resource, window, limit))
            lease.pending = task
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            task.add_done_callback(lambda done: _finished(lease, done))
        return lease.pending

    async def _reserve(
        self, lease: _Lease, partner_id: str, resource: str, window: int, limit: int
    ) -> None:
        size = max(1, min(MAX_LEASE, (limit - lease.seen) // LEASE_SHARE))
        total = await self.counter.hit(partner_id, resource, window, size)
        lease.seen = max(lease.seen, total)
        lease.size = size
        granted = max(0, min(size, limit - (total - size)))
        lease.spare += granted
        lease.exhausted = granted == 0

    def _lease(self, partner_id: str, resource: str, window: int) -> _Lease:
        key = (partner_id, resource)
        held = self._leases.get(key)
        if held is None or held[0] != window:  # a new window starts with nothing reserved
            held = (window, _Lease())
            self._leases[key] = held
        return held[1]


def _finished(lease: _Lease, task: asyncio.Task[None]) -> None:
    """A reservation is done: the next one may start. A failure reaches the requests that
    waited for it (each answers with it); one reserved ahead, that no request awaited, is
    logged here."""
    lease.pending = None
    failure = None if task.cancelled() else task.exception()
    if failure is not None:  # one line: during a database outage every request says more
        reason = (str(failure).splitlines() or [type(failure).__name__])[0][:300]
        log.warning("reserving throttle hits failed: %s", reason)
