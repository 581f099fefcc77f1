"""The whole database as one JSON document, and back: the sandbox's export and import.

Document: `{"format": "tenantry-sandbox-state", "version": 1, "exportedAt": ...,
"tables": {name: [row, ...]}}`, every table of `tables.metadata` in foreign-key order, rows
in primary-key order. Values are JSON as they are, except timestamps (ISO 8601 with their
UTC offset) and bytes (base64). Sealed values (signing keys, stored answers) stay sealed:
a snapshot opens only under the master key that sealed it, which `load` checks first.

Signing keys are the server's, not the sandbox's state: `clear_all` keeps them and `load`
adds the snapshot's keys to those in place, so every token already issued keeps verifying.
The audit trail is the server's too, and is left out of the document altogether.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DefaultClause,
    Integer,
    LargeBinary,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry.auth import second_factor
from tenantry.domain.commerce import AgreementType
from tenantry.domain.gdap import ROLE_TEMPLATE_IDS
from tenantry.domain.idempotency import IdempotencyKey
from tenantry.domain.models import Address, PartnershipState, PartnerType
from tenantry.domain.subscriptions import STATUSES as SUBSCRIPTION_STATUSES
from tenantry.sandbox.ports import SnapshotRefused, SnapshotRows
from tenantry.security.sealing import Sealer, SealError
from tenantry.storage import tables as t
from tenantry.storage.db import is_lock_timeout
from tenantry.storage.idempotency_repository import SqlIdempotencyRepository

FORMAT = "tenantry-sandbox-state"
VERSION = 1
_KEPT = frozenset({t.signing_keys.name})
# The audit trail is the server's history, not the sandbox's state: never exported, never
# cleared by a reset or an import, and a document's rows for it are ignored.
_HISTORY = frozenset({t.audit_events.name})
_BATCH = 500
_INT32 = 2**31
_INT64 = 2**63

# Columns the domain reads back as enumerations: anything else there would break reads.
_CHOICES: dict[tuple[str, str], frozenset[str]] = {
    (t.partners.name, "partner_type"): frozenset(PartnerType),
    (t.partnerships.name, "state"): frozenset(PartnershipState),
    (t.partner_users.name, "mfa"): frozenset(second_factor.METHODS),
    (t.subscriptions.name, "status"): frozenset(SUBSCRIPTION_STATUSES),
    (t.agreements.name, "agreement_type"): frozenset(AgreementType),
}

Rows = SnapshotRows


class SnapshotError(SnapshotRefused):
    """The document cannot be imported; the message says exactly why."""


# --- export ----------------------------------------------------------------------------


def _dump_value(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, t.UtcDateTime):
        return value.isoformat()
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(value).decode()
    return value


async def dump(conn: AsyncConnection, now: datetime) -> dict[str, Any]:
    """Every row of every table. Run it in one transaction for a consistent picture."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": now.astimezone(UTC).isoformat(),
    }
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in t.metadata.sorted_tables:
        if table.name in _HISTORY:
            continue
        result = await conn.execute(select(table).order_by(*table.primary_key.columns))
        # Names are sqlalchemy's `quoted_name` (a str subclass): plain str for JSON encoders.
        tables[str(table.name)] = [
            {str(c.name): _dump_value(c, row[c.name]) for c in table.columns}
            for row in result.mappings()
        ]
    document["tables"] = tables
    return document


# --- import: reading the document --------------------------------------------------------


_ADDRESS_FIELDS = frozenset(f.name for f in dataclasses.fields(Address))
_ADDRESS_REQUIRED = ("country", "address_line1", "first_name", "last_name")


def _json_cell(column: Column[Any], value: Any, where: str) -> Any:
    """JSON columns hold shapes the application reads back: check them like other cells."""
    name = f"{column.table.name}.{column.name}"
    if name == "customers.address":
        ok = (
            isinstance(value, dict)
            and set(value) <= _ADDRESS_FIELDS
            and all(v is None or isinstance(v, str) for v in value.values())
            and all(isinstance(value.get(k), str) for k in _ADDRESS_REQUIRED)
        )
        if not ok:
            raise SnapshotError(
                f"{where} must be an address ({', '.join(sorted(_ADDRESS_FIELDS))})"
            )
    elif name in ("gdap_relationships.roles", "partner_users.roles"):
        known = ROLE_TEMPLATE_IDS if name.startswith("gdap") else None
        ok = isinstance(value, list) and all(
            isinstance(r, str) and (known is None or r in known) for r in value
        )
        if not ok:
            raise SnapshotError(f"{where} must be a list of role names")
    elif name == "apps.redirect_uris":
        if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
            raise SnapshotError(f"{where} must be a list of URIs")
    elif name == "idempotency_records.headers":
        ok = isinstance(value, list) and all(
            isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h)
            for h in value
        )
        if not ok:
            raise SnapshotError(f"{where} must be a list of [name, value] pairs")
    return value


