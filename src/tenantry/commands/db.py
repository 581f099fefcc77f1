"""`tenantry db upgrade|check|downgrade`: the database schema, without starting a server.

Each opens the database alone (no master key, no signing keys): `check` reads only, so it
is safe against a production database from any machine that can reach it.
docs/operations.md ("Upgrades") says when to run which.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from tenantry.commands._operator import REFUSALS, storage_args
from tenantry.config import settings_from_args
from tenantry.runtime import downgrade_schema, schema_status, upgrade_schema


def add_parser(commands: Any) -> None:
    db = commands.add_parser("db", help="the database schema: upgrade it, check it, step it back")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "upgrade", help="migrate the database to this release's schema; prints from → to"
    )
    actions.add_parser(
        "check",
        help="exit 0 if the database is current for this release, else 1 and one line why "
        "(behind, ahead of this release, or drift); changes nothing",
    )
    down = actions.add_parser(
        "downgrade",
        help="step the schema back to REVISION to roll back to an older release (only as far "
        "as the schema says that release can run on it)",
    )
    down.add_argument("revision")
    for action in actions.choices.values():
        storage_args(action)
    db.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.action != "check":  # what the migrations do, line by line, on standard error
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("tenantry").addHandler(handler)
        logging.getLogger("tenantry").setLevel(logging.INFO)
    try:
        if args.action == "check":
            found = asyncio.run(schema_status(settings))
            print(found.reason, file=sys.stdout if found.current else sys.stderr)
            return 0 if found.current else 1
        if args.action == "downgrade":
            before, after = asyncio.run(downgrade_schema(settings, args.revision))
            print(f"{before} → {after}")
            return 0
        start, end = asyncio.run(upgrade_schema(settings))
    except REFUSALS as exc:
        print(f"tenantry: {exc}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"tenantry: cannot use the database: {first}", file=sys.stderr)
        return 2
    if start is None:
        print(f"empty → {end} (schema created)")
    elif start == end:
        print(f"{start} → {end} (nothing to do)")
    else:
        print(f"{start} → {end}")
    return 0
