"""`tenantry …`: the command line. One module a command group, each with `add_parser`
(which also names its `run`) and `run(args) -> exit code`; `main` parses and dispatches.

`tenantry customers|domains|addresses …` call a running service instead: those words are
handed, before any parsing, to the client's command line (`tenantry_client.cli`).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable

# In the order `tenantry --help` lists them. Imported only when parsing: a call to a
# running service (below) needs none of the server's modules, and starts in a third of
# the time without them.
GROUPS = ("serve", "token", "keygen", "partners", "keys", "audit", "db")
CLIENT_COMMANDS = frozenset(
    {
        "customers",
        "agreements",
        "offers",
        "orders",
        "subscriptions",
        "users",
        "domains",
        "addresses",
        "login",
        "logout",
        "profiles",
    }
)


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `only`, the parser of that one command group (its module is
    the only one imported: `tenantry serve` need not import the operator's commands)."""
    top = argparse.ArgumentParser(
        prog="tenantry",
        description="A wire-compatible Partner Center customer API.",
        epilog="Calls to a running service (Tenantry or Partner Center itself): "
        "`tenantry customers create|get|list|search|delete|import`, `tenantry domains check`, "
        "`tenantry addresses validate`; after a create, `tenantry agreements|offers|orders|"
        "subscriptions|users`; saved connections with `tenantry login|logout|profiles`; "
        "each has --help.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    for group in GROUPS if only is None else (only,):
        importlib.import_module(f"tenantry.commands.{group}").add_parser(commands)
    return top


def _for_the_client(words: list[str]) -> bool:
    """A call to a running service: its command comes first, or after the connection
    options (`tenantry --base-url URL customers list`); the server's own commands take no
    options before them."""
    if not words:
        return False
    if words[0] in CLIENT_COMMANDS:
        return True
    return (
        words[0].startswith("--")
        and words[0] != "--help"
        and any(word in CLIENT_COMMANDS for word in words[1:])
    )


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    if _for_the_client(words):
        # Calls to a running service: the client's CLI, over the SDK (tenantry-client[cli]).
        from tenantry_client.cli import main as client_main

        return client_main(words, prog="tenantry")
    only = words[0] if words and words[0] in GROUPS else None
    if only == "serve":
        gc.disable()  # until the server's modules are imported (`serve.run`)
        # A server uses SQLAlchemy's asyncio engine, never its ORM session: not loaded.
        # Only here: a process that merely imports `tenantry` (the pytest plugin in a
        # partner's test run, say) keeps SQLAlchemy's import as it is.
        from tenantry import sqlalchemy_asyncio

        sqlalchemy_asyncio.install()
    args, extra = parser(only).parse_known_args(words)
    if extra:  # refused in the words of the whole command line, as before
        args = parser().parse_args(words)
    run: Callable[[argparse.Namespace], int] = args.run
    from tenantry.config_sources import SettingsError

    try:
        return run(args)
    except SettingsError as exc:  # a variable, secret file or config file: one line
        print(f"tenantry: {exc}", file=sys.stderr)
        return 2