def _load_value(column: Column[Any], value: Any, where: str) -> Any:
    """The Python value for one cell, or a SnapshotError naming the cell."""
    kind = column.type
    if value is None and isinstance(column.server_default, DefaultClause):
        # A column added later: snapshots made before it import with its default.
        default = str(column.server_default.arg)
        return json.loads(default) if isinstance(kind, JSON) else default
    if value is None:
        if not column.nullable:
            raise SnapshotError(f"{where} must not be null")
        return None
    if isinstance(kind, t.UtcDateTime):
        if not isinstance(value, str):
            raise SnapshotError(f"{where} must be an ISO 8601 timestamp string")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise SnapshotError(f"{where} is not an ISO 8601 timestamp: {value[:40]!r}") from None
        if parsed.tzinfo is None:
            raise SnapshotError(f"{where} has no UTC offset: {value[:40]!r}")
        return parsed
    if isinstance(kind, LargeBinary):
        if not isinstance(value, str):
            raise SnapshotError(f"{where} must be a base64 string")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise SnapshotError(f"{where} is not valid base64") from None
    if isinstance(kind, JSON):
        return _json_cell(column, value, where)
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise SnapshotError(f"{where} must be true or false")
        return value
    if isinstance(kind, Integer):  # BigInteger included
        bound = _INT64 if isinstance(kind, BigInteger) else _INT32
        if isinstance(value, bool) or not isinstance(value, int) or not -bound <= value < bound:
            raise SnapshotError(f"{where} must be an integer from {-bound} to {bound - 1}")
        return value
    if isinstance(kind, String):  # Text included
        if not isinstance(value, str):
            raise SnapshotError(f"{where} must be a string")
        if kind.length is not None and len(value) > kind.length:
            raise SnapshotError(f"{where} is longer than {kind.length} characters")
        if "\x00" in value:
            raise SnapshotError(f"{where} contains a NUL character")
        choices = _CHOICES.get((column.table.name, column.name))
        if choices is not None and value not in choices:
            raise SnapshotError(f"{where} must be one of {', '.join(sorted(choices))}")
        return value
    raise SnapshotError(f"{where}: column type {kind} is not supported")  # pragma: no cover


def _load_row(table: Table, index: int, row: Any) -> dict[str, Any]:
    where = f"tables.{table.name}[{index}]"
    if not isinstance(row, dict):
        raise SnapshotError(f"{where} must be an object")
    unknown = sorted(set(row) - set(table.columns.keys()))
    if unknown:
        raise SnapshotError(f"{where} has unknown column '{unknown[0]}'")
    return {c.name: _load_value(c, row.get(c.name), f"{where}.{c.name}") for c in table.columns}


def read_document(document: Any) -> Rows:
    """Check a snapshot document and turn it into rows ready to insert, table by table.

    Every problem is a `SnapshotError` whose message names the offending member. A table
    left out of `tables` is imported as empty."""
    if not isinstance(document, dict):
        raise SnapshotError("the snapshot must be a JSON object")
    if document.get("format") != FORMAT:
        raise SnapshotError(f'"format" must be "{FORMAT}"')
    version = document.get("version")
    if version != VERSION or isinstance(version, bool):
        raise SnapshotError(f'"version" {version!r} is not supported (this server reads 1)')
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise SnapshotError('"tables" must be an object of table name -> rows')
    known = t.metadata.tables
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise SnapshotError(f"tables.{unknown[0]} is not a Tenantry table")
    rows: Rows = {}
    for table in t.metadata.sorted_tables:
        given = tables.get(table.name, [])
        if not isinstance(given, list):
            raise SnapshotError(f"tables.{table.name} must be a list of rows")
        rows[table.name] = [_load_row(table, i, row) for i, row in enumerate(given)]
    return rows


