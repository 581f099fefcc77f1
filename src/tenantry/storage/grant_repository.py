"""Authorization codes and refresh tokens in the database, shared by every node.

Redeeming is one conditional UPDATE: of two concurrent redemptions of one code (or uses of
one refresh token) exactly one sees it unused, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tenantry.auth.ports import SignIn, StoredCode, StoredRefresh
from tenantry.storage import tables as t


def _sign_in(row: Any) -> SignIn:
    return SignIn(
        client_id=row.client_id,
        partner_id=row.partner_id,
        user_id=row.user_id,
        audience=row.audience,
        scope=row.scope,
        mfa=bool(row.mfa),
        nonce=getattr(row, "nonce", None),
    )


def _sign_in_values(sign_in: SignIn) -> dict[str, Any]:
    return {
        "client_id": sign_in.client_id,
        "partner_id": sign_in.partner_id,
        "user_id": sign_in.user_id,
        "audience": sign_in.audience,
        "scope": sign_in.scope,
        "mfa": sign_in.mfa,
    }


class SqlGrantStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_code(
        self,
        code_hash: str,
        family_id: str,
        sign_in: SignIn,
        redirect_uri: str,
        code_challenge: str,
        expires_at: datetime,
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(t.authorization_codes).values(
                    code_hash=code_hash,
                    family_id=family_id,
                    redirect_uri=redirect_uri,
                    code_challenge=code_challenge,
                    nonce=sign_in.nonce,
                    expires_at=expires_at,
                    **_sign_in_values(sign_in),
                )
            )

    async def redeem_code(self, code_hash: str, now: datetime) -> StoredCode | None:
        c = t.authorization_codes.c
        async with self._engine.begin() as conn:
            marked = (
                await conn.execute(
                    update(t.authorization_codes)
                    .where(c.code_hash == code_hash, c.redeemed_at.is_(None))
                    .values(redeemed_at=now)
                )
            ).rowcount
            row = (
                await conn.execute(select(t.authorization_codes).where(c.code_hash == code_hash))
            ).first()
        if row is None:
            return None
        return StoredCode(
            sign_in=_sign_in(row),
            family_id=row.family_id,
            redirect_uri=row.redirect_uri,
            code_challenge=row.code_challenge,
            expires_at=row.expires_at,
            redeemed_before=marked == 0,
        )

    async def add_refresh(
        self,
        token_hash: str,
        family_id: str,
        sign_in: SignIn,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(t.refresh_tokens).values(
                    token_hash=token_hash,
                    family_id=family_id,
                    created_at=created_at,
                    expires_at=expires_at,
                    **_sign_in_values(sign_in),
                )
            )

    async def use_refresh(self, token_hash: str, now: datetime) -> StoredRefresh | None:
        r = t.refresh_tokens.c
        async with self._engine.begin() as conn:
            marked = (
                await conn.execute(
                    update(t.refresh_tokens)
                    .where(r.token_hash == token_hash, r.used_at.is_(None))
                    .values(used_at=now)
                )
            ).rowcount
            row = (
                await conn.execute(select(t.refresh_tokens).where(r.token_hash == token_hash))
            ).first()
        if row is None:
            return None
        return StoredRefresh(
            sign_in=_sign_in(row),
            family_id=row.family_id,
            expires_at=row.expires_at,
            used_before=marked == 0,
        )

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        await self._revoke(t.refresh_tokens.c.family_id == family_id, now)

    async def revoke_user(self, user_id: str, now: datetime) -> None:
        """End every sign-in of a user: none of their refresh tokens works any more."""
        await self._revoke(t.refresh_tokens.c.user_id == user_id, now)

    async def _revoke(self, which: ColumnElement[bool], now: datetime) -> None:
        """Mark the unused refresh tokens `which` selects as used: they are refused."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(t.refresh_tokens)
                .where(which, t.refresh_tokens.c.used_at.is_(None))
                .values(used_at=now)
            )

    async def purge(self, before: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(t.authorization_codes).where(t.authorization_codes.c.expires_at < before)
            )
            await conn.execute(
                delete(t.refresh_tokens).where(t.refresh_tokens.c.expires_at < before)
            )
