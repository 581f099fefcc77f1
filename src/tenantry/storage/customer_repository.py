"""Customers and everything created with them. Never commits: the unit of work does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, exists, func, insert, literal, select, tuple_, update
from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import custom_op

from tenantry.domain.listing import PageQuery, SearchField
from tenantry.domain.models import (
    Address,
    AdminUser,
    BillingProfile,
    Customer,
    GdapRelationship,
    NewCustomer,
    RelationshipToPartner,
)
from tenantry.storage import tables as t
from tenantry.storage.customer_rows import AddFailure, address_json, new_customer_rows
from tenantry.storage.customer_user_repository import customer_user, user_row
from tenantry.storage.order_repository import insert_order, order_rows
from tenantry.storage.prepared import Prepared
from tenantry.storage.subscription_repository import insert_subscriptions, subscription_rows
from tenantry.storage.write_batch import WriteBatch

_RESELLER = RelationshipToPartner.RESELLER.value  # as the column stores it
_NONE = RelationshipToPartner.NONE.value
_BY_ID = Prepared(select(t.customers).where(t.customers.c.id == bindparam("customer_id")))
_INSERT_CUSTOMER = Prepared(insert(t.customers))
_INSERT_USER = Prepared(insert(t.users))
_INSERT_RELATIONSHIP = Prepared(insert(t.relationships))
_INSERT_GDAP = Prepared(insert(t.gdap_relationships))
# Prefix searches on these fields are ranges on an index of (partner, key).
_KEYED = (SearchField.COMPANY_NAME, SearchField.DOMAIN)
# From this many matches on, SQLite pages a prefix search in creation order (see
# `_matches_many`); below it, sorting the matches is cheap.
_MANY_MATCHES = 2000


class SqlCustomerRepository:
    def __init__(self, conn: AsyncConnection, batch: WriteBatch | None = None) -> None:
        self._conn = conn
        self._batch = batch

    async def get(self, customer_id: str) -> Customer | None:
        row = await _BY_ID.first(self._conn, {"customer_id": customer_id})
        return None if row is None else _customer_from_row(row)

    async def domain_key_exists(self, domain_key: str) -> bool:
        query = select(exists().where(t.customers.c.domain_key == domain_key))
        return bool((await self._conn.execute(query)).scalar())

    async def add(self, new: NewCustomer, domain_key: str) -> None:
        """The customer's rows; in a unit of work's closing batch (`write_batch`) when one
        is collecting, else at once."""
        customer, relationship, gdap = new_customer_rows(new, domain_key)
        admin = user_row(new.admin)
        failed = AddFailure(new.customer.domain)
        if self._batch is not None and self._batch.collecting:
            rows = [
                (t.customers, [customer]),
                (t.users, [admin]),
                (t.relationships, [relationship]),
                (t.gdap_relationships, [] if gdap is None else [gdap]),
            ]
            if new.order is not None:
                head, lines = order_rows(new.order)
                rows += [(t.orders, [head]), (t.order_line_items, lines)]
            rows.append((t.subscriptions, subscription_rows(new.subscriptions)))
            self._batch.insert(rows, failed)
            return
        # Statements built once (module level) and given their values as parameters: a
        # statement built per call with `.values(...)` costs more CPU than the insert.
        try:
            await _INSERT_CUSTOMER.execute(self._conn, customer)
            await _INSERT_USER.execute(self._conn, admin)
        except IntegrityError as exc:
            raise failed.integrity(exc) from exc
        await _INSERT_RELATIONSHIP.execute(self._conn, relationship)
        if gdap is not None:
            await _INSERT_GDAP.execute(self._conn, gdap)
        if new.order is not None:
            await insert_order(self._conn, new.order)
        await insert_subscriptions(self._conn, new.subscriptions)

    async def count_owned(self, partner_id: str) -> int:
        if self._conn.dialect.name == "postgresql":
            # SQLite's write lock already serialises creates; PostgreSQL needs this one.
            await self._conn.execute(
                select(func.pg_advisory_xact_lock(func.hashtext(literal(partner_id))))
            )
        c = t.customers.c
        # Customers whose relationship was removed can be neither seen nor deleted by the
        # partner: they do not take its room under the sandbox cap.
        query = select(func.count()).where(
            c.partner_id == partner_id,
            c.relationship_to_partner == _RESELLER,
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def page(self, query: PageQuery) -> list[Customer]:
        """The customers the partner created and those created for it as a reseller: two
        keyset queries, each on its own index, merged (a customer is never in both)."""
        c = t.customers.c
        owned = await self._page_of(c.partner_id == query.partner_id, query, owned=True)
        associated = await self._page_of(c.associated_partner_id == query.partner_id, query)
        merged = sorted(owned + associated, key=lambda x: (x.created_at, x.id), reverse=True)
        return merged[: query.size]

    async def count(self, query: PageQuery) -> int:
        c = t.customers.c
        total = 0
        for whose in (c.partner_id, c.associated_partner_id):
            stmt = select(func.count()).where(
                whose == query.partner_id, c.relationship_to_partner == _RESELLER
            )
            if query.filter is not None and query.filter.prefix:
                stmt = stmt.where(_starts_with(query.filter.field, query.filter.prefix))
            if query.created_before is not None:
                stmt = stmt.where(c.created_at <= literal(query.created_before, t.UtcDateTime()))
            total += int((await self._conn.execute(stmt)).scalar_one())
        return total

    async def _page_of(
        self, whose: ColumnElement[bool], query: PageQuery, *, owned: bool = False
    ) -> list[Customer]:
        c = t.customers.c
        stmt = select(t.customers).where(whose, c.relationship_to_partner == _RESELLER)
        if query.filter is not None and query.filter.prefix:
            field, prefix = query.filter.field, query.filter.prefix
            indexed = True
            if owned and field in _KEYED and self._conn.dialect.name == "sqlite":
                indexed = not await self._matches_many(whose, _starts_with(field, prefix))
            stmt = stmt.where(_starts_with(field, prefix, indexed=indexed))
        if query.created_before is not None:
            stmt = stmt.where(c.created_at <= literal(query.created_before, t.UtcDateTime()))
        if query.after is not None:
            position = tuple_(
                literal(query.after.created_at, t.UtcDateTime()),
                literal(query.after.customer_id, t.GUID),
            )
            stmt = stmt.where(tuple_(c.created_at, c.id) < position)
        stmt = stmt.order_by(c.created_at.desc(), c.id.desc()).limit(query.size)
        rows = (await self._conn.execute(stmt)).all()
        return [_customer_from_row(row._mapping) for row in rows]

    async def _matches_many(
        self, whose: ColumnElement[bool], condition: ColumnElement[bool]
    ) -> bool:
        """Whether a prefix search matches many of the partner's customers.

        SQLite keeps no statistics here, so for a prefix it always walks the name (or
        domain) index and sorts every match by creation time: fine for a few hundred
        matches, seconds for half a million. Where matches are many, walking the
        creation-time index and skipping non-matches finds a page after a few rows
        instead. This count, capped, tells the two apart for about a millisecond."""
        c = t.customers.c
        capped = (
            select(literal(1))
            .where(whose, c.relationship_to_partner == _RESELLER, condition)
            .limit(_MANY_MATCHES)
            .subquery()
        )
        found = (await self._conn.execute(select(func.count()).select_from(capped))).scalar_one()
        return int(found) >= _MANY_MATCHES

    async def update_billing(
        self, customer_id: str, expected_etag: int, billing: BillingProfile
    ) -> bool:
        c = t.customers.c
        result = await self._conn.execute(
            update(t.customers)
            .where(
                c.id == customer_id,
                c.etag == expected_etag,
                c.relationship_to_partner == _RESELLER,
            )
            .values(
                billing_first_name=billing.first_name,
                billing_last_name=billing.last_name,
                email=billing.email,
                culture=billing.culture,
                language=billing.language,
                company_name=billing.company_name,
                company_name_key=billing.company_name.casefold(),
                address=address_json(billing.address),
                etag=billing.etag,
            )
        )
        return bool(result.rowcount)

    async def end_relationship(self, customer_id: str, partner_id: str) -> bool:
        c = t.customers.c
        result = await self._conn.execute(
            update(t.customers)
            .where(
                c.id == customer_id,
                c.partner_id == partner_id,
                c.relationship_to_partner == _RESELLER,
            )
            .values(relationship_to_partner=_NONE)
        )
        if not result.rowcount:
            return False
        await self._conn.execute(
            sql_delete(t.relationships).where(
                t.relationships.c.customer_id == customer_id,
                t.relationships.c.partner_id == partner_id,
            )
        )
        g = t.gdap_relationships.c
        await self._conn.execute(
            update(t.gdap_relationships)
            .where(g.customer_id == customer_id, g.partner_id == partner_id)
            .values(status="terminated")
        )
        return True

    async def delete(self, customer_id: str) -> bool:
        orders = select(t.orders.c.id).where(t.orders.c.customer_id == customer_id)
        await self._conn.execute(
            sql_delete(t.order_line_items).where(t.order_line_items.c.order_id.in_(orders))
        )
        for table in (
            t.users,
            t.relationships,
            t.gdap_relationships,
            t.subscriptions,
            t.orders,
            t.agreements,
        ):
            await self._conn.execute(sql_delete(table).where(table.c.customer_id == customer_id))
        result = await self._conn.execute(
            sql_delete(t.customers).where(t.customers.c.id == customer_id)
        )
        return bool(result.rowcount)

    async def users(self, customer_id: str) -> list[AdminUser]:
        u = t.users.c
        rows = (
            await self._conn.execute(
                select(t.users).where(u.customer_id == customer_id).order_by(u.created_at)
            )
        ).all()
        return [customer_user(r) for r in rows]

    async def gdap_relationships(self, customer_id: str) -> list[GdapRelationship]:
        g = t.gdap_relationships.c
        rows = (
            await self._conn.execute(
                select(t.gdap_relationships)
                .where(g.customer_id == customer_id)
                .order_by(g.created_at)
            )
        ).all()
        return [
            GdapRelationship(
                id=r.id,
                customer_id=r.customer_id,
                partner_id=r.partner_id,
                display_name=r.display_name,
                roles=tuple(r.roles),
                duration_days=r.duration_days,
                status=r.status,
                created_at=r.created_at,
                ends_at=r.ends_at,
            )
            for r in rows
        ]


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
        relationship_to_partner=RelationshipToPartner(m["relationship_to_partner"]),
        allow_delegated_access=m["allow_delegated_access"],
        enable_gdap_by_default=m["enable_gdap_by_default"],
        associated_partner_id=m["associated_partner_id"],
        created_at=m["created_at"],
    )


def _next_prefix(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix`."""
    while prefix:
        code = ord(prefix[-1]) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be stored: skip past them
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:-1] + chr(code)
        prefix = prefix[:-1]
    return None


def _starts_with(field: SearchField, prefix: str, *, indexed: bool = True) -> ColumnElement[bool]:
    c = t.customers.c
    if field in _KEYED:
        # A B-tree range: collation "C" on PostgreSQL makes it byte order (tables.py).
        column: ColumnElement[str] = (
            c.company_name_key if field is SearchField.COMPANY_NAME else c.domain_key
        )
        if not indexed:  # SQLite's unary "+": the same value, but no index is used for it
            column = UnaryExpression(column, operator=custom_op("+"), type_=column.type)
        upper = _next_prefix(prefix)
        condition = column >= prefix
        return condition if upper is None else condition & (column < upper)
    column = c.associated_partner_id if field is SearchField.INDIRECT_RESELLER else c.partner_id
    return column.startswith(prefix, autoescape=True)
