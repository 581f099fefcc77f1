"""The sandbox's adjustable limits: Partner Center's customer cap, and the delay before a
new customer can be read (real Partner Center takes about 90 seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tenantry.domain.clock import Clock

PARTNER_CENTER_SANDBOX_CAP = 75  # customers per partner in Partner Center's sandbox


@dataclass
class SandboxLimits:
    """Changed at run time through the control plane; 0 turns either one off."""

    customer_cap: int = 0
    provisioning_delay_seconds: float = 0.0

    def provisioned_before(self, now: datetime) -> datetime | None:
        """Customers created after this moment are still being provisioned."""
        if self.provisioning_delay_seconds <= 0:
            return None
        return now - timedelta(seconds=self.provisioning_delay_seconds)


class Visibility:
    """When a customer becomes readable: `cutoff()` for `visible_customer`."""

    def __init__(self, clock: Clock, limits: SandboxLimits) -> None:
        self._clock = clock
        self._limits = limits

    def cutoff(self) -> datetime | None:
        return self._limits.provisioned_before(self._clock.now())


def cutoff_of(visibility: Visibility | None) -> datetime | None:
    """The provisioning cutoff for `visible_customer`; None when nothing is being delayed."""
    return None if visibility is None else visibility.cutoff()