def check_sealed(rows: Rows, signing: Sealer) -> None:
    """Refuse a snapshot sealed under another master key: every signing key must open.

    Signing keys are sealed with their key id as context (`auth/signing_keys.py`)."""
    for index, row in enumerate(rows.get(t.signing_keys.name, [])):
        try:
            signing.open(row["private_key_sealed"], row["kid"].encode())
        except SealError:
            raise SnapshotError(
                f"tables.signing_keys[{index}] (kid {row['kid']}) does not open with this "
                "server's master key: the snapshot was exported by a server with another "
                "master key. Import it into a server started with the same "
                "TENANTRY_MASTER_KEY (or the same data directory's master.key)."
            ) from None


async def _check_stored_answers(conn: AsyncConnection, responses: Sealer, now: datetime) -> None:
    """Every live stored answer must open too (read back through its own repository)."""
    repository = SqlIdempotencyRepository(conn, responses)
    records = (
        await conn.execute(
            select(t.idempotency_records.c.scope_hash, t.idempotency_records.c.body_hash)
        )
    ).all()
    for scope_hash, body_hash in records:
        try:
            await repository.get(IdempotencyKey(scope_hash, body_hash), now)
        except SealError:
            raise SnapshotError(
                f"the stored answer {scope_hash[:12]}… does not open with this server's master "
                "key: the snapshot was exported by a server with another master key."
            ) from None


# --- import: writing ----------------------------------------------------------------------


def _cleared_tables() -> list[str]:
    """Every table but the signing keys and the audit trail, children first."""
    return [
        table.name
        for table in reversed(t.metadata.sorted_tables)
        if table.name not in _KEPT | _HISTORY
    ]


_CLEARED = _cleared_tables()
_DELETES = tuple(f"DELETE FROM {name}" for name in _CLEARED)  # noqa: S608 - our own names
# PostgreSQL: the lock and every DELETE in one statement, so one round trip (a DO block is
# one statement for the extended protocol, which asyncpg always uses). DELETE rather than
# TRUNCATE: TRUNCATE is not MVCC-safe (an export's snapshot would see the tables empty) and
# costs new files per table and index, more than deleting a test's few rows.
_PG_CLEAR = (
    "DO $$ BEGIN "
    f"LOCK TABLE {', '.join(_CLEARED)} IN ACCESS EXCLUSIVE MODE; "
    + " ".join(f"{statement};" for statement in _DELETES)
    + " END $$"
)


def _delete_rows(sync_conn: Connection) -> None:
    # SQLite: straight on the driver's cursor, inside the transaction the caller opened
    # (the write lock is already held); SQLAlchemy's per-statement work was most of a reset.
    cursor = sync_conn.connection.cursor()
    try:
        for statement in _DELETES:
            cursor.execute(statement)
    finally:
        cursor.close()


async def clear_all(conn: AsyncConnection) -> None:
    """Delete every row of every table but the signing keys and the audit trail, children
    first. On PostgreSQL the tables are locked first, so creates in flight finish before
    (or wait until after) the clearing instead of failing halfway through it."""
    if conn.dialect.name == "postgresql":
        await conn.exec_driver_sql(_PG_CLEAR)
    else:
        await conn.run_sync(_delete_rows)


async def _existing_kids(conn: AsyncConnection) -> set[str]:
    return set((await conn.execute(select(t.signing_keys.c.kid))).scalars())


async def load(
    conn: AsyncConnection, rows: Rows, *, responses: Sealer, now: datetime
) -> Mapping[str, int]:
    """Replace the state with `rows` (from `read_document`, sealing checked) inside the
    caller's transaction. Returns the number of rows written per table.

    The database's own refusals (duplicate keys, rows pointing at missing rows) become
    `SnapshotError`s; a lock timeout is re-raised as it is."""
    await clear_all(conn)
    kids = await _existing_kids(conn)
    written: dict[str, int] = {}
    for table in t.metadata.sorted_tables:
        batch = [] if table.name in _HISTORY else rows.get(table.name, [])
        if table.name in _KEPT:
            batch = [r for r in batch if r["kid"] not in kids]
        for start in range(0, len(batch), _BATCH):
            try:
                await conn.execute(insert(table), batch[start : start + _BATCH])
            except DBAPIError as exc:
                if is_lock_timeout(exc):
                    raise
                reason = str(exc.orig).strip().splitlines()[0][:300]
                raise SnapshotError(
                    f"tables.{table.name} was refused by the database: {reason}"
                ) from None
        written[table.name] = len(batch)
    await _check_stored_answers(conn, responses, now)
    return written
