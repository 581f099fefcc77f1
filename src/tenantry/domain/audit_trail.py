"""Reading the audit trail: the one query behind `GET /_tenantry/audit` and `tenantry audit`."""

from __future__ import annotations

from tenantry.domain.audit import AuditEvent, AuditQuery
from tenantry.domain.ports import UnitOfWorkFactory


class AuditTrail:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def page(self, query: AuditQuery) -> list[AuditEvent]:
        """Events newest first, as the query filters them, after its cursor."""
        async with self._uow() as work:
            return await work.audit.page(query)
