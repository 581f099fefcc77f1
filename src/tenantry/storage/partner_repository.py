"""Partners, their app registrations, their users and their partnerships."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.models import (
    AppRegistration,
    Partner,
    Partnership,
    PartnershipState,
    PartnerType,
    PartnerUser,
)
from tenantry.storage import tables as t


class SqlPartnerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, tenant_id: str) -> Partner | None:
        row = (
            await self._conn.execute(select(t.partners).where(t.partners.c.tenant_id == tenant_id))
        ).first()
        if row is None:
            return None
        return _partner_from_row(row)

    async def get_app(self, client_id: str) -> AppRegistration | None:
        row = (
            await self._conn.execute(select(t.apps).where(t.apps.c.client_id == client_id))
        ).first()
        if row is None:
            return None
        return AppRegistration(
            client_id=row.client_id,
            partner_id=row.partner_id,
            display_name=row.display_name,
            secret_hash=row.secret_hash,
            redirect_uris=tuple(row.redirect_uris or ()),
            previous_secret_hash=row.previous_secret_hash,
            previous_secret_expires_at=row.previous_secret_expires_at,
        )

    async def replace_secret(
        self, client_id: str, secret_hash: str, previous_expires_at: datetime
    ) -> None:
        a = t.apps.c
        await self._conn.execute(
            update(t.apps)
            .where(a.client_id == client_id)
            .values(
                previous_secret_hash=a.secret_hash,
                previous_secret_expires_at=previous_expires_at,
                secret_hash=secret_hash,
            )
        )

    async def add(self, partner: Partner, created_at: datetime) -> None:
        await self._conn.execute(
            insert(t.partners).values(
                tenant_id=partner.tenant_id,
                name=partner.name,
                partner_type=partner.partner_type.value,
                country=partner.country,
                created_at=created_at,
            )
        )

    async def add_app(self, app: AppRegistration, created_at: datetime) -> None:
        await self._conn.execute(
            insert(t.apps).values(
                client_id=app.client_id,
                partner_id=app.partner_id,
                display_name=app.display_name,
                secret_hash=app.secret_hash,
                redirect_uris=list(app.redirect_uris),
                created_at=created_at,
            )
        )

    async def get_user(self, user_principal_name: str) -> PartnerUser | None:
        u = t.partner_users.c
        return await self._user(u.user_principal_name_key == user_principal_name.lower())

    async def get_user_by_id(self, user_id: str) -> PartnerUser | None:
        return await self._user(t.partner_users.c.id == user_id)

    async def _user(self, condition: ColumnElement[bool]) -> PartnerUser | None:
        row = (await self._conn.execute(select(t.partner_users).where(condition))).first()
        if row is None:
            return None
        return PartnerUser(
            id=row.id,
            partner_id=row.partner_id,
            user_principal_name=row.user_principal_name,
            display_name=row.display_name,
            password_hash=row.password_hash,
            roles=tuple(row.roles),
            mfa=row.mfa,
            totp_secret_sealed=row.totp_secret_sealed,
        )

    async def add_user(self, user: PartnerUser, created_at: datetime) -> None:
        await self._conn.execute(
            insert(t.partner_users).values(
                id=user.id,
                partner_id=user.partner_id,
                user_principal_name=user.user_principal_name,
                user_principal_name_key=user.user_principal_name.lower(),
                display_name=user.display_name,
                password_hash=user.password_hash,
                roles=list(user.roles),
                mfa=user.mfa,
                totp_secret_sealed=user.totp_secret_sealed,
                created_at=created_at,
            )
        )

    async def replace_credentials(
        self, user_id: str, password_hash: str, mfa: str, totp_secret_sealed: bytes | None
    ) -> None:
        await self._conn.execute(
            update(t.partner_users)
            .where(t.partner_users.c.id == user_id)
            # A new secret has codes of its own: none of them was used yet.
            .values(
                password_hash=password_hash,
                mfa=mfa,
                totp_secret_sealed=totp_secret_sealed,
                totp_last_step=None,
            )
        )

    async def add_partnership(self, partnership: Partnership, created_at: datetime) -> None:
        await self._conn.execute(
            insert(t.partnerships).values(
                provider_id=partnership.provider_id,
                reseller_id=partnership.reseller_id,
                state=partnership.state.value,
                created_at=created_at,
            )
        )

    async def get_partnership(self, provider_id: str, reseller_id: str) -> Partnership | None:
        p = t.partnerships.c
        row = (
            await self._conn.execute(
                select(t.partnerships).where(
                    p.provider_id == provider_id, p.reseller_id == reseller_id
                )
            )
        ).first()
        if row is None:
            return None
        return Partnership(
            provider_id=row.provider_id,
            reseller_id=row.reseller_id,
            state=PartnershipState(row.state),
        )

    async def partnerships_of(
        self, partner_id: str, *, as_provider: bool
    ) -> list[tuple[Partner, Partnership]]:
        """The partner's partnerships with the partners on the other side of each."""
        p, q = t.partnerships.c, t.partners.c
        mine, theirs = (
            (p.provider_id, p.reseller_id) if as_provider else (p.reseller_id, p.provider_id)
        )
        rows = (
            await self._conn.execute(
                select(t.partnerships, t.partners)
                .join(t.partners, q.tenant_id == theirs)
                .where(mine == partner_id)
                .order_by(q.name, q.tenant_id)
            )
        ).all()
        return [
            (
                _partner_from_row(row),
                Partnership(row.provider_id, row.reseller_id, PartnershipState(row.state)),
            )
            for row in rows
        ]

    async def all(self) -> list[Partner]:
        rows = (await self._conn.execute(select(t.partners).order_by(t.partners.c.name))).all()
        return [_partner_from_row(row) for row in rows]


def _partner_from_row(row: Any) -> Partner:
    return Partner(
        tenant_id=row.tenant_id,
        name=row.name,
        partner_type=PartnerType(row.partner_type),
        country=row.country,
    )
