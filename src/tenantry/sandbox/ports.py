"""What the sandbox's state use cases need from storage, stated as protocols."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from tenantry.domain.ports import UnitOfWork

SnapshotRows = dict[str, list[dict[str, Any]]]
"""A checked snapshot document: rows ready to insert, table by table."""


class SnapshotRefused(ValueError):
    """The snapshot cannot be imported; the message says exactly why."""


class StateConflict(Exception):
    """A change made at the same time took a key this one wanted."""


class WholeState(Protocol):
    """One transaction over the whole state, serialised against every other such one.
    Leaving it without `commit()` rolls all of it back; a uniqueness violation inside it
    leaves as `StateConflict`."""

    def joined(self) -> UnitOfWork:
        """A unit of work inside this transaction: leaving it (or its `commit()`) neither
        commits nor rolls back; the whole state's `commit()` decides. Idempotency records
        are not kept in it: nothing done here is a client request to be replayed."""
        ...

    async def clear(self) -> None:
        """Delete the sandbox's state; the signing keys and the audit trail stay."""
        ...

    async def load(self, rows: SnapshotRows, now: datetime) -> Mapping[str, int]:
        """Replace the state with a checked snapshot; the rows written per table.
        `SnapshotRefused` if the database refuses a row."""
        ...

    async def commit(self) -> None: ...


class SandboxStore(Protocol):
    def replace(self) -> AbstractAsyncContextManager[WholeState]:
        """Open the transaction that may replace the whole state."""
        ...

    async def export(self, now: datetime) -> dict[str, Any]:
        """The whole state as one document, from one consistent picture of the tables."""
        ...

    def read_snapshot(self, document: Any) -> SnapshotRows:
        """Check a snapshot document, down to its sealed values opening with this server's
        master key: `SnapshotRefused` naming the offending member otherwise."""
        ...
