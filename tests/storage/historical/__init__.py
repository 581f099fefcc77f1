"""Databases as earlier releases left them: the recorded schemas (`capture.py` wrote them
by running each release's own code) and rows of the kinds those releases stored."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import MetaData, create_engine, insert
from sqlalchemy.engine import make_url

from tenantry.domain.models import Address

HERE = Path(__file__).resolve().parent
STATES = sorted(p.name.removesuffix(".sqlite.sql") for p in HERE.glob("*.sqlite.sql"))
_REVISION = re.compile(r"alembic_version VALUES \('(\d+)'\)")


def statements(state: str, backend: str) -> list[str]:
    text = (HERE / f"{state}.{backend}.sql").read_text()
    found = []
    for chunk in text.split(";\n\n"):
        sql = "\n".join(line for line in chunk.splitlines() if not line.startswith("--"))
        if sql.strip():
            found.append(sql)
    return found


def recorded_revision(state: str) -> str:
    found = _REVISION.search((HERE / f"{state}.sqlite.sql").read_text())
    assert found is not None
    return found.group(1)


def load(state: str, backend: str, url: str) -> None:
    """Give the empty database at `url` (sqlite:///… or postgresql://…) the recorded schema."""
    if backend == "sqlite":
        with sqlite3.connect(str(make_url(url).database)) as conn:
            for sql in statements(state, backend):
                conn.execute(sql)
        return
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in statements(state, backend):
            conn.execute(sql.encode())


@dataclass(frozen=True)
class OldRows:
    provider_id: str
    reseller_id: str
    customer_id: str
    domain: str
    scope_hash: str
    body_hash: str


def insert_old_rows(url: str) -> OldRows:
    """Rows such as the release that made the database stored: only the columns it has."""
    sync_url = make_url(url)
    if sync_url.get_backend_name() == "postgresql":
        sync_url = sync_url.set(drivername="postgresql+psycopg")
    engine = create_engine(sync_url)
    found = MetaData()
    found.reflect(engine)
    sqlite = sync_url.get_backend_name() == "sqlite"
    moment = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)
    now = moment.replace(tzinfo=None) if sqlite else moment
    later = now + timedelta(days=1)
    old = OldRows(
        provider_id=str(uuid.uuid4()),
        reseller_id=str(uuid.uuid4()),
        customer_id=str(uuid.uuid4()),
        domain=f"old{uuid.uuid4().hex[:10]}.onmicrosoft.com",
        scope_hash="5" * 64,
        body_hash="b" * 64,
    )
    address = dataclasses.asdict(
        Address(
            country="US",
            address_line1="1 Microsoft Way",
            first_name="Old",
            last_name="Timer",
            city="Redmond",
            state="WA",
            postal_code="98052",
        )
    )
    rows: dict[str, list[dict[str, object]]] = {
        "partners": [
            {
                "tenant_id": old.provider_id,
                "name": "Old provider",
                "partner_type": "indirect_provider",
            },
            {
                "tenant_id": old.reseller_id,
                "name": "Old reseller",
                "partner_type": "indirect_reseller",
            },
        ],
        "customers": [
            {
                "id": old.customer_id,
                "commerce_id": str(uuid.uuid4()),
                "partner_id": old.provider_id,
                "associated_partner_id": old.reseller_id,
                "domain": old.domain,
                "domain_key": old.domain.lower(),
                "company_name": "Old Customer",
                "company_name_key": "old customer",
                "billing_id": str(uuid.uuid4()),
                "billing_first_name": "Old",
                "billing_last_name": "Timer",
                "email": "old@example.com",
                "culture": "en-US",
                "language": "en",
                "address": address,
                "etag": 1,
                "relationship_to_partner": "reseller",
                "allow_delegated_access": True,
                "enable_gdap_by_default": False,
            }
        ],
        "users": [
            {
                "id": str(uuid.uuid4()),
                "customer_id": old.customer_id,
                "user_name": "admin",
                "user_principal_name": f"admin@{old.domain}",
                "user_principal_name_key": f"admin@{old.domain}".lower(),
                "password_hash": "h",
                "must_change_password": True,
            }
        ],
        "relationships": [
            {
                "id": str(uuid.uuid4()),
                "customer_id": old.customer_id,
                "partner_id": old.provider_id,
                "relationship_type": "reseller",
            }
        ],
        "gdap_relationships": [
            {
                "id": str(uuid.uuid4()),
                "customer_id": old.customer_id,
                "partner_id": old.provider_id,
                "display_name": "Default",
                "roles": ["62e90394-69f5-4237-9190-012177145e10"],
                "duration_days": 730,
                "status": "active",
                "ends_at": later,
            }
        ],
        "idempotency_records": [
            {
                "scope_hash": old.scope_hash,
                "body_hash": old.body_hash,
                "status": 201,
                "headers": [],
                "body_sealed": b"sealed",
                "request_hash": old.body_hash,
                "expires_at": later,
            }
        ],
    }
    common = {"created_at": now, "country": "US"}
    with engine.begin() as conn:
        for name, table_rows in rows.items():
            table = found.tables[name]
            for row in table_rows:
                values = {**common, **row}
                conn.execute(
                    insert(table).values({k: v for k, v in values.items() if k in table.c})
                )
    engine.dispose()
    return old
