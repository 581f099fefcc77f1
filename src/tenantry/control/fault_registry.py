"""The faults in force in this process, and the draw that picks them for a request.

One registry per ASGI application, kept on `app.state` and created on first use: the
middleware reaches it through `scope["app"]`, the control routes through `request.app`.
Everything runs on the server's event loop, so a draw (roll, count down, remove) is atomic.
With several worker processes each has its own registry.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tenantry.control.fault_specs import OUTCOMES, FaultSpec, Kind

_STATE_ATTRIBUTE = "tenantry_faults"
SCOPE_KEY = "tenantry_fault"  # scope["state"][SCOPE_KEY]: what was injected, for inspection
_random = secrets.SystemRandom()


@dataclass
class Fault:
    spec: FaultSpec
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    injected: int = 0

    @property
    def remaining(self) -> int | None:
        return None if self.spec.count is None else self.spec.count - self.injected

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, **self.spec.wire()}
        if self.remaining is not None:
            body["remaining"] = self.remaining
        body["injected"] = self.injected
        body["createdAt"] = self.created_at.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        )
        return body

    def label(self) -> dict[str, Any]:
        """How the request log names this fault: its id and what it did."""
        spec = self.spec
        members = {
            "id": self.id,
            "kind": spec.kind.value,
            "when": spec.when.value if spec.when else None,
            "status": spec.status,
            "milliseconds": spec.milliseconds,
        }
        return {k: v for k, v in members.items() if v is not None}


@dataclass(frozen=True)
class Plan:
    """What to do to one request. At most one outcome (status or drop) per request."""

    faults: tuple[Fault, ...]

    @property
    def latency_ms(self) -> int:
        return sum(f.spec.milliseconds or 0 for f in self.faults if f.spec.kind is Kind.LATENCY)

    @property
    def outcome(self) -> FaultSpec | None:
        return next((f.spec for f in self.faults if f.spec.kind in OUTCOMES), None)

    def has(self, kind: Kind) -> bool:
        return any(f.spec.kind is kind for f in self.faults)


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}  # insertion order: the draw's order

    def __bool__(self) -> bool:
        return bool(self._faults)

    def add(self, spec: FaultSpec) -> Fault:
        fault = Fault(spec)
        self._faults[fault.id] = fault
        return fault

    def all(self) -> list[Fault]:
        return list(self._faults.values())

    def remove(self, fault_id: str) -> bool:
        return self._faults.pop(fault_id, None) is not None

    def clear(self) -> None:
        self._faults.clear()

    def draw(self, method: str, path: str) -> Plan | None:
        """Roll each matching fault's probability; count down (and retire) those that fire.

        Once an outcome fault fires, later outcome faults are not rolled (nor counted).
        """
        fired: list[Fault] = []
        outcome_taken = False
        for fault in list(self._faults.values()):
            spec = fault.spec
            if not spec.route.matches(method, path):
                continue
            if spec.kind in OUTCOMES and outcome_taken:
                continue
            if _random.random() >= spec.probability:  # random() < 1: probability 1 always fires
                continue
            fault.injected += 1
            if fault.remaining == 0:
                del self._faults[fault.id]
            outcome_taken = outcome_taken or spec.kind in OUTCOMES
            fired.append(fault)
        return Plan(tuple(fired)) if fired else None


def registry_of(app: Any) -> FaultRegistry:
    """The application's registry, created on first use."""
    registry = getattr(app.state, _STATE_ATTRIBUTE, None)
    if not isinstance(registry, FaultRegistry):
        registry = FaultRegistry()
        setattr(app.state, _STATE_ATTRIBUTE, registry)
    return registry
