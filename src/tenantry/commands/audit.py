"""`tenantry audit`: the audit trail for operators, read from the database (no server needed)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

import orjson

from tenantry.api.schemas.audit import event_wire
from tenantry.commands._operator import opened, run_operator, storage_args
from tenantry.domain.audit import MAX_LIMIT, AuditEvent, AuditQuery
from tenantry.runtime import ConfigurationError


def add_parser(commands: Any) -> None:
    audit = commands.add_parser(
        "audit", help="the audit trail: who changed what, when, through which request"
    )
    audit.add_argument("--partner", default=None, metavar="TENANT_ID", help="one partner only")
    audit.add_argument(
        "--action", default=None, help="one action only, e.g. customer.created, partner.app.added"
    )
    audit.add_argument(
        "--since",
        default=None,
        metavar="ISO",
        help="events at or after this time (ISO 8601; without an offset it is UTC)",
    )
    audit.add_argument("--limit", type=int, default=100, help=f"at most N events (1–{MAX_LIMIT})")
    audit.add_argument("--json", action="store_true", help="one JSON object a line")
    storage_args(audit)
    audit.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_operator(_audit(args))


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(f"--since {value!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _line(event: AuditEvent) -> str:
    when = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    ids = f"request {event.request_id}" if event.request_id else "-"
    return (
        f"{when}Z  {event.action:<32}  {event.actor_type}:{event.actor_id}  "
        f"{event.target_type} {event.target_id}  partner {event.partner_id or '-'}  {ids}"
    )


async def _audit(args: argparse.Namespace) -> None:
    if not 1 <= args.limit <= MAX_LIMIT:
        raise ConfigurationError(f"--limit must be between 1 and {MAX_LIMIT}")
    query = AuditQuery(
        partner_id=args.partner.lower() if args.partner else None,
        action=args.action,
        since=_parse_since(args.since),
        limit=args.limit,
    )
    async with opened(args) as runtime:
        events = await runtime.audit_trail.page(query)
    for event in events:
        print(orjson.dumps(event_wire(event)).decode() if args.json else _line(event))
