"""`tenantry keygen`: print a new master key for `TENANTRY_MASTER_KEY`."""

from __future__ import annotations

import argparse
from typing import Any

from tenantry.security.keys import generate_master_key


def add_parser(commands: Any) -> None:
    keygen = commands.add_parser("keygen", help="print a new master key for TENANTRY_MASTER_KEY")
    keygen.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(generate_master_key())
    return 0
