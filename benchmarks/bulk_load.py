"""Load many customers straight into a database, for the list and search benchmarks.

Rows go in the way Tenantry itself stores them (the column formats of
`tenantry.storage.tables`), newest last, all owned by one partner; half the company names
start with "Contoso", half with "Fabrikam" (alternating), so a search for "Fabrikam" matches
half of them. SQLite gets one `executemany` transaction, PostgreSQL `COPY`; PostgreSQL is
analysed afterwards (its autovacuum would do that within a minute), SQLite is not
(Tenantry does not run ANALYZE, so its plans are what a user gets).

The baseline app's `orders` table gets the same number of rows.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

COLUMNS = (
    "id",
    "commerce_id",
    "partner_id",
    "associated_partner_id",
    "domain",
    "domain_key",
    "company_name",
    "company_name_key",
    "organization_registration_number",
    "billing_id",
    "billing_first_name",
    "billing_last_name",
    "email",
    "culture",
    "language",
    "address",
    "etag",
    "relationship_to_partner",
    "allow_delegated_access",
    "enable_gdap_by_default",
    "created_at",
)
ADDRESS = {
    "country": "US",
    "address_line1": "One Microsoft Way",
    "first_name": "Gena",
    "last_name": "Soto",
    "city": "Redmond",
    "state": "WA",
    "postal_code": "98052",
    "region": None,
    "address_line2": None,
    "middle_name": None,
    "phone_number": "",
}
ORDER = {
    "domain": "",
    "email": "gena@wingtiptoys.com",
    "companyName": "Wingtip Toys",
    "culture": "en-US",
    "language": "en",
    "address": {
        "country": "US",
        "city": "Redmond",
        "state": "WA",
        "addressLine1": "One Microsoft Way",
        "postalCode": "98052",
        "firstName": "Gena",
        "lastName": "Soto",
    },
}
START = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 50_000


def search_prefix() -> str:
    return "Fabrikam"


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def customer_rows(partner_id: str, n: int, *, sqlite_times: bool) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(20261121)  # noqa: S311 - repeatable test data, not secrets
    address = json.dumps(ADDRESS)
    for i in range(n):
        company = f"{'Contoso' if i % 2 == 0 else 'Fabrikam'} {i:07d}"
        domain = f"bulk{i:07d}.onmicrosoft.com"
        created = START + timedelta(milliseconds=i)
        yield (
            _guid(rng),
            _guid(rng),
            partner_id,
            None,
            domain,
            domain,
            company,
            company.casefold(),
            None,
            _guid(rng),
            "Gena",
            "Soto",
            "gena@wingtiptoys.com",
            "en-US",
            "en",
            address,
            rng.getrandbits(64) - 2**63,
            "reseller",
            False,
            False,
            created.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
            if sqlite_times
            else created,
        )


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load_tenantry_sqlite(path: str, partner_id: str, n: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    marks = ", ".join("?" for _ in COLUMNS)
    statement = f"INSERT INTO customers ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608
    conn.execute("BEGIN IMMEDIATE")
    for chunk in _chunks(customer_rows(partner_id, n, sqlite_times=True)):
        conn.executemany(statement, chunk)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def load_tenantry_postgres(url: str, partner_id: str, n: int) -> None:
    async def go() -> None:
        conn = await asyncpg.connect(url)
        try:
            for chunk in _chunks(customer_rows(partner_id, n, sqlite_times=False)):
                await conn.copy_records_to_table("customers", records=chunk, columns=COLUMNS)
            await conn.execute("ANALYZE customers")
        finally:
            await conn.close()

    asyncio.run(go())


def _order_rows(n: int, *, sqlite_times: bool) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        created = START + timedelta(milliseconds=i)
        body = json.dumps({**ORDER, "domain": f"bulk{i:07d}.onmicrosoft.com"})
        yield (created.isoformat() if sqlite_times else created, ORDER["email"], body)


def load_baseline_sqlite(path: str, n: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN IMMEDIATE")
    for chunk in _chunks(_order_rows(n, sqlite_times=True)):
        conn.executemany("INSERT INTO orders (created_at, email, body) VALUES (?, ?, ?)", chunk)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def load_baseline_postgres(url: str, n: int) -> None:
    async def go() -> None:
        conn = await asyncpg.connect(url)
        try:
            for chunk in _chunks(_order_rows(n, sqlite_times=False)):
                await conn.copy_records_to_table(
                    "orders", records=chunk, columns=("created_at", "email", "body")
                )
            await conn.execute("ANALYZE orders")
        finally:
            await conn.close()

    asyncio.run(go())
