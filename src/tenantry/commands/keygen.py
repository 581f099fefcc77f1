"""`tenantry keygen [--output FILE]`: a new master key, for `TENANTRY_MASTER_KEY` or, written
to a file of its own, for `TENANTRY_MASTER_KEY_FILE`. The only command that makes a master
key besides a sandbox server's first start."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from tenantry.config import add_flags, resolve
from tenantry.security.keys import generate_master_key


def add_parser(commands: Any) -> None:
    keygen = commands.add_parser(
        "keygen", help="a new master key: printed for TENANTRY_MASTER_KEY, or --output FILE"
    )
    keygen.add_argument(
        "--output",
        default=None,
        metavar="FILE",
        help="write it to FILE (created, mode 0600; never overwritten) instead of printing it, "
        "for TENANTRY_MASTER_KEY_FILE",
    )
    add_flags(keygen, "mode")  # like every command; the key does not depend on them
    keygen.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    resolve(args)  # a config file or variable that is not valid is reported here too
    key = generate_master_key()
    if args.output is None:
        print(key)
        return 0
    try:
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        print(f"tenantry: cannot create {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    print(f"a new master key is in {args.output} (mode 0600): keep a copy with the backups")
    return 0
