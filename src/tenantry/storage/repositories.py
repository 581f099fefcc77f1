"""Repositories over one open connection. They never commit: the unit of work does."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.models import (
    Address,
    AppRegistration,
    BillingProfile,
    Customer,
    NewCustomer,
    Partner,
    PartnerType,
)
from tenantry.domain.ports import DomainAlreadyTaken, IdempotencyKeyTaken
from tenantry.security.sealing import Sealer
from tenantry.storage import tables as t


class SqlCustomerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, customer_id: str) -> Customer | None:
        row = (
            await self._conn.execute(select(t.customers).where(t.customers.c.id == customer_id))
        ).first()
        return None if row is None else _customer_from_row(row._mapping)

    async def domain_key_exists(self, domain_key: str) -> bool:
        query = select(exists().where(t.customers.c.domain_key == domain_key))
        return bool((await self._conn.execute(query)).scalar())

    async def add(self, new: NewCustomer, domain_key: str) -> None:
        c = new.customer
        try:
            await self._conn.execute(
                insert(t.customers).values(
                    id=c.id,
                    commerce_id=c.commerce_id,
                    partner_id=c.partner_id,
                    associated_partner_id=c.associated_partner_id,
                    domain=c.domain,
                    domain_key=domain_key,
                    company_name=c.company_name,
                    company_name_key=c.company_name.casefold(),
                    organization_registration_number=c.organization_registration_number,
                    billing_id=c.billing.id,
                    billing_first_name=c.billing.first_name,
                    billing_last_name=c.billing.last_name,
                    email=c.billing.email,
                    culture=c.billing.culture,
                    language=c.billing.language,
                    address=asdict(c.billing.address),
                    etag=c.billing.etag,
                    relationship_to_partner=c.relationship_to_partner,
                    allow_delegated_access=c.allow_delegated_access,
                    enable_gdap_by_default=c.enable_gdap_by_default,
                    created_at=c.created_at,
                )
            )
        except IntegrityError as exc:
            raise DomainAlreadyTaken(c.domain) from exc
        a = new.admin
        await self._conn.execute(
            insert(t.users).values(
                id=a.id,
                customer_id=a.customer_id,
                user_name=a.user_name,
                user_principal_name=a.user_principal_name,
                user_principal_name_key=a.user_principal_name.lower(),
                password_hash=a.password_hash,
                must_change_password=a.must_change_password,
                created_at=a.created_at,
            )
        )
        r = new.relationship
        await self._conn.execute(
            insert(t.relationships).values(
                id=r.id,
                customer_id=r.customer_id,
                partner_id=r.partner_id,
                relationship_type="reseller",
                created_at=r.created_at,
            )
        )
        if (g := new.gdap) is not None:
            await self._conn.execute(
                insert(t.gdap_relationships).values(
                    id=g.id,
                    customer_id=g.customer_id,
                    partner_id=g.partner_id,
                    display_name=g.display_name,
                    roles=list(g.roles),
                    duration_days=g.duration_days,
                    status=g.status,
                    created_at=g.created_at,
                    ends_at=g.ends_at,
                )
            )


def _customer_from_row(m: Any) -> Customer:
    return Customer(
        id=m["id"],
        commerce_id=m["commerce_id"],
        partner_id=m["partner_id"],
        domain=m["domain"],
        company_name=m["company_name"],
        organization_registration_number=m["organization_registration_number"],
        billing=BillingProfile(
            id=m["billing_id"],
            email=m["email"],
            culture=m["culture"],
            language=m["language"],
            company_name=m["company_name"],
            address=Address(**m["address"]),
            etag=m["etag"],
            first_name=m["billing_first_name"],
            last_name=m["billing_last_name"],
        ),
        relationship_to_partner=m["relationship_to_partner"],
        allow_delegated_access=m["allow_delegated_access"],
        enable_gdap_by_default=m["enable_gdap_by_default"],
        associated_partner_id=m["associated_partner_id"],
        created_at=m["created_at"],
    )


class SqlIdempotencyRepository:
    """Stored responses are sealed (AES-GCM) and bound to their key."""

    def __init__(self, conn: AsyncConnection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    async def get(self, key: IdempotencyKey, now: datetime) -> StoredResponse | None:
        r = t.idempotency_records.c
        query = select(r.status, r.headers, r.body_sealed).where(
            r.scope_hash == key.scope_hash, r.body_hash == key.body_hash, r.expires_at > now
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        body = self._sealer.open(row.body_sealed, _context(key))
        return StoredResponse(row.status, tuple((k, v) for k, v in row.headers), body)

    async def body_differs(self, key: IdempotencyKey, now: datetime) -> bool:
        r = t.idempotency_records.c
        query = select(
            exists().where(
                r.scope_hash == key.scope_hash, r.body_hash != key.body_hash, r.expires_at > now
            )
        )
        return bool((await self._conn.execute(query)).scalar())

    async def insert(
        self, key: IdempotencyKey, response: StoredResponse, now: datetime, expires_at: datetime
    ) -> None:
        r = t.idempotency_records.c
        # An expired record with the same key must not block a new request.
        await self._conn.execute(
            delete(t.idempotency_records).where(
                and_(
                    r.scope_hash == key.scope_hash,
                    r.body_hash == key.body_hash,
                    r.expires_at <= now,
                )
            )
        )
        try:
            await self._conn.execute(
                insert(t.idempotency_records).values(
                    scope_hash=key.scope_hash,
                    body_hash=key.body_hash,
                    status=response.status,
                    headers=[list(h) for h in response.headers],
                    body_sealed=self._sealer.seal(response.body, _context(key)),
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        except IntegrityError as exc:
            raise IdempotencyKeyTaken(key.scope_hash) from exc

    async def purge(self, now: datetime) -> int:
        result = await self._conn.execute(
            delete(t.idempotency_records).where(t.idempotency_records.c.expires_at <= now)
        )
        return int(result.rowcount or 0)


def _context(key: IdempotencyKey) -> bytes:
    return f"{key.scope_hash}:{key.body_hash}".encode()


class SqlPartnerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, tenant_id: str) -> Partner | None:
        row = (
            await self._conn.execute(select(t.partners).where(t.partners.c.tenant_id == tenant_id))
        ).first()
        if row is None:
            return None
        return Partner(
            tenant_id=row.tenant_id,
            name=row.name,
            partner_type=PartnerType(row.partner_type),
            country=row.country,
        )

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
                created_at=created_at,
            )
        )
