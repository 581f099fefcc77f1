"""Throttling per partner and resource, as Partner Center does for the customer resource
(500 requests a minute per partner tenant, by default).

Fixed one-minute windows counted in the database, so every process of a deployment shares
one budget; past it, Partner Center's 429 with `Retry-After`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from tenantry.domain.models import Partner

CUSTOMER = "customer"
WINDOW_SECONDS = 60


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class HitCounter(Protocol):
    async def hit(self, partner_id: str, resource: str, window_start: int) -> int:
        """Count one request in the window and return the window's count so far."""
        ...


@dataclass
class Throttle:
    counter: HitCounter
    per_minute: dict[str, int]  # resource -> limit; 0 or absent = no limit

    async def check(self, partner: Partner, resource: str, now: float) -> None:
        limit = self.per_minute.get(resource, 0)
        if limit <= 0:
            return
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        if await self.counter.hit(partner.tenant_id, resource, window) > limit:
            raise Throttled(max(1, math.ceil(window + WINDOW_SECONDS - now)))
