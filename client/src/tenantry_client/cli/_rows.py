"""The rows of an import file, and what is checked before any row is sent.

Each row's `MS-RequestId` is its `request-id` cell (a GUID), or a UUID 5 of the customer it
creates (its canonical JSON): the same row always sends the same id and the same body, so
the service answers a row sent again with its first answer instead of a second customer.
A request id that cannot be sent, or one that an earlier row of the file already uses (a
duplicate row), or an `orders` cell that cannot be read, is refused up front: that row is
recorded `failed` and never sent.
"""

from __future__ import annotations

import csv
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from tenantry_client._agreements import Contact
from tenantry_client._models import Address, Customer, CustomerBillingProfile
from tenantry_client.cli._args import CONTACT_COLUMNS, ORDERS_COLUMN, REQUEST_ID_COLUMN, UsageError
from tenantry_client.cli._fields import ALIASES, FIELD_NAMES, apply_fields, check_request_id
from tenantry_client.cli._order_lines import OrderLine, parse_lines

# Request ids of imported rows are UUID 5s in this namespace.
REQUEST_ID_NAMESPACE = uuid.UUID("0d4f5a8e-3c51-5b7e-9f2a-6e1c7a9b2d40")


@dataclass(frozen=True)
class Row:
    """One data row of the import file; `number` counts data rows from 1."""

    number: int
    values: dict[str, str]

    @property
    def domain(self) -> str:
        """The row's domain cell (empty if none)."""
        return self.values.get("domain", "")

    def customer(self) -> Customer:
        """The customer the row creates."""
        return apply_fields(Customer(), self.values)

    def own_request_id(self) -> str | None:
        """The row's `request-id` cell, if it has one."""
        return self.values.get(REQUEST_ID_COLUMN, "").strip() or None

    def request_id(self) -> str:
        """The row's `request-id` cell, or the UUID 5 of the customer it creates.

        ValueError, naming the row, when the cell is not a request id the CLI sends."""
        own = self.own_request_id()
        if own is not None:
            try:
                return check_request_id(own)
            except ValueError as exc:
                raise ValueError(f"row {self.number}: {exc}") from None
        canonical = json.dumps(self.customer().to_wire(), sort_keys=True, separators=(",", ":"))
        return str(uuid.uuid5(REQUEST_ID_NAMESPACE, canonical))

    def contact(self) -> Contact:
        """Who accepted the agreement: the row's billing contact (name, email, phone),
        each part replaced by its `agreement-…` cell when the row has one."""
        billing = self.customer().billing_profile or CustomerBillingProfile()
        address = billing.default_address or Address()
        contact = Contact(
            first_name=billing.first_name,
            last_name=billing.last_name,
            email=billing.email,
            phone_number=address.phone_number,
        )
        for column, attribute in CONTACT_COLUMNS.items():
            if self.values.get(column):
                setattr(contact, attribute, self.values[column])
        return contact

    def order_lines(self) -> tuple[OrderLine, ...]:
        """The lines of the row's `orders` cell (none if it has none).

        ValueError, naming the row, when the cell cannot be read."""
        try:
            return parse_lines(self.values.get(ORDERS_COLUMN, ""))
        except ValueError as exc:
            raise ValueError(f"row {self.number}: {ORDERS_COLUMN} cell {exc}") from None


@dataclass(frozen=True)
class Job:
    """A row and its request id, or the reason it is not sent (`refusal`)."""

    row: Row
    request_id: str | None
    refusal: str | None = None


def plan(rows: list[Row]) -> list[Job]:
    """Every row of the file with its request id; a row whose request id is invalid, or
    already used by an earlier row, or whose `orders` cell cannot be read, is refused
    (with the reason)."""
    jobs: list[Job] = []
    first_with: dict[str, Row] = {}
    for row in rows:
        try:
            request_id = row.request_id()
        except ValueError as exc:
            jobs.append(Job(row, row.own_request_id(), f"not sent: {exc}"))
            continue
        try:
            row.order_lines()
        except ValueError as exc:
            jobs.append(Job(row, request_id, f"not sent: {exc}"))
            continue
        earlier = first_with.get(request_id.lower())
        if earlier is None:
            first_with[request_id.lower()] = row
            jobs.append(Job(row, request_id))
            continue
        same = "request-id cell" if row.own_request_id() else "customer, so the same request id"
        jobs.append(
            Job(
                row,
                request_id,
                f"not sent: duplicate of row {earlier.number} (the same {same}; the service "
                f"would answer with row {earlier.number}'s customer)",
            )
        )
    return jobs


_ALIASES = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


def _column(name: str) -> str:
    column = name.strip().lower().replace("_", "-").replace(" ", "-")
    return _ALIASES.get(column, column)


def read_rows(path: Path) -> list[Row]:
    """The rows of an import file (UTF-8, a header of field names in any case, `-` or `_`)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            header = next(reader, None)
            if header is None:
                raise UsageError(f"{path} is empty: it needs a header line")
            columns = [_column(name) for name in header]
            known = FIELD_NAMES | {REQUEST_ID_COLUMN, ORDERS_COLUMN, *CONTACT_COLUMNS}
            unknown = [h for h, c in zip(header, columns, strict=True) if c not in known]
            if unknown:
                raise UsageError(
                    f"{path}: unknown column(s) {', '.join(unknown)}; "
                    f"known: {', '.join(sorted(known))}"
                )
            twice = sorted({c for c in columns if columns.count(c) > 1})
            if twice:
                raise UsageError(f"{path}: column(s) given twice: {', '.join(twice)}")
            rows = []
            for number, record in enumerate(reader, 1):
                if not any(cell.strip() for cell in record):
                    continue
                values = {c: v.strip() for c, v in zip(columns, record, strict=False)}
                rows.append(Row(number, values))
            return rows
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not a UTF-8 CSV file: {exc}") from None
