"""`tenantry …`: the command line. One module a command group, each with `add_parser`
(which also names its `run`) and `run(args) -> exit code`; `main` parses and dispatches.

`tenantry customers|domains|addresses …` call a running service instead: those words are
handed, before any parsing, to the client's command line (`tenantry_client.cli`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from tenantry.commands import audit, keygen, keys, partners, serve, token

# In the order `tenantry --help` lists them.
GROUPS = (serve, token, keygen, partners, keys, audit)
CLIENT_COMMANDS = frozenset({"customers", "domains", "addresses"})


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="tenantry",
        description="A wire-compatible Partner Center customer API.",
        epilog="Calls to a running service (Tenantry or Partner Center itself): "
        "`tenantry customers create|get|list|search|delete|import`, `tenantry domains check`, "
        "`tenantry addresses validate`; each has --help.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parser(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    if words and words[0] in CLIENT_COMMANDS:
        # Calls to a running service: the client's CLI, over the SDK (tenantry-client[cli]).
        from tenantry_client.cli import main as client_main

        return client_main(words, prog="tenantry")
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)
