"""The throttle's leases: requests waiting for a reservation go on together, a spent window
answers 429 without asking the database again, and a failed reservation is not kept."""

from __future__ import annotations

import asyncio

import pytest

from tenantry.auth.development import DEV_PARTNER
from tenantry.domain.throttling import CUSTOMER, MAX_LEASE, Throttle, Throttled

NOW = 1_800_000_000.0


class GatedCounter:
    """A shared hit count whose writes wait until the test opens the gate."""

    def __init__(self, *, fail: int = 0) -> None:
        self.totals: dict[int, int] = {}
        self.calls = 0
        self.fail = fail
        self.gate = asyncio.Event()
        self.gate.set()

    async def hit(self, partner_id: str, resource: str, window_start: int, n: int = 1) -> int:
        self.calls += 1
        await self.gate.wait()
        if self.fail:
            self.fail -= 1
            raise ConnectionError("the database went away")
        self.totals[window_start] = self.totals.get(window_start, 0) + n
        return self.totals[window_start]


async def _turns(n: int) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_requests_waiting_for_a_reservation_all_go_on_when_it_is_done() -> None:
    counter = GatedCounter()
    counter.gate.clear()
    throttle = Throttle(counter, {CUSTOMER: 1_000_000})
    checks = [asyncio.create_task(throttle.check(DEV_PARTNER, CUSTOMER, NOW)) for _ in range(40)]
    await _turns(3)
    assert counter.calls == 1  # one reservation for all of them
    counter.gate.set()
    # A few turns of the loop, not one per waiter: behind a lock the waiters went on one
    # turn after another.
    await _turns(4)
    assert sum(check.done() for check in checks) >= MAX_LEASE
    await asyncio.gather(*checks)


async def test_a_spent_window_is_refused_without_another_write() -> None:
    counter = GatedCounter()
    throttle = Throttle(counter, {CUSTOMER: 3})
    for _ in range(3):
        await throttle.check(DEV_PARTNER, CUSTOMER, NOW)
    writes = counter.calls
    for _ in range(5):
        with pytest.raises(Throttled) as refused:
            await throttle.check(DEV_PARTNER, CUSTOMER, NOW)
        assert refused.value.retry_after >= 1
    assert counter.calls == writes + 1  # the reservation that found nothing left
    await throttle.check(DEV_PARTNER, CUSTOMER, NOW + 60)  # the next window


async def test_a_failed_reservation_reaches_its_waiters_and_the_next_one_starts_afresh() -> None:
    counter = GatedCounter(fail=1)
    counter.gate.clear()
    throttle = Throttle(counter, {CUSTOMER: 1_000})
    checks = [asyncio.create_task(throttle.check(DEV_PARTNER, CUSTOMER, NOW)) for _ in range(3)]
    await _turns(2)
    counter.gate.set()
    results = await asyncio.gather(*checks, return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    await throttle.check(DEV_PARTNER, CUSTOMER, NOW)  # reserves again, and succeeds


async def test_a_waiter_that_goes_away_does_not_cancel_the_reservation() -> None:
    counter = GatedCounter()
    counter.gate.clear()
    throttle = Throttle(counter, {CUSTOMER: 1_000_000})
    leaving = asyncio.create_task(throttle.check(DEV_PARTNER, CUSTOMER, NOW))
    staying = asyncio.create_task(throttle.check(DEV_PARTNER, CUSTOMER, NOW))
    await _turns(2)
    leaving.cancel()
    counter.gate.set()
    await staying
    assert leaving.cancelled()
    assert counter.calls == 1
