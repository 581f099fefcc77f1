"""Reset, seed, export and import of the sandbox's whole state (docs/sandbox-state.md).

- reset: back to the first start: everything deleted, the development partner re-created
  (unless `empty`). Signing keys are kept, so tokens already issued still verify.
- export / import: the whole state as one document; import replaces everything, or
  changes nothing, and its signing keys verify from then on.
- seed: partners, partnerships and customers from a seed (`seeding.py`).

Each is one whole-state transaction (`ports.WholeState`) with its audit event in it: the
audit trail is the server's history and outlives every reset and import.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from tenantry.auth.development import DEV_PARTNER, development_records
from tenantry.auth.enrolment import Enrolment
from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.clock import Clock
from tenantry.domain.customers import CreatePolicy, CustomerService
from tenantry.domain.models import AppRegistration, PartnerUser
from tenantry.domain.ports import SecretHasher, UnitOfWork
from tenantry.domain.sandbox import SandboxLimits
from tenantry.sandbox.ports import SandboxStore, SnapshotRefused, StateConflict
from tenantry.sandbox.seeding import SeedRun
from tenantry.sandbox.seeds import Seed, SeedReport, malformed


class KeyReloader(Protocol):
    """Takes the stored signing keys as they are now (`SigningKeyStore`)."""

    async def reload(self) -> None: ...


class SandboxState:
    def __init__(
        self,
        store: SandboxStore,
        enrolment: Enrolment,
        keys: KeyReloader,
        clock: Clock,
        hasher: SecretHasher,
        policy: CreatePolicy,
        limits: SandboxLimits,
        idempotency_secret: bytes,
    ) -> None:
        self._store = store
        self._enrolment = enrolment
        self._keys = keys
        self._clock = clock
        self._hasher = hasher
        self._policy = policy
        self._limits = limits
        self._idempotency_secret = idempotency_secret
        self._development: tuple[AppRegistration, PartnerUser] | None = None

    async def _add_development_partner(self, work: UnitOfWork) -> None:
        """What `ensure_development_partner` writes, into tables just cleared: no lookups
        first, and the app's records (its secret's hash) made once per process."""
        if self._development is None:
            self._development = development_records(self._enrolment)
        app, user = self._development
        now = datetime.now(UTC)  # as `ensure_development_partner` stamps them
        await work.partners.add(DEV_PARTNER, now)
        await work.partners.add_app(app, now)
        await work.partners.add_user(user, now)

    async def reset(self, actor: Actor, *, empty: bool = False) -> None:
        """Delete the state; re-create the development partner unless `empty`."""
        async with self._store.replace() as state:
            await state.clear()
            if not empty:
                await self._add_development_partner(state.joined())
            reset_event = audit_event(
                actor,
                Action.SANDBOX_RESET,
                self._clock.now(),
                target_type="sandbox",
                target_id="state",
                details={"empty": empty},
            )
            await state.joined().audit.record(reset_event)
            await state.commit()

    async def export(self) -> dict[str, Any]:
        """The whole state as one document (`storage/snapshot.py` describes it)."""
        return await self._store.export(self._clock.now())

    async def import_state(self, document: Any, actor: Actor) -> None:
        """Replace the state with an exported document, or change nothing: any problem is
        a 400 (800002) that names the offending member."""
        try:
            rows = self._store.read_snapshot(document)
            async with self._store.replace() as state:
                written = await state.load(rows, self._clock.now())
                imported = audit_event(
                    actor,
                    Action.SANDBOX_IMPORTED,
                    self._clock.now(),
                    target_type="sandbox",
                    target_id="state",
                    details={"rows": dict(written)},
                )
                await state.joined().audit.record(imported)
                await state.commit()
        except SnapshotRefused as exc:
            raise malformed(str(exc)) from exc
        await self._keys.reload()  # the snapshot's signing keys verify from now on

    async def seed(self, seed: Seed, actor: Actor) -> SeedReport:
        """Write the seed in one transaction; any refusal rolls all of it back. The audit
        trail gets one event for the seed and one per customer it created."""
        try:
            async with self._store.replace() as state:
                work = state.joined()
                now = self._clock.now()
                customers = CustomerService(
                    state.joined, self._clock, self._hasher, self._policy, self._limits
                )
                run = SeedRun(work, self._enrolment, customers, self._idempotency_secret, now)
                report = await run.apply(seed, actor)
                seed_event = audit_event(
                    actor,
                    Action.SANDBOX_SEEDED,
                    now,
                    target_type="sandbox",
                    target_id="state",
                    details={
                        "partnersCreated": list(report.partners_created),
                        "partnershipsCreated": report.partnerships_created,
                        "customersCreated": len(report.customers_created),
                    },
                )
                await work.audit.record(seed_event)
                await state.commit()
        except StateConflict as exc:  # a concurrent change took a key this seed wanted
            raise malformed(
                "the seed conflicts with a change made at the same time; apply it again"
            ) from exc
        return report
