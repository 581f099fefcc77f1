"""`tenantry-client …` (and `tenantry customers|domains|addresses …`): Partner Center
customers from a shell, over the SDK, and what comes after their create (`agreements`,
`offers`, `orders`, `subscriptions`, `users`); `login`, `logout` and `profiles` keep named
connections.

Exit codes: 0 success; 1 the service refused or could not be reached (`error <code>:
<description>` and every field error on stderr), `domains check` found the domain taken,
or an import left rows not done; 2 bad usage; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tenantry_client._client import PartnerClient
from tenantry_client._errors import PartnerCenterError
from tenantry_client._models import Address, Customer
from tenantry_client.cli._args import UsageError, build_parser
from tenantry_client.cli._commerce import first_pages, run_commerce
from tenantry_client.cli._commerce_args import GROUPS as COMMERCE_GROUPS
from tenantry_client.cli._connect import Connection, resolve
from tenantry_client.cli._fields import FIELDS, apply_fields, dest, missing_required
from tenantry_client.cli._login import login, logout, profiles_command
from tenantry_client.cli._output import (
    emit_json,
    print_customer,
    print_customers,
    print_error,
    print_validation,
)

__all__ = ["main"]


def _read_json(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{source} is not JSON: {exc}") from None


def _customer(args: argparse.Namespace) -> Customer:
    """The customer `customers create` sends: --from-json, then the flags; every
    New-PartnerCustomer mandatory parameter must have a value from one or the other."""
    customer = Customer()
    if args.from_json is not None:
        obj = _read_json(args.from_json)
        if not isinstance(obj, dict):
            raise UsageError(f"{args.from_json} must hold a JSON object (a Customer)")
        customer = Customer.from_wire(obj)
    apply_fields(customer, {f.name: getattr(args, dest(f.name)) for f in FIELDS})
    missing = missing_required(customer)
    if missing:
        flags = ", ".join(f"--{name}" for name in missing)
        raise UsageError(f"the following arguments are required: {flags} (or in --from-json)")
    return customer


def _create(args: argparse.Namespace, connection: Connection) -> int:
    customer = _customer(args)
    with connection.client() as client:
        created = client.customers.create(customer, request_id=args.request_id)
    print_customer(created, args.output)
    if args.output == "table" and created.user_credentials is not None:
        print("The admin password is shown this once: store it now.", file=sys.stderr)
    return 0


def _listing(args: argparse.Namespace, client: PartnerClient) -> int:
    if args.size is not None and args.size < 1:
        raise UsageError("--size must be at least 1")
    if args.command == "list":
        pager = client.customers.list(size=args.size)
    else:
        pager = client.customers.search(
            company_name=args.company_name,
            domain=args.domain,
            indirect_reseller=args.indirect_reseller,
            size=args.size,
        )
    customers, more = first_pages(pager, args.all)
    print_customers(customers, args.output)
    if more:
        print("(more customers: --all lists every page)", file=sys.stderr)
    return 0


def _customers(args: argparse.Namespace) -> int:
    if args.command == "create" and args.what_if:
        emit_json(_customer(args).to_wire())  # New-PartnerCustomer -WhatIf: nothing is sent
        return 0
    connection = resolve(args)
    if args.command == "import":
        from tenantry_client.cli._bulk import run_import

        return run_import(args, connection)
    if args.command == "create":
        return _create(args, connection)
    with connection.client() as client:
        if args.command == "get":
            print_customer(client.customers.get(args.id), args.output)
            return 0
        if args.command in ("list", "search"):
            return _listing(args, client)
        client.customers.delete(args.id)
        print(f"deleted {args.id}")
        return 0


def _domains(args: argparse.Namespace) -> int:
    with resolve(args).client() as client:
        taken = client.domains.exists(args.domain)
    if args.output == "json":
        emit_json({"domain": args.domain, "available": not taken})
    else:
        print("taken" if taken else "available")
    return 1 if taken else 0


def _addresses(args: argparse.Namespace) -> int:
    address = Address(
        country=args.country,
        address_line1=args.line1,
        address_line2=args.line2,
        city=args.city,
        state=args.state,
        postal_code=args.postal_code,
    )
    with resolve(args).client() as client:
        print_validation(client.validations.address(address), args.output)
    return 0


def main(argv: Sequence[str] | None = None, *, prog: str = "tenantry-client") -> int:
    """Run one command; returns the exit code (it never raises for a failed call)."""
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or bad usage (argparse printed why)
        return exc.code if isinstance(exc.code, int) else 2
    args.prog = prog
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "customers": _customers,
        "domains": _domains,
        "addresses": _addresses,
        **dict.fromkeys(COMMERCE_GROUPS, run_commerce),
        "login": login,
        "logout": logout,
        "profiles": profiles_command,
    }
    try:
        return commands[args.group](args)
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except PartnerCenterError as exc:
        print_error(exc, prog)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
