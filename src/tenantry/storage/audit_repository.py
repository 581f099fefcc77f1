"""The audit trail's table: written inside the caller's transaction, read newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.audit import AuditEvent, AuditQuery
from tenantry.storage import tables as t
from tenantry.storage.prepared import Prepared
from tenantry.storage.write_batch import WriteBatch

# Built once, its values bound per call: `insert(...).values(...)` per event cost more CPU
# (the statement and its cache key over every value) than the insert itself.
_INSERT = Prepared(insert(t.audit_events))


class SqlAuditLog:
    def __init__(self, conn: AsyncConnection, batch: WriteBatch | None = None) -> None:
        self._conn = conn
        self._batch = batch

    async def record(self, event: AuditEvent) -> None:
        """In a unit of work's closing batch (`write_batch`) when one is collecting, else
        at once."""
        row = {
            "id": event.id,
            "occurred_at": event.occurred_at,
            "action": event.action,
            "actor_type": event.actor_type,
            "actor_id": event.actor_id,
            "partner_id": event.partner_id,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "request_id": event.request_id,
            "correlation_id": event.correlation_id,
            "details": dict(event.details),
        }
        if self._batch is not None and self._batch.collecting:
            self._batch.insert([(t.audit_events, [row])], _no_translation)
            return
        await _INSERT.execute(self._conn, row)

    async def page(self, query: AuditQuery) -> list[AuditEvent]:
        c = t.audit_events.c
        statement = select(t.audit_events)
        if query.partner_id is not None:
            statement = statement.where(c.partner_id == query.partner_id)
        if query.action is not None:
            statement = statement.where(c.action == query.action)
        if query.since is not None:
            statement = statement.where(c.occurred_at >= query.since)
        if query.after is not None:
            moment, last = query.after.occurred_at, query.after.event_id
            statement = statement.where(
                or_(c.occurred_at < moment, and_(c.occurred_at == moment, c.id < last))
            )
        statement = statement.order_by(c.occurred_at.desc(), c.id.desc()).limit(query.limit)
        rows = (await self._conn.execute(statement)).all()
        return [_event(row) for row in rows]


def _no_translation(exc: DBAPIError) -> None:
    """An audit row has no conflict of its own to report."""
    return None


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        occurred_at=row.occurred_at,
        action=row.action,
        actor_type=row.actor_type,
        actor_id=row.actor_id,
        partner_id=row.partner_id,
        target_type=row.target_type,
        target_id=row.target_id,
        request_id=row.request_id,
        correlation_id=row.correlation_id,
        details=dict(row.details or {}),
    )
