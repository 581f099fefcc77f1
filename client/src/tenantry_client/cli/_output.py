"""How answers and errors are printed: a plain table, or Partner Center's JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from tenantry_client._errors import (
    CredentialError,
    PartnerCenterError,
    ServiceError,
    TransportError,
)
from tenantry_client._models import Customer
from tenantry_client._validation import AddressValidationResult


def emit_json(obj: Any, out: TextIO | None = None) -> None:
    """Pretty JSON and a newline."""
    stream = out or sys.stdout
    stream.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def key_values(rows: Sequence[tuple[str, str | None]], out: TextIO | None = None) -> None:
    """`name  value` lines, aligned; rows without a value are left out."""
    stream = out or sys.stdout
    shown = [(k, v) for k, v in rows if v not in (None, "")]
    width = max((len(k) for k, _ in shown), default=0)
    for key, value in shown:
        stream.write(f"{key.ljust(width)}  {value}\n")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], out: TextIO | None = None) -> None:
    """A plain text table with a header line."""
    stream = out or sys.stdout
    body = [[cell or "" for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    for row in [list(headers), *body]:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        stream.write(line.rstrip() + "\n")


def customer_rows(customer: Customer) -> list[tuple[str, str | None]]:
    """The lines of one customer in a table (the admin password only if the answer has it)."""
    company = customer.company_profile
    billing = customer.billing_profile
    address = billing.default_address if billing else None
    credentials = customer.user_credentials
    return [
        ("Customer id", customer.id),
        ("Tenant id", company.tenant_id if company else None),
        ("Domain", company.domain if company else None),
        (
            "Company name",
            (billing.company_name if billing else None)
            or (company.company_name if company else None),
        ),
        ("Relationship", customer.relationship_to_partner),
        ("Associated partner", customer.associated_partner_id),
        (
            "Contact",
            " ".join(p for p in (billing.first_name, billing.last_name) if p) if billing else None,
        ),
        ("Contact email", billing.email if billing else None),
        ("Culture", billing.culture if billing else None),
        ("Language", billing.language if billing else None),
        (
            "Address",
            ", ".join(
                p
                for p in (
                    address.address_line1,
                    address.address_line2,
                    address.city,
                    address.state,
                    address.postal_code,
                    address.country,
                )
                if p
            )
            if address
            else None,
        ),
        ("Admin user", credentials.user_name if credentials else None),
        ("Admin password", credentials.password if credentials else None),
    ]


def print_customer(customer: Customer, output: str) -> None:
    """One customer, as a table of fields or as JSON."""
    if output == "json":
        emit_json(customer.to_wire())
    else:
        key_values(customer_rows(customer))


def print_customers(customers: Sequence[Customer], output: str) -> None:
    """A list of customers: `{"totalCount", "items"}` in JSON, one line each in a table."""
    if output == "json":
        emit_json({"totalCount": len(customers), "items": [c.to_wire() for c in customers]})
        return
    rows = []
    for c in customers:
        company = c.company_profile
        rows.append(
            [
                c.id or "",
                company.domain or "" if company else "",
                company.company_name or "" if company else "",
                c.relationship_to_partner or "",
            ]
        )
    table(["ID", "DOMAIN", "COMPANY NAME", "RELATIONSHIP"], rows)


def print_validation(result: AddressValidationResult, output: str) -> None:
    """An address check: its status, message, and suggestions."""
    if output == "json":
        emit_json(
            {
                "originalAddress": result.original_address.to_wire(),
                "suggestedAddresses": [a.to_wire() for a in result.suggested_addresses],
                "status": result.status,
                "validationMessage": result.validation_message,
            }
        )
        return
    key_values([("Status", result.status), ("Message", result.validation_message)])
    for number, address in enumerate(result.suggested_addresses, 1):
        parts = (
            address.address_line1,
            address.address_line2,
            address.city,
            address.state,
            address.postal_code,
            address.country,
        )
        key_values([(f"Suggestion {number}", ", ".join(p for p in parts if p))])


def error_text(error: ServiceError) -> str:
    """An error's description and every field error it lists, on one line."""
    if not error.data:
        return error.description
    return f"{error.description} [{'; '.join(error.data)}]"


def print_error(error: PartnerCenterError, prog: str) -> None:
    """A failed call on stderr, without a traceback (and never a secret): the code and
    description, the HTTP status and ids, then every field error of the answer."""
    err = sys.stderr
    if isinstance(error, ServiceError):
        code = error.code if error.code is not None else error.status
        err.write(f"error {code}: {error.description}\n")
        err.write(
            f"  HTTP {error.status}, MS-RequestId {error.request_id}, "
            f"MS-CorrelationId {error.correlation_id}\n"
        )
        if error.data:
            err.write(f"  {len(error.data)} field error(s):\n")
            for item in error.data:
                err.write(f"  - {item}\n")
    elif isinstance(error, TransportError):
        err.write(f"error: no answer from the service: {error}\n")
        err.write(f"  MS-RequestId {error.request_id}, MS-CorrelationId {error.correlation_id}\n")
    elif isinstance(error, CredentialError):
        detail = f" ({error.error})" if error.error else ""
        err.write(f"error: could not sign in{detail}: {error}\n")
    else:
        err.write(f"{prog}: error: {error}\n")
