"""The last accepted one-time code step of each partner user (`auth/sign_in.py`).

Accepting is one conditional UPDATE: of two sign-ins with the same code, on any node, only
one sees a step older than its own.
"""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.storage.tables import partner_users as pu


class SqlCodeSteps:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def accept(self, user_id: str, step: int) -> bool:
        """Records `step` as the user's last accepted one; False when it, or a later one,
        was accepted already."""
        statement = (
            update(pu)
            .where(
                pu.c.id == user_id, or_(pu.c.totp_last_step.is_(None), pu.c.totp_last_step < step)
            )
            .values(totp_last_step=step)
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(statement)).rowcount == 1
