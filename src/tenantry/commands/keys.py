"""`tenantry keys list|rotate|retire`: the token-signing keys."""

from __future__ import annotations

import argparse
from typing import Any

from tenantry.commands._operator import opened, operator_actor, run_operator, storage_args


def add_parser(commands: Any) -> None:
    keys = commands.add_parser("keys", help="list, rotate and retire the token-signing keys")
    actions = keys.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the signing keys, oldest first; the last one signs")
    actions.add_parser("rotate", help="add a key that signs from now on; older keys still verify")
    retire = actions.add_parser("retire", help="remove an older key: its tokens stop verifying")
    retire.add_argument("kid")
    for action in actions.choices.values():
        storage_args(action)
    keys.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_operator(_keys(args))


async def _keys(args: argparse.Namespace) -> None:
    async with opened(args) as runtime:
        store = runtime.signing_keys
        if args.action == "rotate":
            key = await store.rotate(operator_actor())
            print(f"{key.kid}  signs from now on (nodes switch within 5 minutes)")
        elif args.action == "retire":
            await store.retire(args.kid, operator_actor())
            print(f"{args.kid}  retired")
        else:
            for key in store.listing():
                current = "  (signs)" if key.kid == store.current.kid else ""
                print(f"{key.kid}  {key.created_at:%Y-%m-%d %H:%M:%S}Z{current}")
