"""`tenantry keys list|rotate|retire`: the token-signing keys.

A rotated key signs on every node, and a retired key's tokens stop on every node, within
the key reload interval (`--key-reload`). Retiring a key while a token it signed may still
be valid is refused without `--force`: docs/operations.md ("Signing keys") has the order.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from tenantry.auth.signing_keys import RetiringTooSoon, SigningKeyStore
from tenantry.commands._operator import opened, operator_actor, run_operator, storage_args
from tenantry.config import STORAGE_SETTINGS, Settings, add_flags


def add_parser(commands: Any) -> None:
    keys = commands.add_parser("keys", help="list, rotate and retire the token-signing keys")
    actions = keys.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the signing keys, oldest first; the last one signs")
    rotate = actions.add_parser(
        "rotate", help="add a key that signs from now on; older keys still verify"
    )
    retire = actions.add_parser("retire", help="remove an older key: its tokens stop verifying")
    retire.add_argument("kid")
    retire.add_argument(
        "--force",
        action="store_true",
        help="retire it even though tokens it signed may still be valid (they stop working)",
    )
    storage_args(actions.choices["list"])
    for action in (rotate, retire):  # and what the nodes use, for the times these print
        add_flags(action, *STORAGE_SETTINGS, "key_reload_seconds")
    keys.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_operator(_keys(args))


def _reload(settings: Settings) -> str:
    return f"{settings.key_reload_seconds:g} s, the nodes' --key-reload"


async def _keys(args: argparse.Namespace) -> None:
    async with opened(args) as runtime:
        store, settings = runtime.signing_keys, runtime.settings
        if args.action == "rotate":
            key = await store.rotate(operator_actor())
            print(f"{key.kid}  signs from now on (on every node within {_reload(settings)})")
        elif args.action == "retire":
            await _retire(store, settings, args.kid, force=args.force)
            print(f"{args.kid}  retired: its tokens stop on every node within {_reload(settings)}")
        else:
            listing = store.listing()
            if not listing:
                print("no signing key yet: the first `tenantry serve` makes one", file=sys.stderr)
            for key in listing:
                current = "  (signs)" if key is listing[-1] else ""
                print(f"{key.kid}  {key.created_at:%Y-%m-%d %H:%M:%S}Z{current}")


async def _retire(store: SigningKeyStore, settings: Settings, kid: str, *, force: bool) -> None:
    """Retire the key, refusing (or, forced, warning) while its tokens may be valid: for a
    token's lifetime after the next key began to sign on every node."""
    live = timedelta(seconds=settings.token_lifetime_seconds + settings.key_reload_seconds)
    try:
        await store.retire(kid, operator_actor(), tokens_live=live)
    except RetiringTooSoon as exc:
        if not force:
            raise
        print(
            f"tenantry: warning: tokens signed by {kid} may still be valid until "
            f"{exc.safe_at:%Y-%m-%d %H:%M:%S}Z; retired anyway (--force), they stop working",
            file=sys.stderr,
        )
        await store.retire(kid, operator_actor(), tokens_live=timedelta(0))
